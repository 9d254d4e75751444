import pytest

from fiches.models import Fiche, FicheStatus


@pytest.fixture
def fiche(contract_in_preparation):
    """Fiche 3 of the demo, its contract back in preparation and the fiche reopened, so that
    it can be edited directly (a signed contract's fiches change only through an avenant)."""
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=3)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED, validated_on=None)
    fiche.refresh_from_db()
    return fiche


def fiche_url(fiche, suffix=""):
    return f"/contracts/{fiche.contract.slug}/fiches/{fiche.number}/{suffix}"
