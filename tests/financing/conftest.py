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
