"""The fiches through the API: the list and its filters, one fiche as its page shows it, its
versions as its history lists them."""

import pytest

from tests.api.core_support import api_url, as_partner_fixture, results  # noqa: F401


def test_the_list_of_fiches_in_objective_then_number_order(as_partner):
    fiches = results(as_partner.get(api_url("fiche_list")))
    assert [f["number"] for f in fiches] == [1, 2, 3, 4, 5, 15, *range(6, 15)]
    first = fiches[0]
    assert first["objective"] == 1 and first["status"] == "validated"
    assert first["status_label"] == "Avis favorable" and first["validated_on"] == "2014-02-11"
    assert first["lead_partner"] == "CAF"
    assert first["api_url"] == "http://testserver/api/v1/contracts/cej-loire-2014-2017/fiches/1/"


@pytest.mark.parametrize(
    "query, numbers",
    [
        ("objective=2", [6, 7, 8, 9, 10]),
        ("objective=3&status=validated", [11, 12, 13, 14]),
        ("status=draft", []),
        ("lead=caf42&objective=1", [1, 3]),
        ("aim=3&objective=3", [13, 14]),
        ("q=handicap&objective=1", [1, 4, 15]),
    ],
)
def test_the_filters(as_partner, query, numbers):
    fiches = results(as_partner.get(f"{api_url('fiche_list')}?{query}"))
    assert [f["number"] for f in fiches] == numbers


@pytest.mark.parametrize(
    "query, parameter, says",
    [
        ("objective=deux", "objective", "Nombre entier attendu, reçu « deux »."),
        ("objective=9", "objective", "Aucun objectif n° 9 dans ce contrat."),
        ("status=valide", "status", "Valeur inconnue « valide »"),
        ("aim=0", "aim", "Valeur hors limites"),
        ("aim=12", "aim", "Aucune finalité n° 12."),
        ("lead=caf69", "lead", "Aucun partenaire « caf69 » partie à ce contrat."),
        ("q=" + "x" * 101, "q", "Texte trop long : 100 caractères au plus."),
    ],
)
def test_a_bad_filter_is_refused_naming_it(as_partner, query, parameter, says):
    response = as_partner.get(f"{api_url('fiche_list')}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert list(body["errors"]) == [parameter]
    assert body["detail"].startswith(f"Données refusées : « {parameter} » — ")
    assert says in body["detail"]


def test_one_fiche_as_its_page_shows_it(as_partner):
    fiche = as_partner.get(api_url("fiche_detail", number=4)).json()
    assert fiche["title"].startswith("Accueillir les enfants en situation de handicap")
    assert fiche["objective"]["number"] == 1
    # Revised by avenant n° 1, given its opinion again in the plenary of 10 March 2015.
    assert fiche["status"] == "validated" and fiche["validated_on"] == "2015-03-10"
    assert fiche["version"] == 2
    # The texts as stored: HTML cleaned by the allow-list.
    assert fiche["findings"].startswith("<p>Les familles d'enfants en situation de handicap")
    assert "<strong>2014 à 2017</strong>" in fiche["calendar"]
    assert fiche["lead_partner"]["short_name"] == "Département"
    lines = fiche["budget_lines"]
    assert [line["year"] for line in lines] == [2014, 2015, 2016, 2017]
    assert all(line["api_url"].endswith(f"/budget-lines/{line['id']}/") for line in lines)
    assert fiche["versions_url"].endswith("/fiches/4/versions/")
    assert fiche["indicators_url"].endswith("/indicators/?fiche=4")


def test_a_fiche_that_does_not_exist(as_partner):
    response = as_partner.get(api_url("fiche_detail", number=99))
    assert response.status_code == 404
    assert response.json() == {"detail": "Aucune fiche n° 99 dans ce contrat."}
    assert as_partner.get(api_url("fiche_versions", number=99)).status_code == 404


def test_the_versions_of_a_fiche_newest_first_with_what_changed(as_partner):
    versions = results(as_partner.get(api_url("fiche_versions", number=4)))
    assert [v["number"] for v in versions] == [2, 1]
    revised, signed = versions
    assert revised["amendment"] == 1 and revised["action"] == "Avenant n° 1"
    assert {c["field"] for c in revised["changes"]} == {"validated_on", "calendar"}
    assert "Calendrier" in {c["label"] for c in revised["changes"]}
    assert signed["changes"] == [] and signed["amendment"] is None
    assert revised["snapshot"]["validated_on"] == "2015-03-10"
