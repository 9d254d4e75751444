"""The final evaluation (reviews.evaluation_*) on the shared Loire demo, whose 2014–2017
evaluation is in draft: the years side by side, writing it, adopting it (its PDF rendered
once, stored, never regenerated), its pages and who may do what."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cej.models import Contract, Document, DocumentKind
from fiches.models import Fiche
from reviews import evaluation_services as services
from reviews.evaluation_selectors import contract_years
from reviews.models import EvaluationStatus, FinalEvaluation, Recommendation
from tests.pdftools import pdf_text

pytestmark = pytest.mark.django_db
D = Decimal
PLENARY = datetime.date(2017, 12, 12)


@pytest.fixture
def contract(demo):
    return Contract.objects.select_related("territory").get(pk=demo.contract.pk)


@pytest.fixture
def evaluation(contract):
    return FinalEvaluation.objects.get(contract=contract)


def url(contract, tail=""):
    return f"/contracts/{contract.slug}/evaluation/{tail}"


def test_the_four_years_side_by_side(contract, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        report = contract_years(contract)
        rows = report.fiches
    assert report.years == [2014, 2015, 2016, 2017]
    assert [objective.number for objective, _rows in report.objectives] == [1, 2, 3]
    assert sorted(row.fiche.number for row in rows) == list(range(1, 16))
    # The demo plans 198 000,00 € a year, commits it all, pays a little less.
    assert [m.planned for m in report.money] == [D("198000.00")] * 4
    assert all(m.paid <= m.committed <= m.planned for m in report.money)
    coordination = next(row for row in rows if row.fiche.number == 12)
    assert [m.planned for m in coordination.money] == [D("120000.00")] * 4
    assert coordination.total.planned == D("480000.00")
    assert coordination.recommendation == Recommendation.CONTINUE
    ended = next(row for row in rows if row.fiche.number == 8)
    assert ended.recommendation == Recommendation.END


def test_indicators_and_review_states_are_read_per_year(contract, demo_user):
    from fiches.models import Indicator, IndicatorYear
    from reviews.models import ActionState, AnnualReview, ReviewFiche

    fiche = Fiche.objects.get(contract=contract, number=2)
    indicator = Indicator.objects.create(
        fiche=fiche, number=99, name="Places créées (test)", unit="places"
    )
    IndicatorYear.objects.create(indicator=indicator, year=2015, target=D("10"), actual=D("12"))
    review, _created = AnnualReview.objects.get_or_create(contract=contract, year=2015)
    ReviewFiche.objects.update_or_create(
        review=review, fiche=fiche, defaults={"state": ActionState.DONE}
    )
    row = next(r for r in contract_years(contract).fiches if r.fiche.pk == fiche.pk)
    trend = next(t for t in row.indicators if t.pk == indicator.pk)
    assert [(y.year, y.target, y.actual) for y in trend.years][1] == (2015, D("10"), D("12"))
    assert trend.reached(trend.years[1]) is True
    assert [s.state for s in row.states][1] == ActionState.DONE


def test_saving_the_evaluation_versions_it(contract, evaluation, demo_user):
    cdaje = demo_user("cdaje")
    fiche = Fiche.objects.get(contract=contract, number=1)
    saved = services.evaluation_save(
        contract=contract,
        changes={"summary": "Nouvelle synthèse", "opinion": "Avis favorable", "opinion_on": None},
        notes={fiche.pk: ("Leçon apprise", Recommendation.ADAPT)},
        by=cdaje,
        expected_version=evaluation.version,
    )
    assert saved.version == evaluation.version + 1
    assert saved.versions.first().snapshot["summary"] == "Nouvelle synthèse"
    note = saved.fiches.get(fiche=fiche)
    assert (note.lessons, note.recommendation) == ("Leçon apprise", Recommendation.ADAPT)
    # Saved again from the version the editor first opened: refused, nothing written.
    with pytest.raises(services.EvaluationConflict):
        services.evaluation_save(
            contract=contract,
            changes={"summary": "Écrasée ?"},
            notes={},
            by=cdaje,
            expected_version=evaluation.version,
        )
    assert FinalEvaluation.objects.get(pk=evaluation.pk).summary == "Nouvelle synthèse"


def test_a_fiche_of_another_contract_is_refused(contract, demo_user):
    other = Fiche.objects.filter(contract__slug="cej-loire-2018-2021").first()
    with pytest.raises(ValidationError):
        services.evaluation_save(
            contract=contract,
            changes={},
            notes={other.pk: ("x", Recommendation.CONTINUE)},
            by=demo_user("cdaje"),
        )


def test_who_writes_and_adopts(contract, demo_user):
    for username in ("finance", "partner-caf"):
        with pytest.raises(PermissionDenied):
            services.evaluation_save(
                contract=contract, changes={}, notes={}, by=demo_user(username)
            )
        with pytest.raises(PermissionDenied):
            services.evaluation_adopt(contract=contract, by=demo_user(username), opinion_on=PLENARY)
    # Nothing to evaluate on a contract not signed yet.
    preparation = Contract.objects.get(slug="cej-loire-2018-2021")
    with pytest.raises(PermissionDenied, match="pas encore signé"):
        services.evaluation_save(contract=preparation, changes={}, notes={}, by=demo_user("cdaje"))


def test_adoption_stores_the_pdf_once(contract, evaluation, demo_user, client):
    """One rendering for the module: the adopted PDF says every fiche, its lessons and
    recommendation, the opinion and its date; it is served as stored, later edits of the
    contract change nothing in it, and the evaluation no longer changes."""
    cdaje = demo_user("cdaje")
    services.evaluation_save(
        contract=contract,
        changes={"opinion": "La CDAJE émet un avis favorable au renouvellement."},
        notes={},
        by=cdaje,
    )
    adopted = services.evaluation_adopt(contract=contract, by=cdaje, opinion_on=PLENARY)
    assert adopted.status == EvaluationStatus.ADOPTED
    document = adopted.document
    assert document.kind == DocumentKind.FINAL_EVALUATION
    assert (
        Document.objects.filter(contract=contract, kind=DocumentKind.FINAL_EVALUATION).count() == 1
    )
    client.force_login(demo_user("partner-msa"))
    served = client.get(url(contract, "evaluation.pdf")).content
    text = " ".join(pdf_text(served).split())
    for fiche in Fiche.objects.filter(contract=contract).exclude(status="withdrawn"):
        assert f"Fiche {fiche.number} :" in text, fiche.number
    assert "La CDAJE émet un avis favorable au renouvellement." in text
    assert "12 décembre 2017" in text
    assert "Ne pas reconduire" in text
    assert "micro-crèches" in text
    # Later changes of the contract do not touch the stored act.
    Fiche.objects.filter(contract=contract, number=1).update(title="Titre changé après")
    again = client.get(url(contract, "evaluation.pdf")).content
    assert again == served
    with pytest.raises(PermissionDenied, match="adoptée"):
        services.evaluation_save(contract=contract, changes={"summary": "?"}, notes={}, by=cdaje)
    with pytest.raises(PermissionDenied):
        services.evaluation_adopt(contract=contract, by=cdaje, opinion_on=PLENARY)


def test_adoption_needs_the_plenary_date(contract, demo_user):
    with pytest.raises(ValidationError):
        services.evaluation_adopt(contract=contract, by=demo_user("cdaje"))
    assert FinalEvaluation.objects.get(contract=contract).status == EvaluationStatus.DRAFT


def test_the_draft_pdf_says_projet(contract, demo_user, client):
    client.force_login(demo_user("partner-caf"))
    seen = {}

    def fake(html, *, archival=False):
        seen["html"] = html
        return b"%PDF-1.7\n"

    with mock.patch("cej.pdf.html_to_pdf", fake):
        response = client.get(url(contract, "evaluation.pdf"))
    assert response.status_code == 200
    assert "Projet" in seen["html"]
    assert "Évaluation finale du contrat 2014–2017" in seen["html"]


def test_the_page_shows_the_form_to_the_cdaje_only(contract, demo_user, client):
    client.force_login(demo_user("cdaje"))
    page = client.get(url(contract)).content.decode()
    assert "Enregistrer l’évaluation" in page
    assert "Adopter l’évaluation finale" in page
    assert "Contrat enfance jeunesse départemental de la Loire 2018–2021" in page
    client.force_login(demo_user("partner-caf"))
    page = client.get(url(contract)).content.decode()
    assert "Enregistrer l’évaluation" not in page
    assert "Ne pas reconduire" in page


def test_posting_the_form(contract, evaluation, demo_user, client):
    client.force_login(demo_user("cdaje"))
    fiches = Fiche.objects.filter(contract=contract).exclude(status="withdrawn")
    data = {"version": evaluation.version, "summary": "Par le formulaire", "opinion": ""}
    for fiche in fiches:
        data[f"lessons_{fiche.pk}"] = f"Leçon {fiche.number}"
        data[f"recommendation_{fiche.pk}"] = "continue"
    response = client.post(url(contract), data)
    assert response.status_code == 302
    saved = FinalEvaluation.objects.get(pk=evaluation.pk)
    assert saved.summary == "Par le formulaire"
    assert saved.fiches.get(fiche__number=8).recommendation == Recommendation.CONTINUE
    # Refused and said: a recommendation the list does not have, a date that is not one.
    bad = {**data, "version": saved.version, "opinion_on": "31/02/2017"}
    bad[f"recommendation_{fiches[0].pk}"] = "abolish"
    response = client.post(url(contract), bad)
    assert response.status_code == 400
    assert "Rien n’a été enregistré" in response.content.decode()
    assert FinalEvaluation.objects.get(pk=evaluation.pk).version == saved.version


@pytest.mark.parametrize(
    "field, value",
    [
        ("summary", "x" * 20001),
        ("version", "deux"),
        ("opinion_on", "2999-01-01"),
        ("summary", "\x00" * 5),
    ],
)
def test_hostile_input_is_refused_or_cleaned(contract, evaluation, demo_user, client, field, value):
    client.force_login(demo_user("cdaje"))
    response = client.post(url(contract), {"version": evaluation.version, field: value})
    assert response.status_code in (302, 400)
    stored = FinalEvaluation.objects.get(pk=evaluation.pk)
    assert "\x00" not in stored.summary
    assert len(stored.summary) <= 20000


def test_query_counts_of_the_page(contract, demo_user, client, django_assert_max_num_queries):
    client.force_login(demo_user("cdaje"))
    with django_assert_max_num_queries(20):
        assert client.get(url(contract)).status_code == 200
    with django_assert_max_num_queries(8):  # from the page cache
        assert client.get(url(contract)).status_code == 200
