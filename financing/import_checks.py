"""Checks of an imported budget file against the contract's budget, row by row: each cell
(and none beyond the header's last column), the model's own rules (period, annex convention
years, fiche), duplicates, other receipts within the planned amount, « action antérieure »
answered oui or non, lines not planned below their commitments, and each year's envelope
once the whole file is read. Each valid row gets the parties' forecast shares the contract's
terms give it (`financing.services.forecast_shares`), for the preview to show.
Every problem is an `Issue` naming the row as the sheet shows it (header = row 1) and the
column. The header row is matched by `financing.import_headers`. Used by
`financing.imports`."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl.utils import get_column_letter

from cej.money import format_eur
from fiches.models import Fiche
from financing.cells import (
    CellError,
    clean_int,
    clean_money,
    clean_text,
    clean_yes_no,
    is_blank,
    shown,
)
from financing.models import BudgetLine, BudgetPost, Contribution
from financing.resources import contract_funders
from financing.services import forecast_shares
from financing.terms import contract_terms

LABEL_MAX_LENGTH = BudgetLine._meta.get_field("label").max_length
STATUS_LABELS = {"new": "nouvelle", "changed": "modifiée", "unchanged": "inchangée"}
# Where the model's own validation messages point, as columns of the sheet.
MODEL_FIELD_COLUMNS = {
    "year": "year",
    "annex_convention": "year",
    "fiche": "fiche_number",
    "post": "post_code",
    "amount": "amount",
    "other_receipts": "other_receipts",
}


@dataclass
class Issue:
    """Why the import is refused: a French message, where in the file it comes from."""

    message: str
    rows: tuple[int, ...] = ()
    columns: tuple[str, ...] = ()  # by their header
    letters: tuple[str, ...] = ()  # columns without a header, by their letter

    def __str__(self):
        where = []
        if self.rows:
            where.append(
                ngettext("Ligne %(rows)s", "Lignes %(rows)s", len(self.rows))
                % {"rows": _enumerate([str(r) for r in self.rows], limit=10)}
            )
        if self.columns:
            where.append(
                ngettext("colonne %(names)s", "colonnes %(names)s", len(self.columns))
                % {"names": ", ".join(f"« {c} »" for c in self.columns)}
            )
        if self.letters:
            where.append(
                ngettext("colonne %(names)s", "colonnes %(names)s", len(self.letters))
                % {"names": _enumerate(list(self.letters), limit=10)}
            )
        if not where:
            return self.message
        place = ", ".join(where)
        return f"{place[0].upper()}{place[1:]} : {self.message}"


def _enumerate(items: list[str], *, limit: int) -> str:
    """`3`, `3 et 4`, `3, 4 et 7`, `3, 4, 5, … (12 en tout)`."""
    if len(items) > limit:
        return _("%(first)s, … (%(count)s en tout)") % {
            "first": ", ".join(items[:limit]),
            "count": len(items),
        }
    if len(items) == 1:
        return items[0]
    return _("%(first)s et %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


@dataclass
class Change:
    """One column of a line as stored (`old`) and as the file has it (`new`), formatted."""

    column: str
    old: str
    new: str


@dataclass
class ImportRow:
    """A valid row of the file, read into the domain: « nouvelle » (no line of its key yet),
    « modifiée » or « inchangée » (compared with `line`)."""

    number: int
    year: int
    post: BudgetPost
    fiche: Fiche | None
    label: str
    amount: Decimal
    other_receipts: Decimal
    continued: bool
    # The forecast shares the contract's terms give the row: partner pk → amount (each
    # funder's PSEJ, the beneficiary's own share). Computed, never read from the file.
    shares: dict[int, Decimal]
    line: BudgetLine | None = None
    status: str = "new"
    # Old → new per column for a changed line (with the shares it moves); for a new line,
    # its forecast figures (no old).
    changes: list[Change] = field(default_factory=list)

    @property
    def key(self) -> tuple:
        return (self.year, self.post.pk, self.fiche.pk if self.fiche else None)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class BudgetSnapshot:
    """A contract's postes, fiches, funders, funding terms and lines, read once (nine
    queries)."""

    def __init__(self, contract):
        prefetch_related_objects([contract], "annex_conventions")
        self.contract = contract
        self.posts = {post.code: post for post in BudgetPost.objects.all()}
        self.fiches = {f.number: f for f in Fiche.objects.filter(contract=contract)}
        self.funders = contract_funders(contract)
        self.terms = contract_terms(contract.pk)
        lines = (
            BudgetLine.objects.filter(contract=contract)
            .select_related("post", "fiche")
            .with_execution()
        )
        self.lines = {(line.year, line.post_id, line.fiche_id): line for line in lines}
        self.contributions: dict[int, dict[int, Decimal]] = {}
        for line_id, partner_id, amount in Contribution.objects.filter(
            line__contract=contract
        ).values_list("line_id", "partner_id", "amount"):
            self.contributions.setdefault(line_id, {})[partner_id] = amount
        for line in self.lines.values():
            line.contract = contract  # validation reads the contract's prefetched conventions

    def contributions_of(self, line) -> dict[int, Decimal]:
        return self.contributions.get(line.pk, {})


class RowReader:
    def __init__(self, budget, resource, columns, plan, decimal_comma, *, width):
        self.budget = budget
        self.plan = plan
        self.columns = columns
        self.width = width  # the header row's, in columns
        self.decimal_comma = decimal_comma
        self.headers = {name: col.column_name for name, col in resource.named_columns()}
        self.seen: dict[tuple, int] = {}
        self.unreadable_years: set = set()

    def _issue(self, number, name, message):
        self.plan.errors.append(Issue(message, rows=(number,), columns=(self.headers[name],)))

    def _cell(self, cells, name):
        index = self.columns[name]
        return cells[index] if index < len(cells) else None

    def _clean(self, number, cells, name, cleaner, **kwargs):
        try:
            return cleaner(self._cell(cells, name), **kwargs), True
        except CellError as exc:
            self._issue(number, name, str(exc))
            return None, False

    def _extra_cells(self, number, cells) -> bool:
        """Refuse what was typed beyond the header's last column: no column reads it, and
        dropping it silently would let the user believe it was imported."""
        extra = [
            (index, value)
            for index, value in enumerate(cells[self.width :], start=self.width)
            if not is_blank(value)
        ]
        if not extra:
            return False
        values = ", ".join(f"« {shown(value)} »" for _index, value in extra[:3])
        if len(extra) > 3:
            values += ", …"
        self.plan.errors.append(
            Issue(
                ngettext(
                    "cellule en trop (%(values)s) — la ligne d'en-tête a %(width)s colonnes "
                    "(A à %(last)s) : videz cette cellule, ou donnez un en-tête à sa colonne.",
                    "cellules en trop (%(values)s) — la ligne d'en-tête a %(width)s colonnes "
                    "(A à %(last)s) : videz ces cellules, ou donnez un en-tête à leur colonne.",
                    len(extra),
                )
                % {
                    "values": values,
                    "width": self.width,
                    "last": get_column_letter(self.width),
                },
                rows=(number,),
                letters=tuple(get_column_letter(index + 1) for index, _value in extra),
            )
        )
        return True

    def read(self, number, cells) -> ImportRow | None:
        errors_before = len(self.plan.errors)
        if self._extra_cells(number, cells) and all(is_blank(c) for c in cells[: self.width]):
            return None  # nothing but the extra cells: no other message to give
        year, year_ok = self._clean(number, cells, "year", clean_int)
        if year is None and year_ok:
            self._issue(number, "year", _("l'année est obligatoire."))
        code, code_ok = self._clean(number, cells, "post_code", clean_text)
        post = self.budget.posts.get(code)
        if not code and code_ok:
            self._issue(number, "post_code", _("le code poste est obligatoire."))
        elif post is None and code_ok:
            self._issue(
                number,
                "post_code",
                _("poste « %(code)s » inconnu : les codes possibles sont %(codes)s.")
                % {"code": shown(code), "codes": ", ".join(sorted(self.budget.posts))},
            )
        fiche_number, fiche_ok = self._clean(number, cells, "fiche_number", clean_int)
        fiche = None
        if fiche_number is not None:
            fiche = self.budget.fiches.get(fiche_number)
            if fiche is None:
                fiche_ok = False
                self._issue(
                    number,
                    "fiche_number",
                    _("la fiche n° %(number)s n'existe pas dans ce contrat.")
                    % {"number": fiche_number},
                )
        label, _label_ok = self._clean(number, cells, "label", clean_text)
        label = label or ""
        if len(label) > LABEL_MAX_LENGTH:
            self._issue(
                number,
                "label",
                _("le libellé compte %(length)s caractères, %(max)s au plus.")
                % {"length": len(label), "max": LABEL_MAX_LENGTH},
            )
        amount, amount_ok = self._clean(
            number, cells, "amount", clean_money, decimal_comma=self.decimal_comma
        )
        if amount is None and amount_ok:
            amount_ok = False
            self._issue(number, "amount", _("le montant prévu est obligatoire."))
        receipts, receipts_ok = self._clean(
            number, cells, "other_receipts", clean_money, decimal_comma=self.decimal_comma
        )
        receipts = Decimal("0.00") if receipts is None else receipts  # blank: none
        if receipts_ok and amount_ok and receipts > amount:
            self._issue(
                number,
                "other_receipts",
                _(
                    "les autres recettes prévues (%(receipts)s) dépassent le prévu (%(amount)s) "
                    ": le reste à charge serait négatif."
                )
                % {"receipts": format_eur(receipts), "amount": format_eur(amount)},
            )
        continued, continued_ok = self._clean(number, cells, "continued", clean_yes_no)
        if continued is None and continued_ok:
            self._issue(
                number, "continued", _("l'action antérieure est obligatoire : écrivez oui ou non.")
            )

        line = None
        if year is not None and post is not None and fiche_ok:
            line = BudgetLine(contract=self.budget.contract, year=year, post=post, fiche=fiche)
            try:
                line.clean()  # the model's own messages: period, convention years
            except ValidationError as exc:
                for model_field, messages in exc.message_dict.items():
                    for message in messages:
                        self._issue(number, MODEL_FIELD_COLUMNS.get(model_field, "year"), message)
            key = (year, post.pk, fiche.pk if fiche else None)
            if key in self.seen:
                self.plan.errors.append(
                    Issue(
                        _(
                            "cette ligne budgétaire (%(year)s, poste « %(post)s », %(fiche)s) "
                            "figure déjà à la ligne %(first)s du fichier."
                        )
                        % {
                            "year": year,
                            "post": post.code,
                            "fiche": (
                                _("fiche n° %(number)s") % {"number": fiche.number}
                                if fiche
                                else _("sans fiche")
                            ),
                            "first": self.seen[key],
                        },
                        rows=(number,),
                        columns=tuple(
                            self.headers[n] for n in ("year", "post_code", "fiche_number")
                        ),
                    )
                )
            else:
                self.seen[key] = number
            existing = self.budget.lines.get(key)
            if existing is not None and amount_ok and amount < existing.committed:
                self._issue(
                    number,
                    "amount",
                    _(
                        "Le prévu (%(amount)s) serait inférieur aux engagements déjà saisis "
                        "(%(committed)s) : écart de %(gap)s."
                    )
                    % {
                        "amount": format_eur(amount),
                        "committed": format_eur(existing.committed),
                        "gap": format_eur(existing.committed - amount),
                    },
                )
        shares = {}
        if line is not None and len(self.plan.errors) == errors_before:
            # `line.clean()` above chose the annex convention: the shares follow its terms.
            line.amount, line.other_receipts, line.continued = amount, receipts, continued
            try:
                shares = forecast_shares(line, self.budget.terms)
            except ValidationError as exc:  # a contract without a beneficiary
                for message in exc.messages:
                    self._issue(number, "amount", message)
        if len(self.plan.errors) > errors_before:
            # This row's amount cannot be counted in its year's total (nor, if its year is
            # unknown, in any): the envelope check skips them, the row already blocks.
            self.unreadable_years.add(year)
            return None
        return ImportRow(
            number=number,
            year=year,
            post=post,
            fiche=fiche,
            label=label,
            amount=amount,
            other_receipts=receipts,
            continued=continued,
            shares=shares,
        )


def check_envelopes(plan, budget, resource, unreadable_years):
    """Each year's planned total after the import — the file's rows plus the lines it
    leaves untouched — stays within the annual envelope. Years with an unreadable row are
    skipped: their total is unknown, and that row already blocks the import."""
    contract = budget.contract
    envelope = contract.annual_envelope
    amount_header = resource.fields["amount"].column_name
    in_file: dict[int, list[ImportRow]] = {}
    for row in plan.rows:
        in_file.setdefault(row.year, []).append(row)
    keys = {row.key for row in plan.rows}
    for year, rows in sorted(in_file.items()):
        if year in unreadable_years or None in unreadable_years:
            continue
        kept = sum(
            (
                line.amount
                for key, line in budget.lines.items()
                if key[0] == year and key not in keys
            ),
            Decimal("0.00"),
        )
        total = kept + sum((row.amount for row in rows), Decimal("0.00"))
        if total > envelope:
            plan.errors.append(
                Issue(
                    _(
                        "l'enveloppe %(year)s serait dépassée de %(excess)s : %(total)s prévus "
                        "(dont %(kept)s sur des lignes absentes du fichier, qui restent "
                        "inchangées) pour une enveloppe annuelle de %(envelope)s."
                    )
                    % {
                        "year": year,
                        "excess": format_eur(total - envelope),
                        "total": format_eur(total),
                        "kept": format_eur(kept),
                        "envelope": format_eur(envelope),
                    },
                    rows=tuple(row.number for row in rows),
                    columns=(amount_header,),
                )
            )
