"""The needs and supply figures read from a CSV file: one row per area of the territory,
a column per kind of care. Every problem is said in French with its row (as the
spreadsheet numbers it, the header being row 1) and its column; nothing is saved unless
the whole file is right. Reading the file itself (type judged by content, encoding,
separator, size) is `financing.spreadsheets`.

Expected header (in any order; case, accents and spaces do not matter):
« Zone ; Enfants de moins de 3 ans ; Demandes non satisfaites » and one column per kind of
care, named by its label or its code (`reviews.models.CareType`); the unmet requests and
the kinds of care with no place in the territory may be left out."""

import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from financing.cells import CellError, clean_int, clean_text, is_blank, shown
from financing.spreadsheets import SpreadsheetError, read_table
from reviews.models import CareType, NeedsArea
from reviews.selectors import SHORT_LABELS
from reviews.services import AreaFigures

NAME_MAX = NeedsArea._meta.get_field("name").max_length
MAX_AREAS = 200

AREA, CHILDREN, UNMET = "zone", "children", "unmet"
COLUMN_LABELS = {
    AREA: gettext_lazy("Zone"),
    CHILDREN: gettext_lazy("Enfants de moins de 3 ans"),
    UNMET: gettext_lazy("Demandes non satisfaites"),
}


class NeedsImportError(Exception):
    """The file is refused; `errors` lists every problem found, in French."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _key(text) -> str:
    text = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _aliases() -> dict[str, str]:
    aliases = {
        "zone": AREA,
        "territoire": AREA,
        "enfantsdemoinsde3ans": CHILDREN,
        "enfantsmoinsde3ans": CHILDREN,
        "enfantsde0a3ans": CHILDREN,
        "children": CHILDREN,
        "demandesnonsatisfaites": UNMET,
        "unmet": UNMET,
    }
    for value, label in CareType.choices:
        aliases[_key(value)] = value
        aliases[_key(label)] = value
        aliases[_key(str(SHORT_LABELS[value]))] = value
    return aliases


def template_csv() -> str:
    """A file to start from: the header, one example row (« ; »-separated, UTF-8)."""
    header = [str(COLUMN_LABELS[c]) for c in (AREA, CHILDREN, UNMET)]
    header += [str(SHORT_LABELS[value]) for value in CareType.values]
    example = ["Roannais", "3200", "45", "620", "90", "40", "1450", "30", "60"]
    return ";".join(header) + "\r\n" + ";".join(example) + "\r\n"


def read_needs_csv(data: bytes, filename: str) -> list[AreaFigures]:
    """The areas of the file, or NeedsImportError with every problem found."""
    if not (filename or "").lower().endswith(".csv"):
        raise NeedsImportError(
            [
                _("Le fichier « %(name)s » n'est pas un fichier CSV (.csv).")
                % {"name": shown(filename)}
            ]
        )
    try:
        table = read_table(data, filename)
    except SpreadsheetError as exc:
        raise NeedsImportError([str(exc)]) from None
    aliases = _aliases()
    columns: dict[str, int] = {}
    errors: list[str] = []
    for index, header in enumerate(table.headers):
        if is_blank(header):
            continue
        target = aliases.get(_key(header))
        if target is None:
            errors.append(
                _(
                    "Ligne 1, colonne « %(header)s » : en-tête inconnu. Colonnes attendues : "
                    "%(expected)s."
                )
                % {"header": shown(header), "expected": _expected()}
            )
        elif target in columns:
            errors.append(
                _("Ligne 1, colonne « %(header)s » : cette colonne figure deux fois.")
                % {"header": shown(header)}
            )
        else:
            columns[target] = index
    for required in (AREA, CHILDREN):
        if required not in columns:
            errors.append(
                _("Ligne 1 : la colonne « %(column)s » manque.")
                % {"column": COLUMN_LABELS[required]}
            )
    if not any(value in columns for value in CareType.values):
        errors.append(
            _("Ligne 1 : aucune colonne de places d'accueil (%(expected)s).")
            % {"expected": ", ".join(f"« {label} »" for label in SHORT_LABELS.values())}
        )
    if errors:
        raise NeedsImportError(errors)
    if not table.rows:
        raise NeedsImportError([_("Le fichier ne contient aucune zone sous la ligne d'en-tête.")])
    if len(table.rows) > MAX_AREAS:
        raise NeedsImportError(
            [
                _("Le fichier compte plus de %(max)s zones : est-ce bien l'état des besoins ?")
                % {"max": MAX_AREAS}
            ]
        )
    headers = {target: str(table.headers[index]).strip() for target, index in columns.items()}
    areas, seen = [], {}
    for number, cells in table.rows:
        if len(cells) > len(table.headers):
            errors.append(
                _("Ligne %(row)s : des valeurs dépassent la dernière colonne de l'en-tête.")
                % {"row": number}
            )
            continue

        def cell(target, _cells=cells):
            index = columns.get(target)
            return _cells[index] if index is not None and index < len(_cells) else None

        def where(target, _number=number):
            return _("Ligne %(row)s, colonne « %(column)s »") % {
                "row": _number,
                "column": headers[target],
            }

        try:
            name = clean_text(cell(AREA))
        except CellError as exc:
            errors.append(f"{where(AREA)} : {exc}")
            continue
        if not name:
            errors.append(f"{where(AREA)} : " + _("le nom de la zone manque."))
            continue
        if len(name) > NAME_MAX:
            errors.append(
                f"{where(AREA)} : "
                + _("le nom de la zone dépasse %(max)s caractères.") % {"max": NAME_MAX}
            )
            continue
        if name.casefold() in seen:
            errors.append(
                f"{where(AREA)} : "
                + _("la zone « %(name)s » figure déjà ligne %(first)s.")
                % {"name": shown(name), "first": seen[name.casefold()]}
            )
            continue
        seen[name.casefold()] = number
        figures = AreaFigures(name=name, children_under_3=0)
        ok = True
        for target in (CHILDREN, UNMET, *CareType.values):
            if target not in columns:
                continue
            raw = cell(target)
            try:
                value = _count(raw)
            except CellError:
                errors.append(
                    f"{where(target)} : "
                    + _("« %(value)s » n'est pas un nombre entier.") % {"value": shown(raw)}
                )
                ok = False
                continue
            if value is not None and value < 0:
                errors.append(
                    f"{where(target)} : "
                    + _("« %(value)s » est négatif : un effectif est positif ou nul.")
                    % {"value": shown(raw)}
                )
                ok = False
                continue
            if value is not None and value > 10_000_000:
                errors.append(
                    f"{where(target)} : "
                    + _("« %(value)s » est hors de proportion pour une zone.")
                    % {"value": shown(raw)}
                )
                ok = False
                continue
            if target == CHILDREN:
                if value is None:
                    errors.append(
                        f"{where(target)} : " + _("le nombre d'enfants de moins de 3 ans manque.")
                    )
                    ok = False
                else:
                    figures.children_under_3 = value
            elif target == UNMET:
                figures.unmet_requests = value
            elif value:
                figures.places[target] = value
        if ok:
            areas.append(figures)
    if errors:
        raise NeedsImportError(errors)
    return areas


def _count(raw) -> int | None:
    """The cell's whole number, negative ones included (refused next, with their own
    message): `clean_int` reads only what a count can be."""
    text = str(raw).strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and text[:1] in ("-", "\u2212"):
        number = clean_int(text[1:])
        return -number if number is not None else None
    return clean_int(raw)


def _expected() -> str:
    names = [str(COLUMN_LABELS[c]) for c in (AREA, CHILDREN, UNMET)]
    names += [str(label) for label in SHORT_LABELS.values()]
    return ", ".join(f"« {name} »" for name in names)
