"""One reading of a typed amount (`cej.money.parse_amount`) for the budget forms and the
budget import: whatever is typed, the form's money field and the import's cell reader both
accept it as the same amount, or both refuse it with the same message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.text import capfirst

from financing.cells import CellError, clean_money
from financing.forms import MoneyField

D = Decimal
MAX = "9\u202f999\u202f999\u202f999,99\u00a0€"

# What the import accepted before the form and the import shared their parser, and still
# accepts: the form now agrees.
ACCEPTED = [
    ("45 000,00 €", D("45000.00")),
    ("45\u202f000,5", D("45000.50")),
    ("45\u00a0000,50\u00a0€", D("45000.50")),
    ("\t45000.50\n", D("45000.50")),
    ("45.000,50", D("45000.50")),
    ("45,000.50", D("45000.50")),
    ("12", D("12.00")),
    ("45000.005", D("45000.01")),  # rounded half up to the cent, as the import always did
    ("12,345", D("12.35")),
    ("0,001", D("0.00")),
    ("-0", D("0.00")),
    ("-0,00", D("0.00")),
    ("(0)", D("0.00")),
    ("9 999 999 999,99", D("9999999999.99")),
    ("9 999 999 999,994", D("9999999999.99")),
]
REFUSED = [
    ("١٢٣", "« ١٢٣ » n'est pas un montant : écrivez-le avec les chiffres de 0 à 9."),
    ("１２３", "« １２３ » n'est pas un montant : écrivez-le avec les chiffres de 0 à 9."),
    (
        "1_000",
        "« 1_000 » n'est pas un montant : séparez les milliers par une espace, pas par « _ ».",
    ),
    (
        "1e3",
        "« 1e3 » n'est pas un montant : la notation scientifique n'est pas acceptée, écrivez "
        "le montant en chiffres.",
    ),
    (
        "1E+400",
        "« 1E+400 » n'est pas un montant : la notation scientifique n'est pas acceptée, "
        "écrivez le montant en chiffres.",
    ),
    ("NaN", "« NaN » n'est pas un montant."),
    ("Infinity", "« Infinity » n'est pas un montant."),
    ("-Infinity", "« -Infinity » n'est pas un montant."),
    ("+5", "« +5 » n'est pas un montant."),
    (".5", "« .5 » n'est pas un montant."),
    ("0x10", "« 0x10 » n'est pas un montant."),
    ("€", "« € » n'est pas un montant."),
    ("trente mille", "« trente mille » n'est pas un montant."),
    ("-1", "Le montant « -1 » est négatif : un montant est positif ou nul."),
    ("(12,50)", "Le montant « (12,50) » est négatif : un montant est positif ou nul."),
    ("\u22121 000", "Le montant « \u22121 000 » est négatif : un montant est positif ou nul."),
    ("10000000000", f"Le montant « 10000000000 » dépasse le maximum de {MAX}."),
    ("9 999 999 999,995", f"Le montant « 9 999 999 999,995 » dépasse le maximum de {MAX}."),
]


def form_verdict(text):
    """What the budget-line form's amount field makes of `text`: an amount, or its errors."""
    try:
        return MoneyField().clean(text)
    except ValidationError as exc:
        return exc.messages


def import_verdict(text):
    """What the import makes of a cell holding `text`: an amount, or its error (which the
    import shows after « Ligne N, colonne X : »)."""
    try:
        return clean_money(text)
    except CellError as exc:
        return [capfirst(str(exc))]


@pytest.mark.parametrize(
    ("text", "verdict"),
    ACCEPTED + [(text, [message]) for text, message in REFUSED],
)
def test_the_form_and_the_import_read_an_amount_alike(text, verdict):
    assert form_verdict(text) == import_verdict(text) == verdict


def test_a_blank_amount_is_no_amount_for_both():
    assert clean_money("  ") is None
    assert MoneyField(required=False).clean("  ") is None
    with pytest.raises(ValidationError):
        MoneyField().clean("  ")
