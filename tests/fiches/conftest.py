import pytest

from fiches.models import Fiche, FicheStatus


@pytest.fixture
def fiche(demo_contract):
    """Fiche 3 of the demo, reopened so that it can be edited."""
    fiche = Fiche.objects.get(contract=demo_contract, number=3)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED, validated_on=None)
    fiche.refresh_from_db()
    return fiche


def fiche_url(fiche, suffix=""):
    return f"/contracts/{fiche.contract.slug}/fiches/{fiche.number}/{suffix}"
