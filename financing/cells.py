"""The parts an uploaded table is read with: its limits and errors, and one cell read as
text, a whole number or an amount — or refused with a French message saying why
(`CellError`; the caller adds the row and the column). Amounts go through the one parser
of the house, `cej.money.parse_amount`."""

import math
import re
from decimal import Decimal

from django.utils.translation import gettext as _

from cej.html import UNPRINTABLE, first_unprintable
from cej.money import AmountError, checked_amount, parse_amount
from financing.resources import unescape_formula

# Longest text shown back in a message: the cell may hold a whole book.
SHOWN_LENGTH = 60
# The most rows (below the header) and columns a table is read to: a budget has far fewer.
MAX_ROWS = 100_000
MAX_COLUMNS = 200
# The sheet an import reads when a workbook has several: the one the export writes.
PREFERRED_SHEET = "Lignes budgétaires"


class SpreadsheetError(Exception):
    """The file cannot be read as a table; the message says why, in French."""


class BlankRows(int):
    """So many empty rows in a row (an ODS repeats them by the million): skipped at once."""


def grouped(number: int) -> str:
    """`1048576` → `1 048 576` (narrow no-break spaces)."""
    return f"{number:,}".replace(",", "\u202f")


def shown(value) -> str:
    """A cell's text as a message quotes it: at most SHOWN_LENGTH characters, an invisible
    control character as « � »."""
    text = UNPRINTABLE.sub("\ufffd", str(value)).strip()
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class CellError(ValueError):
    pass


def clean_text(value) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    # PostgreSQL refuses NUL outright, and no export could write the others back.
    if (char := first_unprintable(text)) is not None:
        raise CellError(
            _(
                "le texte contient un caractère invisible interdit (U+%(code)04X), "
                "qu'aucun classeur ne peut porter : retirez-le."
            )
            % {"code": ord(char)}
        )
    return unescape_formula(text.strip())


def _not_an_integer(value) -> CellError:
    return CellError(_("« %(value)s » n'est pas un nombre entier.") % {"value": shown(value)})


def clean_int(value) -> int | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise _not_an_integer(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        finite = math.isfinite(value) if isinstance(value, float) else value.is_finite()
        if finite and value == int(value):
            return int(value)
        raise _not_an_integer(value)
    text = re.sub(r"\s", "", str(value))
    if re.fullmatch(r"[0-9]{1,9}([.,]0+)?", text):
        return int(re.split(r"[.,]", text)[0])
    raise _not_an_integer(value)


def clean_money(value, *, decimal_comma: bool | None = None) -> Decimal | None:
    """A cell's amount, rounded to the cent: text is read by `cej.money.parse_amount`, as the
    budget forms read it (`decimal_comma=False`, a comma-separated CSV, makes commas group
    digits); a number is checked the same way. What rounds to zero is zero (`-0`, `-0,00`,
    `-0,001`), never « -0,00 »."""
    if is_blank(value):
        return None
    try:
        if isinstance(value, bool):
            raise AmountError(
                _("« %(value)s » n'est pas un montant.") % {"value": shown(value)}, "invalid"
            )
        if isinstance(value, int | float | Decimal):
            # A float has already lost the cent: read its shortest repr, as round_money does.
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            return checked_amount(number, typed=shown(value))
        return parse_amount(str(value), decimal_comma=decimal_comma)
    except AmountError as exc:
        raise CellError(str(exc)) from exc


YES_NO = {"oui": True, "non": False}


def clean_yes_no(value) -> bool | None:
    """« oui » or « non » (any case), or a spreadsheet's own TRUE/FALSE; None when blank."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    answer = YES_NO.get(clean_text(value).casefold())
    if answer is None:
        raise CellError(
            _("« %(value)s » n'est pas une réponse possible : écrivez oui ou non.")
            % {"value": shown(value)}
        )
    return answer
