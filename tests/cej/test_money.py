from decimal import Decimal

import pytest

from cej.money import (
    MAX_AMOUNT,
    AmountError,
    format_eur,
    format_number,
    format_percent,
    parse_amount,
    round_money,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("198000"), "198\u202f000,00\u00a0€"),
        (Decimal("0"), "0,00\u00a0€"),
        (Decimal("1234567.891"), "1\u202f234\u202f567,89\u00a0€"),
        (Decimal("-12000"), "-12\u202f000,00\u00a0€"),
        ("45000.5", "45\u202f000,50\u00a0€"),
        (None, "–"),
    ],
)
def test_format_eur_uses_french_grouping_and_comma(value, expected):
    assert format_eur(value) == expected


def test_round_money_rounds_half_up_to_the_cent():
    assert round_money("0.005") == Decimal("0.01")
    assert round_money("2.675") == Decimal("2.68")
    assert round_money(Decimal("10")) == Decimal("10.00")


def test_round_money_does_not_carry_float_binary_noise():
    assert round_money(0.1 + 0.2) == Decimal("0.30")
    assert round_money(1.005) == Decimal("1.01")


def test_round_money_refuses_what_is_not_a_number():
    with pytest.raises(ValueError, match="Montant invalide"):
        round_money("douze euros")


def test_format_number_and_percent():
    assert format_number(5, decimals=0) == "5"
    assert format_percent(Decimal("120000"), Decimal("198000")) == "60,6\u00a0%"
    assert format_percent(1, 0) == "–"


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("45 000,50", Decimal("45000.50")),
        ("45000.50", Decimal("45000.50")),
        ("45\u202f000,50\u00a0€", Decimal("45000.50")),
        ("45.000,50", Decimal("45000.50")),
        ("45,000.50", Decimal("45000.50")),
        ("12", Decimal("12.00")),
        ("2,675", Decimal("2.68")),
        ("-0,004", Decimal("0.00")),
    ],
)
def test_parse_amount_reads_the_french_way_or_with_a_dot(typed, amount):
    assert parse_amount(typed) == amount


def test_parse_amount_in_a_comma_separated_csv_groups_thousands_with_commas():
    assert parse_amount("1,234") == Decimal("1.23")
    assert parse_amount("1,234", decimal_comma=False) == Decimal("1234.00")
    assert parse_amount("1,234,567.5", decimal_comma=False) == Decimal("1234567.50")


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("douze", "invalid", "« douze » n'est pas un montant."),
        ("١٢", "invalid", "« ١٢ » n'est pas un montant : écrivez-le avec les chiffres de 0 à 9."),
        ("-3", "negative", "le montant « -3 » est négatif : un montant est positif ou nul."),
        (
            "1" * 80,
            "too_large",
            f"le montant « {'1' * 59}… » dépasse le maximum de {format_eur(MAX_AMOUNT)}.",
        ),
        ("1\x00", "invalid", "« 1\ufffd » n'est pas un montant."),
    ],
)
def test_parse_amount_says_why_it_refuses(typed, code, message):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed)
    assert (refused.value.code, str(refused.value)) == (code, message)
