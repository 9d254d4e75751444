"""fiches.selectors on the shared Loire demo: the 15 fiches under their three objectives
(the 14 signed in 2014, and n° 15 added to the first by avenant n° 1),
one fiche with what its page and PDF show, its history; in how many queries."""

import pytest

from cej.models import Contract
from fiches.models import FicheStatus
from fiches.selectors import (
    FicheFilters,
    fiche_history,
    fiche_list,
    fiche_page,
    fiches_by_objective,
    objectives_with_fiches,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(demo):
    return Contract.objects.select_related("territory").get(pk=demo.contract.pk)


def test_the_list_shows_the_fifteen_fiches_under_three_objectives(
    contract, django_assert_num_queries
):
    # Objectives, aims, partners, fiches, which aims each serves.
    with django_assert_num_queries(5):
        listing = fiche_list(contract)
    assert listing.count == 15 and not listing.filtered
    assert [
        (objective.number, [f.number for f in rows]) for objective, rows in listing.objectives
    ] == [
        (1, [1, 2, 3, 4, 5, 15]),
        (2, [6, 7, 8, 9, 10]),
        (3, [11, 12, 13, 14]),
    ]
    first = listing.objectives[0][1][0]
    assert (first.status_label, first.lead) == ("Avis favorable", "CAF")
    assert first.aims == ["Cohésion des politiques", "Développement et adaptation de l'accueil"]
    assert [aim.number for aim in listing.aims] == [1, 2, 3, 4]
    assert sorted(partner.short_name for partner in listing.leads) == [
        "CAF",
        "Département",
        "MSA",
    ]


def test_the_filters_narrow_the_list(contract):
    third = contract.objectives.get(number=3)
    listing = fiche_list(contract, filters=FicheFilters(objective=third))
    assert listing.filtered and listing.count == 4
    assert fiche_list(contract, filters=FicheFilters(status=FicheStatus.DRAFT)).count == 0
    found = fiche_list(contract, filters=FicheFilters(q="HORAIRES ATYPIQUES"))
    assert 3 in [f.number for _o, rows in found.objectives for f in rows]


def test_the_dashboard_reads_objectives_and_fiches_in_one_query(
    contract, django_assert_num_queries
):
    with django_assert_num_queries(1):
        objectives = fiches_by_objective(contract)
    assert [len(rows) for _o, rows in objectives] == [6, 5, 4]
    assert all(row.validated_on for _o, rows in objectives for row in rows)


def test_an_objective_without_fiche_is_listed_empty(contract):
    from tests.factories import ObjectiveFactory

    ObjectiveFactory(contract=contract, number=4)
    assert [len(rows) for _o, rows in fiches_by_objective(contract)] == [6, 5, 4, 0]
    assert fiche_list(contract).objectives[-1][1] == []


def test_a_fiche_page_reads_its_lists_once_each(contract, django_assert_num_queries):
    # The fiche, its associated partners, its aims, its lines, its latest versions.
    with django_assert_num_queries(5):
        page = fiche_page(contract, 3)
        assert page.fiche.objective.number == 1 and page.fiche.lead_partner.short_name
    assert page.fiche.title == "Répondre aux besoins d'accueil en horaires atypiques et en urgence"
    assert [partner.short_name for partner in page.associated_partners] == ["Département"]
    assert [version.number for version in page.versions] == [1]
    with django_assert_num_queries(4):  # the PDF: no version
        assert fiche_page(contract, 3, versions=0).versions == []


def test_the_lines_funding_a_fiche_come_by_year(contract):
    page = fiche_page(contract, 12)
    assert [line.year for line in page.lines] == [2014, 2015, 2016, 2017]
    assert {line.post_label for line in page.lines} == {"Coordination"}


def test_the_contract_document_prints_the_fiches_with_partners_and_aims(
    contract, django_assert_num_queries
):
    # Objectives, fiches, their associated partners, their aims.
    with django_assert_num_queries(4):
        objectives = objectives_with_fiches(contract, withdrawn=False, printed=True)
        fiches = [fiche for objective in objectives for fiche in objective.fiches.all()]
        assert all(fiche.aims.all() is not None for fiche in fiches)
    assert len(fiches) == 15


def test_the_history_reports_a_version_that_does_not_exist(
    contract, fiche, django_assert_num_queries
):
    # The versions (the demo's fiche has only one), the names of objectives, partners, aims.
    with django_assert_num_queries(4):
        history = fiche_history(contract, fiche, compared={})
    assert [v.number for v in history.versions] == [1]
    assert history.before == history.after and history.changes == []
    wrong = fiche_history(contract, fiche, compared={"from": "99", "to": "abc"})
    assert len(wrong.errors) == 2 and "« 99 »" in wrong.errors[0]
    assert wrong.before == wrong.after == history.after


def test_the_fiche_page_and_its_pdf_read_the_same_selector(client, demo, demo_user, monkeypatch):
    import fiches.views

    calls = []
    real = fiches.views.selectors.fiche_page

    def page(contract, number, **kwargs):
        calls.append(number)
        return real(contract, number, **kwargs)

    monkeypatch.setattr(fiches.views.selectors, "fiche_page", page)
    monkeypatch.setattr(fiches.views, "render_pdf", lambda template, context: b"%PDF-")
    client.force_login(demo_user("cdaje"))
    assert client.get("/contracts/cej-loire-2014-2017/fiches/3/").status_code == 200
    assert client.get("/contracts/cej-loire-2014-2017/fiches/3/fiche.pdf").content
    assert calls == [3, 3]
