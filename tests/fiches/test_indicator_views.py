"""The indicators' pages: who reads, who defines, who enters an actual (and with what
evidence), what each is told when refused, the block on the fiche page, and queries that do
not grow with the indicators."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cej.models import Document, DocumentKind
from fiches.models import Fiche, Indicator, IndicatorYear
from tests.pdftools import minimal_pdf

pytestmark = pytest.mark.django_db

BASE = "/contracts/cej-loire-2014-2017/fiches"


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def page_of(fiche_number: int) -> str:
    return f"{BASE}/{fiche_number}/indicators/"


def actual_url(fiche_number, indicator=1, year=2017) -> str:
    return f"{page_of(fiche_number)}{indicator}/{year}/actual/"


def stored(contract, fiche_number, number=1) -> Indicator:
    return Indicator.objects.get(contract=contract, fiche__number=fiche_number, number=number)


@pytest.mark.parametrize("role", ["cdaje", "finance", "partner-cg", "partner-caf", "admin"])
def test_everyone_who_sees_the_contract_reads_its_indicators(client, demo, demo_user, role):
    client.force_login(demo_user(role))
    response = client.get(page_of(2))
    assert response.status_code == 200
    text = text_of(response)
    assert "Places d'accueil collectif créées en zone rurale" in text
    assert "données illustratives" in text
    assert "<svg" in response.content.decode()


def test_the_lead_partner_is_offered_the_actuals_of_its_fiche_only(client, demo, demo_user):
    client.force_login(demo_user("partner-caf"))
    assert "Saisir le réalisé" in text_of(client.get(page_of(1)))  # led by the CAF
    assert "Saisir le réalisé" not in text_of(client.get(page_of(4)))  # by the Département
    assert client.get(actual_url(4)).status_code == 403
    assert client.get(actual_url(1)).status_code == 200


def test_a_partner_enters_an_actual_with_its_evidence(client, demo, demo_user):
    client.force_login(demo_user("partner-caf"))
    indicator = stored(demo.contract, 1, 2)
    response = client.post(
        actual_url(1, 2),
        {
            "version": indicator.version,
            "actual": "55,6",
            "comment": "Données CAF de juin 2018.",
            "evidence": SimpleUploadedFile("taux.pdf", minimal_pdf()),
        },
    )
    assert response.status_code == 302
    row = IndicatorYear.objects.get(indicator=indicator, year=2017)
    assert row.actual == Decimal("55.60") and row.evidence is not None
    assert row.evidence.kind == DocumentKind.INDICATOR_EVIDENCE
    page = client.get(page_of(1))
    assert "55,6" in text_of(page)
    download = client.get(f"/contracts/cej-loire-2014-2017/documents/{row.evidence_id}/download/")
    assert download.status_code == 200
    assert (
        b"".join(download.streaming_content if download.streaming else [download.content])[:5]
        == b"%PDF-"
    )


def test_a_csv_evidence_is_served_as_csv(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    indicator = stored(demo.contract, 4)
    client.post(
        actual_url(4),
        {
            "version": indicator.version,
            "actual": "56",
            "evidence": SimpleUploadedFile("chiffres.csv", b"annee;enfants\n2017;56\n"),
        },
    )
    document = Document.objects.get(kind=DocumentKind.INDICATOR_EVIDENCE)
    download = client.get(f"/contracts/cej-loire-2014-2017/documents/{document.pk}/download/")
    assert download["Content-Type"] == "text/csv"
    assert download["Content-Disposition"].startswith("attachment")


def test_an_evidence_that_is_not_what_it_says_is_refused_on_the_form(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    indicator = stored(demo.contract, 4)
    response = client.post(
        actual_url(4),
        {
            "version": indicator.version,
            "actual": "56",
            "evidence": SimpleUploadedFile("chiffres.pdf", b"pas un pdf"),
        },
    )
    assert response.status_code == 200
    assert "n'est pas un PDF" in text_of(response)
    assert IndicatorYear.objects.get(indicator=indicator, year=2017).actual == Decimal("56.00")
    assert not Document.objects.filter(kind=DocumentKind.INDICATOR_EVIDENCE).exists()


def test_a_stale_actual_form_is_refused_with_who_saved(client, demo, demo_user):
    indicator = stored(demo.contract, 1)
    client.force_login(demo_user("cdaje"))
    data = {"version": indicator.version, "actual": "99"}
    assert client.post(actual_url(1), data).status_code == 302
    response = client.post(actual_url(1, year=2016), data)
    assert response.status_code == 409
    assert "entre-temps" in text_of(response)
    assert IndicatorYear.objects.get(indicator=indicator, year=2016).actual == Decimal("100.00")


def test_a_year_outside_the_contract_is_not_found(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    assert client.get(actual_url(1, year=2019)).status_code == 404
    assert client.get(f"{page_of(1)}9/edit/").status_code in (403, 404)
    assert client.get(page_of(99)).status_code == 404


def test_on_the_signed_contract_targets_are_refused_with_the_avenant_route(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    page = text_of(client.get(page_of(3)))
    assert "Ajouter un indicateur" not in page
    assert "Modifier les cibles par l’avenant n° 2" in page
    response = client.get(f"{page_of(3)}new/")
    assert response.status_code == 403
    assert "ne change que par avenant" in text_of(response)


def test_staff_define_an_indicator_while_the_contract_is_prepared(
    client, contract_in_preparation, demo_user
):
    client.force_login(demo_user("cdaje"))
    assert "Ajouter un indicateur" in text_of(client.get(page_of(3)))
    response = client.post(
        f"{page_of(3)}new/",
        {
            "version": 1,
            "name": "Demandes d'urgence satisfaites",
            "unit": "%",
            "source": "Relais d'urgence",
            "direction": "up",
            "baseline_year": "2013",
            "baseline_value": "60",
            "target_2014": "65",
            "target_2017": "80,5",
        },
    )
    assert response.status_code == 302
    created = Indicator.objects.get(fiche__contract=contract_in_preparation, name__startswith="Dem")
    assert created.number == 3 and created.baseline_value == Decimal("60.00")
    assert dict(created.years.values_list("year", "target")) == {
        2014: Decimal("65.00"),
        2017: Decimal("80.50"),
    }


def test_the_indicator_form_reports_its_errors(client, contract_in_preparation, demo_user):
    client.force_login(demo_user("cdaje"))
    indicator = stored(contract_in_preparation, 3)
    response = client.post(
        f"{page_of(3)}1/edit/",
        {
            "version": indicator.version,
            "name": "",
            "unit": "jours",
            "direction": "sideways",
            "baseline_year": "2013",
            "target_2015": "-4",
            "target_2016": "beaucoup",
        },
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "Le nombre « -4 » est négatif" in text
    assert "« beaucoup » n'est pas un nombre" in text
    assert "Ce champ est obligatoire" in text


def test_an_indicator_edit_conflict_keeps_both_versions(client, contract_in_preparation, demo_user):
    client.force_login(demo_user("cdaje"))
    indicator = stored(contract_in_preparation, 3)
    data = {
        "version": indicator.version,
        "name": "Nom de Camille",
        "unit": indicator.unit,
        "direction": indicator.direction,
    }
    assert client.post(f"{page_of(3)}1/edit/", data).status_code == 302
    response = client.post(f"{page_of(3)}1/edit/", {**data, "name": "Nom de Dominique"})
    assert response.status_code == 409
    assert "Nom de Camille" in response.content.decode()
    assert Indicator.objects.get(pk=indicator.pk).name == "Nom de Camille"


def test_finance_and_partners_do_not_define_indicators(client, contract_in_preparation, demo_user):
    for role in ("finance", "partner-caf"):
        client.force_login(demo_user(role))
        assert client.get(f"{page_of(3)}new/").status_code == 403
        assert client.get(f"{page_of(3)}1/edit/").status_code == 403


def test_the_fiche_page_shows_its_indicators(client, demo, demo_user):
    client.force_login(demo_user("partner-msa"))
    response = client.get(f"{BASE}/2/")
    text = text_of(response)
    assert "Suivi des indicateurs" in text
    assert "Places d'accueil collectif créées en zone rurale" in text
    assert "72 / 70" in text  # the 2016 actual against its target


def test_the_indicators_page_queries_do_not_grow_with_indicators(
    client, contract_in_preparation, demo_user, django_assert_max_num_queries
):
    from fiches.indicator_services import indicator_create

    cdaje = demo_user("cdaje")
    client.force_login(cdaje)
    fiche = Fiche.objects.get(contract=contract_in_preparation, number=5)
    with django_assert_max_num_queries(10) as few:
        client.get(page_of(5))
    for n in range(8):
        indicator_create(
            fiche=fiche,
            changes={"name": f"Indicateur {n}", "unit": "u", "direction": "up"},
            targets={2014: Decimal(n), 2015: Decimal(n + 1)},
            by=cdaje,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page_of(5))
    assert "Indicateur 7" in text_of(response)
