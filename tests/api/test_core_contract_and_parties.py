"""The API's contract detail and the contract's parties and objectives, read as their pages
show them on the Loire demo."""

from tests.api.core_support import DEMO_SLUG, api_url, as_partner_fixture, results  # noqa: F401


def test_the_contract_links_its_resources_and_gives_its_dashboard_totals(as_partner):
    body = as_partner.get(api_url("contract_detail")).json()
    assert body["slug"] == DEMO_SLUG and body["annual_envelope"] == "198000.00"
    links = body["links"]
    assert links["fiches"] == f"http://testserver/api/v1/contracts/{DEMO_SLUG}/fiches/"
    assert set(links) == {
        "parties",
        "objectives",
        "fiches",
        "indicators",
        "reviews",
        "avenants",
        "documents",
        "contract_pdf",
    }
    totals = body["totals"]
    # 14 fiches of the orientations, and the 15th created by avenant n° 1.
    assert totals["fiche_count"] == 15
    assert totals["fiches_by_status"] == [{"status": "validated", "count": 15}]
    assert [(y["year"], y["allocated"], y["remainder"]) for y in totals["years"]] == [
        (year, "198000.00", "0.00") for year in range(2014, 2018)
    ]
    assert totals["envelope_total"] == totals["allocated_total"] == "792000.00"


def test_each_party_with_its_role_names_and_signatures(as_partner):
    parties = {p["slug"]: p for p in results(as_partner.get(api_url("party_list")))}
    assert [p["role"] for p in parties.values()] == ["beneficiary", "funder", "funder"]
    department = next(p for p in parties.values() if p["kind"] == "conseil_general")
    # Renamed in March 2015: today's name, and the one the 2014 contract prints.
    assert department["name"] == "Département de la Loire"
    assert department["name_on_signing_date"] == "Conseil général de la Loire"
    assert department["decision"]["reference"] == "CP-2014-09-0412"
    caf = next(p for p in parties.values() if p["kind"] == "caf")
    # The chair of the board and the director sign for the CAF, both on 1 October 2014.
    assert [s["order"] for s in caf["signatories"]] == [1, 2]
    assert {(s["signature"]["signed_on"], s["signature"]["place"]) for s in caf["signatories"]} == {
        ("2014-10-01", "Saint-Étienne")
    }


def test_the_parties_of_a_contract_in_preparation_have_no_signing_name(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    parties = results(client.get(api_url("party_list", slug="cej-loire-2018-2021")))
    assert parties and all(p["name_on_signing_date"] is None for p in parties)
    assert all(s["signature"] is None for p in parties for s in p["signatories"])


def test_the_three_objectives_with_their_fiches(as_partner):
    objectives = results(as_partner.get(api_url("objective_list")))
    assert [o["number"] for o in objectives] == [1, 2, 3]
    assert objectives[0]["title"].startswith("Adéquation entre l'offre et la demande d'accueil")
    assert sorted(n for o in objectives for n in o["fiche_numbers"]) == list(range(1, 16))
    assert objectives[1]["fiches_url"].endswith("/fiches/?objective=2")
