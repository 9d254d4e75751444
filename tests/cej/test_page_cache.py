"""The cached contract pages (cej.page_cache) are never out of date: every way of changing
what a page shows gives its contract a new token, and the next view shows the change. The
services and the admin say so explicitly; only reference data marks contracts by signal."""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cej import page_cache
from cej.models import Contract, Document, Territory
from demo.loire import DEMO_SLUG
from fiches.models import Aim, Fiche, FicheStatus, Objective
from fiches.services import fiche_update
from financing.models import BudgetLine, ExecutionEntry, ExecutionKind
from financing.services import budget_line_save
from partners.models import Partner
from tests.cej.test_admin import _form_data
from tests.factories import ContractFactory

BASE = f"/contracts/{DEMO_SLUG}"


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def is_touch(sql):
    return sql.startswith("UPDATE") and "content_token" in sql


def cached_html(client, url):
    """The page, requested twice so that the second answer comes from the cache."""
    html(client, url)
    return html(client, url)


def _project_models():
    """Every model of every app of this repository, present and future."""
    root = settings.BASE_DIR.resolve()
    for config in apps.get_app_configs():
        if config.path and type(root)(config.path).resolve().parent == root:
            yield from config.get_models()


def test_every_model_of_every_project_app_says_how_its_pages_learn_of_a_change():
    """A model added later without a rule would leave pages stale: this test names it."""
    ruled = (
        page_cache.WRITTEN_BY_SERVICES
        | set(page_cache.REFERENCE_DATA)
        | page_cache.OUTSIDE_THE_CACHE
    )
    labels = {model._meta.label for model in _project_models()}
    assert {"cej.Contract", "fiches.Fiche", "financing.BudgetLine"} <= labels
    assert labels - ruled == set(), "add them to cej/page_cache.py"
    assert ruled - labels == set(), "models that no longer exist"
    assert not page_cache.WRITTEN_BY_SERVICES & set(page_cache.REFERENCE_DATA)


def test_a_row_written_around_the_services_marks_nothing(demo):
    """Contract data is marked changed by the services that write it, not by signals."""
    contract = Contract.objects.get(slug=DEMO_SLUG)
    Fiche.objects.filter(contract=contract, number=5).first().save()
    assert Contract.objects.get(pk=contract.pk).content_token == contract.content_token


def test_a_partner_renamed_marks_only_the_contracts_naming_it(demo):
    loire = Contract.objects.get(slug=DEMO_SLUG)
    other = ContractFactory(partners=[])
    _rename_partner(loire)
    assert Contract.objects.get(pk=loire.pk).content_token != loire.content_token
    assert Contract.objects.get(pk=other.pk).content_token == other.content_token


def test_a_second_view_comes_from_the_cache_with_fewer_queries(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    with CaptureQueriesContext(connection) as cold:
        first = html(client, f"{BASE}/")
    cold_count = len(cold.captured_queries)
    with CaptureQueriesContext(connection) as warm:
        second = html(client, f"{BASE}/")
    warm_count = len(warm.captured_queries)
    assert warm_count < cold_count
    # Session, user, contract, what the user belongs to, the header's unread count, and the
    # open comments this viewer counts (part of the key: comments.selectors.open_counts_by_target).
    assert warm_count <= 6
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", first) == strip.sub("", second)


def _admin_client():
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def _change_in_admin(obj, **changes):
    """Post the object's admin change form as a browser would, with `changes`."""
    client = _admin_client()
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    data = {**_form_data(client.get(url)), **changes}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]


def _rename_fiche_in_admin(contract):
    fiche = Fiche.objects.get(contract=contract, number=5)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED)  # editable again
    _change_in_admin(fiche, title="Titre renommé dans l'administration")
    return "Titre renommé dans l&#x27;administration"


def _edit_fiche_through_the_service(contract):
    fiche = Fiche.objects.get(contract=contract, number=5)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED)
    fiche.refresh_from_db()
    fiche_update(
        fiche=fiche,
        changes={"title": "Titre revu par l'équipe CDAJE"},
        associated_partners=list(fiche.associated_partners.all()),
        aims=list(fiche.aims.all()),
        expected_version=fiche.version,
        by=User.objects.get(username="cdaje"),
    )
    return "Titre revu par l&#x27;équipe CDAJE"


