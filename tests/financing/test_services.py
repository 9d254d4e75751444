"""budget_line_save: the parties' forecast shares are computed from the contract's funding
terms, never typed; the annual envelope holds to the cent."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from financing.cycle_services import funding_terms_save
from financing.models import BudgetLine, Contribution
from financing.services import budget_line_save

pytestmark = pytest.mark.django_db


def split(line) -> list:
    return list(
        line.contributions.order_by("partner__short_name").values_list(
            "partner__short_name", "amount"
        )
    )


def test_a_line_is_saved_with_its_computed_split(contract, coordination, partners, caf_terms):
    saved = budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2015, amount=Decimal("45000")),
    )
    assert saved.version == 1
    # New action: the CAF 50 % of its 40 000 € ceiling, the Conseil général the rest.
    assert split(saved) == [("CAF", Decimal("20000.00")), ("CG", Decimal("25000.00"))]


def test_without_a_beneficiary_a_share_left_to_no_one_writes_nothing(
    contract, coordination, partners
):
    """The financing conftest's Conseil général is no beneficiary until `caf_terms` says so."""
    before = (BudgetLine.objects.count(), Contribution.objects.count())  # the demo's
    with pytest.raises(ValidationError) as error:
        budget_line_save(
            line=BudgetLine(
                contract=contract, post=coordination, year=2015, amount=Decimal("45000")
            ),
        )
    assert error.value.messages == [
        "Ce contrat n'a pas de bénéficiaire parmi ses parties : la part de "
        "45\u202f000,00\u00a0€ que les financeurs ne prennent pas en charge n'aurait pas de "
        "porteur. Désignez le bénéficiaire dans les parties du contrat."
    ]
    assert (BudgetLine.objects.count(), Contribution.objects.count()) == before


def test_updating_a_line_recomputes_its_split_and_bumps_its_version(
    contract, coordination, partners, caf_terms
):
    saved = budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2015, amount=Decimal("100")),
    )
    assert split(saved) == [("CAF", Decimal("50.00")), ("CG", Decimal("50.00"))]
    saved.amount, saved.other_receipts = Decimal("80"), Decimal("0.01")
    budget_line_save(line=saved)
    saved.refresh_from_db()
    assert saved.version == 2
    # Net cost 79,99 €: 39,995 rounds half up to 40,00 €; the shares still add up.
    assert split(saved) == [("CAF", Decimal("40.00")), ("CG", Decimal("39.99"))]


def test_new_terms_recompute_the_split_of_every_line(contract, coordination, partners, caf_terms):
    line = budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2015, amount=Decimal("45000")),
    )
    caf_terms.ceiling = Decimal("50000")
    funding_terms_save(terms=caf_terms)
    assert split(line) == [("CAF", Decimal("22500.00")), ("CG", Decimal("22500.00"))]
    line.refresh_from_db()
    assert line.version == 1  # the line itself did not change


def test_an_envelope_overrun_writes_nothing(
    contract, coordination, communication, partners, caf_terms
):
    budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2016, amount=Decimal("190000")),
    )
    lines = BudgetLine.objects.count()
    with pytest.raises(ValidationError, match="L'enveloppe 2016 serait dépassée de 2"):
        budget_line_save(
            line=BudgetLine(
                contract=contract, post=communication, year=2016, amount=Decimal("10000")
            ),
        )
    assert BudgetLine.objects.filter(contract=contract, year=2016).count() == 1
    assert BudgetLine.objects.count() == lines


def test_a_year_filled_to_the_cent_is_accepted_and_one_cent_more_is_refused(
    contract, coordination, communication, partners, caf_terms
):
    """The envelope's edge, exactly: 198 000,00 € fit, 198 000,01 € do not."""
    budget_line_save(
        line=BudgetLine(contract=contract, post=coordination, year=2017, amount=Decimal("150000")),
    )
    last = BudgetLine(contract=contract, post=communication, year=2017, amount=Decimal("48000.01"))
    with pytest.raises(ValidationError) as refused:
        budget_line_save(line=last)
    assert "L'enveloppe 2017 serait dépassée de 0,01\u00a0€" in refused.value.messages[0]
    last.amount = Decimal("48000.00")
    budget_line_save(line=last)
    assert BudgetLine.objects.filter(contract=contract, year=2017).total() == Decimal("198000.00")
