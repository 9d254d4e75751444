"""What the dossier holds, file by file (`dossier_plan`), and its README in French.

Each entry names its path in the ZIP, says in French what it is, and gives its bytes as an
iterable of pieces, produced only when the writer reaches it: a stored document read back
through its SHA-256 check (`cej.documents.document_read_verified`), the consolidated
version rendered, an export built, a table streamed from the database."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cej.documents import DocumentUnavailable, document_read_verified
from cej.models import FROZEN_STATUSES, ContractStatus, Document
from cej.pdf import render_pdf
from dossier import journals, tables
from financing.exports import PAYMENT_HEADERS, PAYMENT_MONEY, build_csv, build_xlsx, payment_rows
from pilotage.amendment_documents import consolidated_context

SEALED = "01-actes-scelles"
DEPOSITED = "02-documents-deposes"
CONSOLIDATED = "03-version-consolidee"
MONEY = "04-budget-et-versements"
HISTORY = "05-historiques"
LOGS = "06-journaux"

FOLDERS = {
    SEALED: gettext_lazy(
        "Les actes rendus et scellés par l'application (contrat signé, avenants signés, bilans "
        "annuels adoptés, évaluation finale adoptée) : copies exactes des fichiers conservés, "
        "jamais produits à nouveau. Le sceau électronique (PAdES) se vérifie dans tout lecteur "
        "PDF ou avec « verify_dossier »."
    ),
    DEPOSITED: gettext_lazy(
        "Les documents déposés : originaux signés numérisés, conventions, justificatifs. "
        "Copies exactes des fichiers conservés, chacun vérifié contre l'empreinte SHA-256 "
        "enregistrée lors de son dépôt."
    ),
    CONSOLIDATED: gettext_lazy(
        "La version consolidée du contrat (le contrat modifié par ses avenants signés), "
        "rendue à la production du dossier. Elle le dit sur chaque page ; elle n'est pas un "
        "original et n'est pas scellée."
    ),
    MONEY: gettext_lazy(
        "Le budget et les versements, tels qu'ils sont enregistrés à la production du "
        "dossier : tableur XLSX et tables CSV (séparateur « ; », virgule décimale, UTF-8)."
    ),
    HISTORY: gettext_lazy(
        "Chaque version enregistrée des fiches, des lignes budgétaires, des indicateurs, des "
        "bilans et de l'évaluation : qui, quand, quelle modification, par quel avenant, et le "
        "contenu complet de la version (JSON)."
    ),
    LOGS: gettext_lazy(
        "Les journaux : signatures, délibérations et avis, téléchargements des documents et "
        "du dossier de contrôle."
    ),
}


class DossierRefused(Exception):
    """The dossier cannot be produced: a stored document is missing or altered. The message
    (French) names each document and what to do."""


@dataclass
class Entry:
    path: str
    description: str
    origin: str  # stored (bytes copied), rendered (on request), export (tables), generated
    pieces: Callable[[], Iterable[bytes]]
    sealed: bool = False
    document: dict | None = None


def dossier_plan(contract, *, user, produced_at) -> list[Entry]:
    return [
        *_document_entries(contract),
        *_consolidated_entries(contract, user),
        *_money_entries(contract),
        *_history_entries(contract),
        *_log_entries(contract),
    ]


def _document_entries(contract) -> list[Entry]:
    entries = []
    documents = (
        Document.objects.filter(contract=contract)
        .select_related("created_by", "amendment")
        .order_by("-sealed", "dated", "pk")
    )
    for document in documents:
        folder = SEALED if document.sealed else DEPOSITED
        name = get_valid_filename(document.filename) or "document.pdf"
        description = f"{document.get_kind_display()} — {document.title}"
        if document.dated:
            description += " " + _("(daté du %(date)s)") % {"date": document.dated.isoformat()}
        entries.append(
            Entry(
                path=f"{folder}/{document.pk:06d}-{name}",
                description=description,
                origin="stored",
                pieces=_stored(document),
                sealed=document.sealed,
                document={
                    "id": document.pk,
                    "kind": document.kind,
                    "title": document.title,
                    "dated": document.dated.isoformat() if document.dated else None,
                    "stored_sha256": document.sha256,
                    "deposited_at": timezone.localtime(document.created_at).isoformat(
                        timespec="seconds"
                    ),
                    "deposited_by": (
                        document.created_by.get_username() if document.created_by else None
                    ),
                },
            )
        )
    return entries


def _stored(document) -> Callable[[], Iterable[bytes]]:
    def read():
        # Checked once more as it is copied: a file changed since `check_documents` stops
        # the dossier (the archive is left incomplete, so unreadable) rather than carry it.
        try:
            return [document_read_verified(document)]
        except DocumentUnavailable as refusal:
            raise DossierRefused(
                _("Document « %(title)s » (document %(pk)s) : %(reason)s")
                % {"title": document.title, "pk": document.pk, "reason": refusal}
            ) from None

    return read


def _consolidated_entries(contract, user) -> list[Entry]:
    if contract.status != ContractStatus.SIGNED and contract.status not in FROZEN_STATUSES:
        return []  # nothing signed yet: nothing to consolidate

    def render():
        context = consolidated_context(contract, generated_by=user)
        return [render_pdf("pilotage/pdf/consolidated.html", context)]

    return [
        Entry(
            path=f"{CONSOLIDATED}/{contract.slug}-version-consolidee.pdf",
            description=_(
                "Version consolidée du contrat (modifié par ses avenants signés), rendue à la "
                "production du dossier ; non scellée, elle n'a pas valeur d'original."
            ),
            origin="rendered",
            pieces=render,
        )
    ]


def _money_entries(contract) -> list[Entry]:
    return [
        Entry(
            path=f"{MONEY}/budget-{contract.slug}.xlsx",
            description=_(
                "Export du budget (feuilles « Lignes budgétaires », « Synthèse », « Versements »), "
                "celui de la page Budget."
            ),
            origin="export",
            pieces=lambda: [build_xlsx(contract)],
        ),
        Entry(
            path=f"{MONEY}/budget-{contract.slug}.csv",
            description=_("Les lignes budgétaires et leur plan de financement (CSV)."),
            origin="export",
            pieces=lambda: [build_csv(contract)],
        ),
        Entry(
            path=f"{MONEY}/situation-des-versements.csv",
            description=_(
                "Situation de chaque financeur par exercice : PSEJ prévue et réalisée, dû, reçu, "
                "reste à verser, à reverser (la feuille « Versements » en CSV)."
            ),
            origin="export",
            pieces=lambda: tables.csv_pieces(PAYMENT_HEADERS, _payment_situation(contract)),
        ),
        Entry(
            path=f"{MONEY}/versements-recus.csv",
            description=_(
                "Chaque versement enregistré (acomptes, soldes, reversements), saisi par qui et "
                "quand."
            ),
            origin="export",
            pieces=lambda: tables.funder_payments(contract),
        ),
        Entry(
            path=f"{MONEY}/engagements-et-paiements.csv",
            description=_("Chaque engagement et paiement saisi sur les lignes budgétaires."),
            origin="export",
            pieces=lambda: tables.execution_entries(contract),
        ),
    ]


def _payment_situation(contract):
    from financing.exports import french_decimal

    for row in payment_rows(contract):
        yield [
            french_decimal(value) if is_money else value
            for value, is_money in zip(row, PAYMENT_MONEY, strict=True)
        ]


def _history_entries(contract) -> list[Entry]:
    return [
        Entry(
            path=f"{HISTORY}/versions-des-fiches.csv",
            description=_("Historique des versions des fiches actions."),
            origin="export",
            pieces=lambda: tables.fiche_versions(contract),
        ),
        Entry(
            path=f"{HISTORY}/versions-des-lignes-budgetaires.csv",
            description=_(
                "Historique des versions des lignes budgétaires (y compris les lignes supprimées)."
            ),
            origin="export",
            pieces=lambda: tables.budget_line_versions(contract),
        ),
        Entry(
            path=f"{HISTORY}/versions-des-indicateurs.csv",
            description=_("Historique des versions des indicateurs (cibles et définitions)."),
            origin="export",
            pieces=lambda: tables.indicator_versions(contract),
        ),
        Entry(
            path=f"{HISTORY}/versions-des-bilans-et-de-l-evaluation.csv",
            description=_("Historique des versions des bilans annuels et de l'évaluation finale."),
            origin="export",
            pieces=lambda: tables.review_versions(contract),
        ),
    ]


def _log_entries(contract) -> list[Entry]:
    return [
        Entry(
            path=f"{LOGS}/journal-des-signatures.csv",
            description=_(
                "Les signatures du contrat et de ses avenants : qui, quand, où, saisies par qui."
            ),
            origin="export",
            pieces=lambda: journals.signatures(contract),
        ),
        Entry(
            path=f"{LOGS}/journal-des-decisions.csv",
            description=_(
                "Les délibérations des partenaires et les avis de la CDAJE (fiches, avenants, "
                "bilans, évaluation)."
            ),
            origin="export",
            pieces=lambda: journals.decisions(contract),
        ),
        Entry(
            path=f"{LOGS}/journal-des-telechargements-de-documents.csv",
            description=_(
                "Chaque téléchargement d'un document du contrat, refus compris (empreinte "
                "différente, fichier introuvable)."
            ),
            origin="export",
            pieces=lambda: journals.document_downloads(contract),
        ),
        Entry(
            path=f"{LOGS}/journal-des-dossiers-de-controle.csv",
            description=_(
                "Chaque dossier de contrôle produit avant celui-ci : par qui, quand, l'empreinte "
                "de son manifeste et sa taille."
            ),
            origin="export",
            pieces=lambda: journals.dossier_downloads(contract),
        ),
    ]


def readme_text(dossier, entries: list[Entry]) -> str:
    contract = dossier.contract
    produced = timezone.localtime(dossier.produced_at)
    from dossier.build import MANIFEST, MANIFEST_TEXT, application_version

    lines = [
        _("DOSSIER DE CONTRÔLE — %(title)s") % {"title": contract.title},
        "",
        _("Contrat : %(title)s (identifiant %(slug)s), %(start)s–%(end)s.")
        % {
            "title": contract.title,
            "slug": contract.slug,
            "start": contract.start_year,
            "end": contract.end_year,
        },
        _(
            "Produit le %(date)s à %(time)s par %(person)s, avec l'application CEJ Loire version "
            "%(version)s."
        )
        % {
            "date": produced.strftime("%d/%m/%Y"),
            "time": produced.strftime("%H:%M:%S"),
            "person": dossier.producer["name"],
            "version": application_version(),
        },
        "",
        _("CE QUE CONTIENT LE DOSSIER"),
        "",
        _(
            "Tout ce que l'application conserve sur ce contrat : les actes scellés, les "
            "documents déposés, la version consolidée, le budget et les versements, "
            "l'historique de chaque modification et les journaux. Les tables (CSV) s'ouvrent "
            "dans un tableur ; les dates sont au format ISO (AAAA-MM-JJ), les montants en "
            "euros avec une virgule décimale."
        ),
        "",
    ]
    for folder, text in FOLDERS.items():
        lines += [f"{folder}/", f"  {text}"]
        for entry in entries:
            if entry.path.startswith(folder + "/"):
                lines.append(f"  - {entry.path.split('/', 1)[1]} : {entry.description}")
        if not any(entry.path.startswith(folder + "/") for entry in entries):
            lines.append("  " + _("(aucun fichier pour ce contrat)"))
        lines.append("")
    lines += [
        _("COMMENT LE VÉRIFIER"),
        "",
        _(
            "%(manifest)s liste chaque fichier du dossier (sauf lui-même et %(text)s) avec son "
            "empreinte SHA-256, sa taille, sa date de production, la personne qui l'a produit et "
            "la version de l'application ; %(text)s en est la version lisible. Toute "
            "modification d'un fichier, même d'un octet, change son empreinte. L'empreinte de "
            "%(manifest)s est enregistrée dans l'application avec ce téléchargement."
        )
        % {"manifest": MANIFEST, "text": MANIFEST_TEXT},
        "",
        _(
            "Avec l'application : « python manage.py verify_dossier <fichier.zip> » vérifie le "
            "manifeste (fichier manquant, en trop ou modifié) et le sceau électronique de chaque "
            "acte scellé, et rend un rapport en français. Sans elle : « sha256sum » (Linux), "
            "« shasum -a 256 » (macOS) ou « certutil -hashfile <fichier> SHA256 » (Windows) "
            "donnent l'empreinte de chaque fichier ; un lecteur PDF montre le sceau des actes."
        ),
        "",
    ]
    return "\r\n".join(lines)