def _rename_objective(contract):
    objective = Objective.objects.get(contract=contract, number=2)
    _change_in_admin(objective, title="Objectif reformulé en plénière")
    return "Objectif reformulé en plénière"


def _rename_partner(contract):
    partner = Partner.objects.get(slug="caf42")
    partner.name = "Caisse d'allocations familiales de la Loire (nouveau nom)"
    partner.save()
    return "(nouveau nom)"


def _rename_territory(contract):
    territory = Territory.objects.get(code="42")
    territory.name = "Loire (département)"
    territory.save()
    return "Loire (département)"


def _change_aims(contract):
    fiche = Fiche.objects.get(contract=contract, number=5)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED)
    fiche.refresh_from_db()
    fiche_update(
        fiche=fiche,
        changes={},
        associated_partners=list(fiche.associated_partners.all()),
        aims=Aim.objects.order_by("number")[:1],
        expected_version=fiche.version,
        by=User.objects.get(username="cdaje"),
    )
    return None  # the page changes; which words depend on the aims' labels


def _change_a_budget_line(contract):
    line = BudgetLine.objects.filter(contract=contract, year=2016).order_by("pk").first()
    # Less, not more: every year of the demo is allocated up to its envelope. Every line is
    # committed in full too: its execution is removed first, around the services, which
    # marks nothing (only the save below may renew the pages).
    ExecutionEntry.objects.filter(line=line).delete()
    line.amount -= Decimal("1234.00")
    budget_line_save(line=line, by=User.objects.get(username="finance"))
    return None


def _delete_a_payment_in_the_admin(contract):
    payment = (
        ExecutionEntry.objects.filter(
            line__contract=contract, kind=ExecutionKind.PAYMENT, line__year=2015
        )
        .order_by("-date")
        .first()
    )
    url = reverse("admin:financing_executionentry_delete", args=[payment.pk])
    assert _admin_client().post(url, {"post": "yes"}).status_code == 302
    assert not ExecutionEntry.objects.filter(pk=payment.pk).exists()
    return None


def _rename_an_author(contract):
    _edit_fiche_through_the_service(contract)
    user = User.objects.get(username="cdaje")
    user.first_name, user.last_name = "Sophie", "Durand-Martin"
    user.save()
    return "Durand-Martin"


# Changes to the contract's content, made directly: on a contract in preparation (a signed
# one's content changes only through an avenant).
CONTENT_CHANGES = {
    _rename_fiche_in_admin,
    _edit_fiche_through_the_service,
    _rename_objective,
    _change_aims,
    _change_a_budget_line,
    _rename_an_author,
}


@pytest.mark.parametrize(
    ("url", "change"),
    [
        ("/fiches/", _rename_fiche_in_admin),
        ("/", _rename_fiche_in_admin),
        ("/fiches/5/", _edit_fiche_through_the_service),
        ("/fiches/5/history/", _edit_fiche_through_the_service),
        ("/", _rename_objective),
        ("/", _rename_partner),
        ("/fiches/5/", _change_aims),
        ("/budget/", _change_a_budget_line),
        ("/budget/?year=2016", _change_a_budget_line),
        ("/", _change_a_budget_line),
        ("/budget/?year=2015", _delete_a_payment_in_the_admin),
        ("/fiches/5/history/", _rename_an_author),
    ],
    ids=lambda value: value if isinstance(value, str) else value.__name__,
)
def test_a_change_shows_on_the_next_view(client, demo, demo_user, request, url, change):
    if change in CONTENT_CHANGES:
        request.getfixturevalue("contract_in_preparation")
    client.force_login(demo_user("cdaje"))
    before = cached_html(client, BASE + url)
    expected = change(Contract.objects.get(slug=DEMO_SLUG))
    after = html(client, BASE + url)
    assert after != before
    if expected:
        assert expected not in before
        assert expected in after


