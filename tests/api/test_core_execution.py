"""Indicators, annual reviews and avenants through the API, as their pages show them."""

from tests.api.core_support import api_url, as_partner_fixture, results  # noqa: F401


def test_indicators_with_their_targets_and_actuals_per_year(as_partner):
    indicators = results(as_partner.get(api_url("indicator_list")))
    assert [i["fiche"] for i in indicators] == sorted(i["fiche"] for i in indicators)
    first = next(i for i in indicators if i["code"] == "4.1")
    assert first["name"] == "Enfants en situation de handicap accueillis en EAJE"
    assert first["baseline_value"] == "28.00" and first["direction"] == "up"
    years = {y["year"]: y for y in first["years"]}
    assert list(years) == [2014, 2015, 2016, 2017]
    assert (years[2016]["target"], years[2016]["actual"], years[2016]["variance"]) == (
        "50.00",
        "49.00",
        "-1.00",
    )
    assert years[2016]["on_track"] is False and years[2017]["on_track"] is True
    assert first["fiche_url"].endswith("/fiches/4/")


def test_the_indicators_of_one_fiche_and_a_bad_fiche(as_partner):
    only = results(as_partner.get(f"{api_url('indicator_list')}?fiche=4"))
    assert [i["code"] for i in only] == ["4.1", "4.2"]
    response = as_partner.get(f"{api_url('indicator_list')}?fiche=99")
    assert response.status_code == 400
    assert response.json()["errors"] == {"fiche": ["Aucune fiche n° 99 dans ce contrat."]}


def test_the_reviews_of_each_year(as_partner):
    reviews = results(as_partner.get(api_url("review_list")))
    assert [(r["year"], r["status"]) for r in reviews] == [
        (2014, "adopted"),
        (2015, "adopted"),
        (2016, "adopted"),
        (2017, "draft"),
    ]
    assert reviews[0]["opinion_on"] == "2015-03-17"
    assert reviews[0]["document_url"].startswith("http://testserver/api/v1/")
    assert reviews[3]["document_url"] is None


def test_a_review_with_the_figures_of_its_page(as_partner):
    review = as_partner.get(api_url("review_detail", year=2014)).json()
    assert review["status"] == "adopted" and review["opinion"].startswith("La CDAJE prend acte")
    assert review["total"]["planned"] == "198000.00"
    assert sum(s["count"] for s in review["states"]) == len(review["fiches"]) == 15
    fiche = next(f for f in review["fiches"] if f["number"] == 4)
    assert fiche["indicators"][0]["code"] == "4.1"
    assert fiche["indicators"][0]["target"] == "35.00"
    assert {f["funder"] for f in review["funders"]} >= {
        "Caisse d'allocations familiales de la Loire"
    }
    assert as_partner.get(api_url("review_detail", year=2013)).json() == {
        "detail": "Aucun bilan 2013 pour ce contrat."
    }


def test_the_avenants_with_decisions_and_signatures(as_partner):
    avenants = results(as_partner.get(api_url("avenant_list")))
    assert [(a["number"], a["status"]) for a in avenants] == [(1, "signed"), (2, "draft")]
    signed = as_partner.get(api_url("avenant_detail", number=1)).json()
    assert signed == avenants[0]
    assert signed["signed_on"] == "2015-05-26" and signed["annex_convention_end_year"] == 2017
    assert len(signed["decisions"]) == 3
    # The Département, in force on the day the avenant was signed.
    assert signed["signatures"][0]["partner"] == "Département de la Loire"
    assert avenants[1]["signatures"] == [] and avenants[1]["document_url"] is None
    assert as_partner.get(api_url("avenant_detail", number=9)).status_code == 404
    drafts = results(as_partner.get(f"{api_url('avenant_list')}?status=draft"))
    assert [a["number"] for a in drafts] == [2]
    refused = as_partner.get(f"{api_url('avenant_list')}?status=open")
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["status"]
