"""Money: `Decimal` end to end, rounded and formatted here and nowhere else."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
