from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from financing.models import BudgetLine, Contribution
from financing.services import budget_line_save

pytestmark = pytest.mark.django_db


def test_a_line_is_saved_with_contributions_that_add_up(contract, coordination, partners):
    saved = budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2015, amount=Decimal("45000")),
        contributions={partners["caf"]: Decimal("30000"), partners["cg"]: Decimal("15000")},
    )
    assert saved.version == 1
    assert sorted(saved.contributions.values_list("amount", flat=True)) == [
        Decimal("15000.00"),
        Decimal("30000.00"),
    ]


def test_contributions_that_do_not_add_up_write_nothing(contract, coordination, partners):
    before = (BudgetLine.objects.count(), Contribution.objects.count())  # the demo's
    with pytest.raises(ValidationError) as error:
        budget_line_save(
            line=BudgetLine(
                contract=contract, post=coordination, year=2015, amount=Decimal("45000")
            ),
            contributions={partners["caf"]: Decimal("30000"), partners["cg"]: Decimal("10000")},
        )
    assert error.value.messages == [
        "Les contributions totalisent 40\u202f000,00\u00a0€ pour une ligne de "
        "45\u202f000,00\u00a0€ (manque de 5\u202f000,00\u00a0€)."
    ]
    assert (BudgetLine.objects.count(), Contribution.objects.count()) == before


def test_updating_a_line_replaces_its_split_and_bumps_its_version(contract, coordination, partners):
    saved = budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2015, amount=Decimal("100")),
        contributions={partners["caf"]: Decimal("60"), partners["cg"]: Decimal("40")},
    )
    saved.amount = Decimal("80")
    budget_line_save(line=saved, contributions={partners["caf"]: Decimal("80")})
    saved.refresh_from_db()
    assert saved.version == 2
    assert list(saved.contributions.values_list("partner__short_name", "amount")) == [
        ("CAF", Decimal("80.00"))
    ]


def test_an_envelope_overrun_writes_nothing(contract, coordination, communication, partners):
    budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2016, amount=Decimal("190000")),
        contributions={partners["caf"]: Decimal("190000")},
    )
    lines = BudgetLine.objects.count()
    with pytest.raises(ValidationError, match="L'enveloppe 2016 serait dépassée de 2"):
        budget_line_save(
            line=BudgetLine(
                contract=contract, post=communication, year=2016, amount=Decimal("10000")
            ),
            contributions={partners["caf"]: Decimal("10000")},
        )
    assert BudgetLine.objects.filter(contract=contract, year=2016).count() == 1
    assert BudgetLine.objects.count() == lines


def test_a_year_filled_to_the_cent_is_accepted_and_one_cent_more_is_refused(
    contract, coordination, communication, partners
):
    """The envelope's edge, exactly: 198 000,00 € fit, 198 000,01 € do not."""
    budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2017, amount=Decimal("150000")),
        contributions={partners["caf"]: Decimal("150000")},
    )
    last = BudgetLine(contract=contract, post=communication, year=2017, amount=Decimal("48000.01"))
    with pytest.raises(ValidationError) as refused:
        budget_line_save(line=last, contributions={partners["caf"]: Decimal("48000.01")})
    assert "L'enveloppe 2017 serait dépassée de 0,01\u00a0€" in refused.value.messages[0]
    last.amount = Decimal("48000.00")
    budget_line_save(line=last, contributions={partners["caf"]: Decimal("48000.00")})
    assert BudgetLine.objects.filter(contract=contract, year=2017).total() == Decimal("198000.00")
