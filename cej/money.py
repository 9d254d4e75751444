"""Money: `Decimal` end to end, rounded, formatted and read from typed text here and nowhere
else."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from cej.html import UNPRINTABLE

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# French typography: a narrow no-break space groups thousands, a no-break space precedes
# the currency sign, so "198 000,00 €" never breaks across lines (pages and PDFs alike).
THOUSANDS_SEPARATOR = "\u202f"
CURRENCY_SEPARATOR = "\u00a0"


def round_money(value) -> Decimal:
    """Round to the cent, half up, as French public accounting does."""
    if isinstance(value, float):
        # A float has already lost the cent; go through its shortest repr, not its binary value.
        value = repr(value)
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"Montant invalide : {value!r}") from exc


def format_number(value, *, decimals: int = 2) -> str:
    """`198000` → `198 000,00` (French grouping and decimal comma)."""
    amount = round_money(value) if decimals == 2 else Decimal(value)
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.{decimals}f}"
    integer, _, fraction = text.partition(".")
    integer = integer.replace(",", THOUSANDS_SEPARATOR)
    return f"{sign}{integer},{fraction}" if fraction else f"{sign}{integer}"


def format_eur(value) -> str:
    """`Decimal("198000")` → `198 000,00 €`; an empty value shows as an en dash."""
    if value is None or value == "":
        return "–"
    return f"{format_number(value)}{CURRENCY_SEPARATOR}€"


def format_percent(part, whole) -> str:
    """Share of `part` in `whole` as `81,3 %`; an empty whole has no share."""
    if not whole:
        return "–"
    ratio = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{str(ratio).replace('.', ',')}{CURRENCY_SEPARATOR}%"


# Reading a typed amount ---------------------------------------------------------------

MAX_AMOUNT = Decimal("9999999999.99")  # DecimalField(max_digits=12, decimal_places=2)
HALF_CENT = Decimal("0.005")
# Longest typed text a message quotes back: a spreadsheet cell may hold a whole book.
SHOWN_LENGTH = 60
_IGNORED = re.compile(r"[\s\u00a0\u202f€]")  # every kind of space groups thousands
_PLAIN_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")  # ASCII digits: what Decimal reads is wider
_EXPONENT = re.compile(r"[0-9.][eE][+-]?[0-9]")


class AmountError(ValueError):
    """Why a typed text is no amount: a French sentence that reads alone (a form field's
    error, capitalised) or after « Ligne 5, colonne « Prévu (€) » : » (an import's).
    `code` is "invalid", "negative" or "too_large"."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def parse_amount(text: str, *, decimal_comma: bool | None = None) -> Decimal:
    """The one reading of a typed amount, for the budget forms and the budget import alike:
    « 45 000,50 € », « 45000.50 », « 45.000,50 », « 45,000.50 ». Spaces of every kind (and
    the euro sign) are dropped; of `,` and `.`, the last one is the decimal mark and the
    other groups thousands — `decimal_comma=False` (a comma-separated CSV) makes every comma
    group thousands. More than two decimals are rounded half up to the cent (a spreadsheet's
    thirds), and what rounds to zero is zero (« -0 », « (0) », « -0,001 »). Refused, with
    the reason: a negative amount (« -5 », « (5) », « −5 »), one above MAX_AMOUNT, and what
    is no plain decimal number — digits other than 0 to 9, « 1_000 », « 1e3 », « NaN »,
    which `Decimal` alone would read."""
    quoted = _shown(text)
    compact = _IGNORED.sub("", text).replace("\u2212", "-")
    negative = False
    if compact.startswith("-"):
        negative, compact = True, compact[1:]
    elif compact.startswith("(") and compact.endswith(")"):
        negative, compact = True, compact[1:-1]
    if "," in compact and "." in compact:
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    elif decimal_comma is False:
        compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(compact):
        raise AmountError(_why_not_a_number(compact) % {"value": quoted}, "invalid")
    return checked_amount(Decimal(compact), typed=quoted, negative=negative)


def checked_amount(number: Decimal, *, typed: str, negative: bool = False) -> Decimal:
    """`number` rounded to the cent, if it is an amount; `typed` is how the message quotes
    it, `negative` whether its text carried a minus sign before it was read."""
    if not number.is_finite():
        raise AmountError(_("« %(value)s » n'est pas un montant.") % {"value": typed}, "invalid")
    # Compared before rounding: 10^30 cannot be rounded to the cent (too many digits).
    magnitude = abs(number)
    if magnitude < HALF_CENT:
        return ZERO
    if negative or number < 0:
        raise AmountError(
            _("le montant « %(value)s » est négatif : un montant est positif ou nul.")
            % {"value": typed},
            "negative",
        )
    if magnitude >= MAX_AMOUNT + HALF_CENT:
        raise AmountError(
            _("le montant « %(value)s » dépasse le maximum de %(max)s.")
            % {"value": typed, "max": format_eur(MAX_AMOUNT)},
            "too_large",
        )
    return round_money(magnitude)


def _why_not_a_number(compact: str) -> str:
    """The message for a text that is no plain decimal number, saying why when it can."""
    if any(char.isdigit() and not char.isascii() for char in compact):
        return _("« %(value)s » n'est pas un montant : écrivez-le avec les chiffres de 0 à 9.")
    if "_" in compact:
        return _(
            "« %(value)s » n'est pas un montant : séparez les milliers par une espace, pas "
            "par « _ »."
        )
    if _EXPONENT.search(compact):
        return _(
            "« %(value)s » n'est pas un montant : la notation scientifique n'est pas acceptée, "
            "écrivez le montant en chiffres."
        )
    return _("« %(value)s » n'est pas un montant.")


def _shown(text: str) -> str:
    """The typed text as a message quotes it (as `financing.cells.shown` does a
    cell's): at most SHOWN_LENGTH characters, an invisible control character as « � »."""
    text = UNPRINTABLE.sub("\ufffd", text).strip()
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"
