"""The auditor's dossier of a contract (*dossier de contrôle*), built as a stream.

`Dossier(contract, user=…).stream()` yields the ZIP's bytes: first the French README, then
each file of the plan (`dossier.contents.dossier_plan`) as it is read or written — stored
documents copied byte for byte after their SHA-256 check, exports and logs row by row —,
then `manifest.json` (every file with its SHA-256, size, date, producer, application
version) and `MANIFEST.txt`, its readable twin. Nothing but the piece being written is held
in memory. Once the last byte is out, the dossier is recorded (`DossierDownload`).

A stored document whose bytes no longer match their SHA-256 refuses the whole dossier (see
`check_documents`): a dossier is proof, and its manifest would otherwise vouch, with a
fresh hash, for bytes that are not those that were signed or deposited."""

import getpass
import hashlib
import json
import platform
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cej.documents import stored_sha256
from cej.models import Document
from cej.models.versioning import person_name
from dossier.contents import DossierRefused, Entry, dossier_plan, readme_text
from dossier.models import DossierChannel, DossierDownload
from dossier.zipstream import Written, ZipStream

FORMAT = "cej-loire/dossier-de-controle/1"
MANIFEST = "manifest.json"
MANIFEST_TEXT = "MANIFEST.txt"
README = "LISEZMOI.txt"
# The files the manifest describes itself with: not listed in it (it cannot hold its own
# hash); verify_dossier accepts them and nothing else beside the listed files.
SELF_DESCRIBING = (MANIFEST, MANIFEST_TEXT)


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


@cache
def application_version() -> str:
    """The application's version as released (pyproject.toml)."""
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "inconnue"


def check_documents(contract) -> None:
    """Every stored document of the contract read back (in chunks) against its SHA-256,
    before a byte of the dossier is sent: the refusal can then be a page, not a broken
    download. DossierRefused names each document that fails."""
    problems = []
    for document in Document.objects.filter(contract=contract).order_by("pk").iterator():
        try:
            found = stored_sha256(document.file.name) if document.file.name else None
        except (FileNotFoundError, OSError):
            found = None
        if found is None:
            problems.append(
                _("« %(title)s » (document %(pk)s) : fichier introuvable sur le stockage.")
                % {"title": document.title, "pk": document.pk}
            )
        elif found != document.sha256:
            problems.append(
                _(
                    "« %(title)s » (document %(pk)s) : son contenu ne correspond plus à "
                    "l'empreinte enregistrée lors de son dépôt (attendue %(expected)s, "
                    "trouvée %(found)s)."
                )
                % {
                    "title": document.title,
                    "pk": document.pk,
                    "expected": document.sha256,
                    "found": found,
                }
            )
    if problems:
        raise DossierRefused(refusal_message(problems))


def refusal_message(problems: list[str]) -> str:
    return " ".join(
        [
            _(
                "Le dossier de contrôle n'est pas produit : un dossier de contrôle fait preuve, "
                "il ne peut contenir un document différent de celui qui a été signé ou déposé."
            ),
            *problems,
            _(
                "L'équipe technique doit restaurer le fichier d'origine depuis une sauvegarde "
                "(« python manage.py verify_documents » liste les documents concernés)."
            ),
        ]
    )


@dataclass
class Dossier:
    contract: object
    user: object
    channel: str = DossierChannel.WEB
    produced_at: object = field(default_factory=timezone.now)
    # After the stream: what was written, the manifest's hash, the archive's size.
    written: list[Written] = field(default_factory=list)
    written_at: dict[str, str] = field(default_factory=dict)
    manifest_sha256: str | None = None
    size: int | None = None
    largest_held: int = 0
    record: DossierDownload | None = None

    @property
    def producer(self) -> dict:
        if self.user is None:  # the command, run without --user: the system account says who
            account = f"{_system_user()}@{platform.node()}"
            return {
                "username": account,
                "name": _("commande export_dossier (%(account)s)") % {"account": account},
            }
        return {"username": self.user.get_username(), "name": person_name(self.user)}

    @property
    def filename(self) -> str:
        return (
            f"dossier-{self.contract.slug}-{timezone.localtime(self.produced_at):%Y%m%d-%H%M}.zip"
        )

    def stream(self, *, on_complete: Callable | None = None) -> Iterator[bytes]:
        local = timezone.localtime(self.produced_at)
        archive = ZipStream(date_time=local.timetuple()[:6])
        entries = dossier_plan(self.contract, user=self.user, produced_at=self.produced_at)
        readme = Entry(
            path=README,
            description=_("Ce fichier : le contenu du dossier et la façon de le vérifier."),
            origin="generated",
            pieces=lambda: [readme_text(self, entries).encode("utf-8")],
        )
        by_path = {}
        for entry in [readme, *entries]:
            yield from archive.add(entry.path, entry.pieces(), self.written)
            self.written_at[entry.path] = timezone.localtime().isoformat(timespec="seconds")
            by_path[entry.path] = entry
        manifest = self.manifest(by_path)
        self.manifest_sha256 = hashlib.sha256(manifest).hexdigest()
        yield from archive.add(MANIFEST, [manifest], [])
        yield from archive.add(MANIFEST_TEXT, [self.manifest_text(by_path).encode("utf-8")], [])
        yield from archive.close()
        self.size, self.largest_held = archive.size, archive.largest_held
        self.record = self._record()
        if on_complete is not None:
            on_complete(self)

    def manifest(self, by_path: dict[str, Entry]) -> bytes:
        files = []
        for written in self.written:
            entry = by_path[written.name]
            item = {
                "path": written.name,
                "sha256": written.sha256,
                "size": written.size,
                "description": entry.description,
                "origin": entry.origin,
                "produced_at": self.written_at[written.name],
                "produced_by": self.producer["username"],
                "application_version": application_version(),
            }
            if entry.sealed:
                item["sealed"] = True
            if entry.document is not None:
                item["document"] = entry.document
            files.append(item)
        data = {
            "format": FORMAT,
            "contract": {
                "slug": self.contract.slug,
                "title": self.contract.title,
                "start_year": self.contract.start_year,
                "end_year": self.contract.end_year,
                "status": self.contract.status,
            },
            "produced_at": timezone.localtime(self.produced_at).isoformat(timespec="seconds"),
            "produced_by": self.producer,
            "application": {"name": "CEJ Loire", "version": application_version()},
            "not_listed": list(SELF_DESCRIBING),
            "files": files,
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"

    def manifest_text(self, by_path: dict[str, Entry]) -> str:
        lines = [
            _("Manifeste du dossier de contrôle — %(title)s (%(slug)s)")
            % {"title": self.contract.title, "slug": self.contract.slug},
            _("Produit le %(date)s par %(name)s (%(username)s), CEJ Loire version %(version)s.")
            % {
                "date": timezone.localtime(self.produced_at).strftime("%d/%m/%Y %H:%M:%S"),
                "name": self.producer["name"],
                "username": self.producer["username"],
                "version": application_version(),
            },
            _("Empreinte SHA-256 de manifest.json : %(sha)s") % {"sha": self.manifest_sha256},
            "",
            _("Empreinte SHA-256 (64 caractères)  taille en octets  fichier"),
        ]
        for written in self.written:
            lines.append(f"{written.sha256}  {written.size:>12}  {written.name}")
        lines.append("")
        return "\r\n".join(lines)

    @transaction.atomic
    def _record(self) -> DossierDownload:
        return DossierDownload.objects.create(
            contract=self.contract,
            user=self.user,
            username=self.producer["username"][:150],
            manifest_sha256=self.manifest_sha256,
            size=self.size,
            files=len(self.written),
            channel=self.channel,
        )