def test_the_contract_list_follows_the_contracts_it_shows(
    client, contract_in_preparation, demo_user
):
    client.force_login(demo_user("partner-caf"))
    before = cached_html(client, "/contracts/")
    expected = _rename_territory(None)
    assert expected in html(client, "/contracts/")
    assert expected not in before
    # A contract in preparation (an expired or signed one is frozen in the admin too).
    _change_in_admin(contract_in_preparation, title="Contrat enfance jeunesse de la Loire révisé")
    assert "Contrat enfance jeunesse de la Loire révisé" in html(client, "/contracts/")


def test_a_download_updates_the_counter_of_the_documents_page(client, sealed_demo, demo_user):
    client.force_login(demo_user("partner-caf"))
    url = f"{BASE}/documents/"
    assert "aucun téléchargement" in cached_html(client, url)
    document = Document.objects.get(contract__slug=DEMO_SLUG, kind="signed_contract")
    assert client.get(f"{url}{document.pk}/download/").status_code == 200
    assert "1 téléchargement" in html(client, url)


def test_many_writes_mark_their_contract_once(demo):
    contract = Contract.objects.get(slug=DEMO_SLUG)
    with CaptureQueriesContext(connection) as queries, page_cache.one_mark_per_contract():
        for _ in range(5):
            page_cache.mark_contract_changed(contract.pk)
    touches = [q for q in queries.captured_queries if is_touch(q["sql"])]
    assert len(touches) == 1
    assert Contract.objects.get(pk=contract.pk).content_token != contract.content_token


def test_each_user_sees_the_controls_of_their_role(client, contract_in_preparation, demo_user):
    """Finance and CDAJE share the cached budget figures, not each other's controls (a
    contract in preparation: a signed one's lines change only through an avenant)."""
    client.force_login(demo_user("finance"))
    finance_page = cached_html(client, f"{BASE}/budget/")
    client.force_login(demo_user("cdaje"))
    cdaje_page = cached_html(client, f"{BASE}/budget/")
    assert "lines/new/" in finance_page
    assert "lines/new/" not in cdaje_page


def test_forms_in_a_cached_page_carry_the_viewers_own_csrf_token(demo, demo_user):
    from django.test import Client

    url = f"{BASE}/documents/"
    tokens = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True)
        client.force_login(demo_user("cdaje"))
        page = cached_html(client, url)
        assert page_cache.CSRF_PLACEHOLDER not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        # The token works: a deposit without a file is refused by the form (400), not by
        # the CSRF check (403).
        response = client.post(f"{url}deposit/", {"csrfmiddlewaretoken": token})
        assert response.status_code == 400
        tokens.append(client.cookies["csrftoken"].value)
    assert tokens[0] != tokens[1]


def test_the_language_is_part_of_the_key(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    french = cached_html(client, f"{BASE}/fiches/")
    client.cookies["django_language"] = "en"
    english = cached_html(client, f"{BASE}/fiches/")
    assert "Fiches actions" in french and "Action sheets" not in french
    assert "Action sheets" in english


def test_a_confirmed_import_shows_on_the_budget_page(client, contract_in_preparation, demo_user):
    """Many lines written at once under one_mark_per_contract: one new token, at the end
    (a contract in preparation: a signed one's lines change only through an avenant)."""
    import io

    import openpyxl

    from financing.imports import apply_import, prepare_import

    client.force_login(demo_user("finance"))
    before = cached_html(client, f"{BASE}/budget/?year=2015")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"{BASE}/budget/export.xlsx").content))
    sheet = workbook["Lignes budgétaires"]
    sheet["G6"] = "Plan de communication revu à l'import"
    output = io.BytesIO()
    workbook.save(output)
    contract = Contract.objects.get(slug=DEMO_SLUG)
    plan = prepare_import(contract=contract, data=output.getvalue(), filename="budget.xlsx")
    assert not plan.errors
    with CaptureQueriesContext(connection) as queries:
        apply_import(plan=plan, by=demo_user("finance"))
    touches = [q for q in queries.captured_queries if is_touch(q["sql"])]
    assert len(touches) == 1
    after = html(client, f"{BASE}/budget/?year=2015")
    assert "revu à l&#x27;import" in after and "revu à l&#x27;import" not in before
