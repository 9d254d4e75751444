"""Checks a dossier de contrôle as an auditor receives it: the manifest against every file
(missing, extra, changed), and the electronic seal of every sealed act (pyHanko).

Nothing here needs the database: a dossier is checked on any machine with the application
installed, long after it was produced. The seal's issuer is trusted when it is the given
certificate (by default the application's configured seal certificate)."""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from dossier.build import MANIFEST, SELF_DESCRIBING

CHUNK = 1024 * 1024


@dataclass
class Report:
    """What the check found: `problems` (any makes the dossier refused), `lines` (the
    French report, problems included, in order)."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    files: int = 0
    seals: int = 0

    def ok(self, text: str) -> None:
        self.lines.append(f"  OK  {text}")

    def note(self, text: str) -> None:
        self.lines.append(f"  --  {text}")

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.lines.append(f"  KO  {text}")


def load_certificate(path) -> x509.Certificate:
    data = Path(path).read_bytes()
    if pem.detect(data):
        _type, _headers, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def verify_dossier(path, *, trusted: list | None = None) -> Report:
    report = Report()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        report.problem(f"archive illisible : {error}")
        return report
    with archive:
        manifest = _manifest(archive, report)
        if manifest is None:
            return report
        _header(manifest, report)
        listed = {item["path"]: item for item in manifest.get("files", [])}
        present = {name for name in archive.namelist() if not name.endswith("/")}
        for name in sorted(set(listed) - present):
            report.problem(f"{name} : fichier manquant (inscrit au manifeste, absent du dossier).")
        for name in sorted(present - set(listed) - set(SELF_DESCRIBING)):
            report.problem(f"{name} : fichier en trop (absent du manifeste).")
        for name, item in listed.items():
            if name not in present:
                continue
            report.files += 1
            if _hash_matches(archive, name, item, report) and item.get("sealed"):
                _check_seal(archive, name, trusted, report)
    return report


def _manifest(archive, report) -> dict | None:
    try:
        data = archive.read(MANIFEST)
    except KeyError:
        report.problem(f"{MANIFEST} : manifeste absent, le dossier ne peut pas être vérifié.")
        return None
    except (zipfile.BadZipFile, OSError) as error:
        report.problem(f"{MANIFEST} : illisible ({error}).")
        return None
    try:
        manifest = json.loads(data)
        if not isinstance(manifest.get("files"), list):
            raise ValueError("liste « files » absente")
    except (ValueError, AttributeError) as error:
        report.problem(f"{MANIFEST} : manifeste illisible ({error}).")
        return None
    report.lines.append(f"Empreinte SHA-256 du manifeste : {hashlib.sha256(data).hexdigest()}")
    return manifest


def _header(manifest, report) -> None:
    contract = manifest.get("contract") or {}
    producer = manifest.get("produced_by") or {}
    application = manifest.get("application") or {}
    report.lines[:0] = [
        f"Dossier de contrôle du contrat « {contract.get('title', '?')} » "
        f"({contract.get('slug', '?')})",
        f"Produit le {manifest.get('produced_at', '?')} par {producer.get('name') or '?'} "
        f"({producer.get('username') or '?'}), CEJ Loire version "
        f"{application.get('version', '?')}.",
    ]


def _hash_matches(archive, name, item, report) -> bool:
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(name) as member:
            while chunk := member.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        # A byte changed inside a compressed member often breaks its CRC before its hash.
        report.problem(f"{name} : contenu modifié ou endommagé ({error}).")
        return False
    found = digest.hexdigest()
    if found != item.get("sha256"):
        report.problem(
            f"{name} : contenu modifié (empreinte attendue {item.get('sha256')}, trouvée {found})."
        )
        return False
    if size != item.get("size"):
        report.problem(f"{name} : taille différente ({item.get('size')} octets attendus, {size}).")
        return False
    report.ok(f"{name} : empreinte conforme ({size} octets).")
    return True


def _check_seal(archive, name, trusted, report) -> None:
    report.seals += 1
    try:
        reader = PdfFileReader(BytesIO(archive.read(name)), strict=False)
        signatures = reader.embedded_signatures
    except Exception as error:  # a PDF that no longer parses: reported, then the next file
        report.problem(f"{name} : PDF illisible, sceau invérifiable ({type(error).__name__}).")
        return
    if not signatures:
        report.problem(f"{name} : aucun sceau électronique dans cet acte scellé.")
        return
    context = ValidationContext(trust_roots=trusted or [], allow_fetching=False)
    for signature in signatures:
        try:
            status = validate_pdf_signature(signature, context)
        except Exception as error:
            report.problem(f"{name} : sceau invérifiable ({type(error).__name__} : {error}).")
            continue
        if not (status.intact and status.valid):
            report.problem(f"{name} : sceau rompu — le document a été modifié après scellement.")
            continue
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            report.problem(
                f"{name} : le sceau ne couvre pas tout le fichier — du contenu a été ajouté "
                "après le scellement."
            )
            continue
        who = status.signing_cert.subject.human_friendly
        if trusted:
            if not status.trusted:
                report.problem(
                    f"{name} : sceau intact, mais émis par un certificat qui n'est pas celui "
                    f"attendu ({who})."
                )
                continue
            report.ok(f"{name} : sceau intact et valide, émis par le certificat attendu ({who}).")
        else:
            report.ok(f"{name} : sceau intact et valide ({who}) ; émetteur non vérifié.")
