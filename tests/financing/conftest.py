from decimal import Decimal

import pytest

from tests.factories import (
    AnnexConventionFactory,
    BudgetPostFactory,
    ContractFactory,
    PartnerFactory,
)


@pytest.fixture
def partners(db):
    return {
        "cg": PartnerFactory(name="Conseil général de test", short_name="CG"),
        "caf": PartnerFactory(name="CAF de test", short_name="CAF"),
    }


@pytest.fixture
def contract(partners):
    """2014–2017, 198 000 € a year, with an annex convention for 2014 only."""
    contract = ContractFactory(
        start_year=2014,
        end_year=2017,
        annual_envelope=Decimal("198000.00"),
        partners=list(partners.values()),
    )
    AnnexConventionFactory(contract=contract, start_year=2014, end_year=2014)
    return contract


@pytest.fixture
def coordination(db):
    return BudgetPostFactory()


@pytest.fixture
def communication(db):
    return BudgetPostFactory(communication=True)


@pytest.fixture
def disability_scheme(db):
    return BudgetPostFactory(annex=True)


def make_room_in_2015(contract):
    """2015 of the demo contract as signed in 2014: 158 000 € planned, 40 000 € left to
    allocate. Every year of the demo is fully allocated since avenant n° 1; its two annex
    lines of 2015 (fiches 4 and 15) are removed here, with their entries, written directly."""
    from financing.models import BudgetLine, ExecutionEntry

    added = BudgetLine.objects.filter(
        contract=contract, year=2015, post__code="accueil-enfants-handicapes"
    )
    assert sorted(added.values_list("fiche__number", flat=True)) == [4, 15]
    ExecutionEntry.objects.filter(line__in=added).delete()
    added.delete()
    return contract


@pytest.fixture
def room_in_2015(contract_in_preparation):
    """The demo contract in preparation, with 40 000 € left to allocate in 2015, for the
    tests of planning lines directly (`make_room_in_2015`)."""
    return make_room_in_2015(contract_in_preparation)


@pytest.fixture
def caf_terms(contract, partners):
    """The contract's financing: the Conseil général is the beneficiary; the CAF funds half
    of a new action's net cost (60 % of a continued one's) within 40 000 € per action and
    year, the Conseil général carries the rest."""
    from cej.models import PartyRole
    from financing.cycle_services import funding_terms_save
    from financing.models import FundingTerms, Instrument

    contract.parties.filter(partner=partners["cg"]).update(role=PartyRole.BENEFICIARY)
    return funding_terms_save(
        terms=FundingTerms(
            contract=contract,
            instrument=Instrument.CEJ,
            funder=partners["caf"],
            share=Decimal("100"),
            rate_new=Decimal("50"),
            rate_continued=Decimal("60"),
            ceiling=Decimal("40000"),
        )
    )


@pytest.fixture
def blank_cycle(demo):
    """The Loire demo with its money cycle not yet lived: no funder's payment, no document
    received, no actual figure declared (the demo's own cycle is asserted in
    tests/demo/test_loire_money.py). For tests that write a cycle of their own and check
    the exact figures it gives. Rolled back with the test."""
    from cej.page_cache import mark_contract_changed
    from financing.models import BudgetLine, FunderPayment, SupportingDocument

    contract = demo.contract
    FunderPayment.objects.filter(contract=contract).delete()
    SupportingDocument.objects.filter(contract=contract).delete()
    BudgetLine.objects.filter(contract=contract).update(actual_expenses=None, actual_receipts=None)
    mark_contract_changed(contract.pk)
    return demo
