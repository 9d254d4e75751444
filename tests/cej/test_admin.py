"""Every admin changelist, add form and change form renders for an administrator; the admin
saves through the services, and refuses what they refuse: a signed contract's content changes
only through an avenant, an expired or terminated contract not at all."""

import html
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.admin_templates]

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)
IDS = [model._meta.label for model in REGISTERED]


@pytest.fixture
def admin_client_demo(client, demo, demo_user, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    _add_what_the_demo_lacks(demo.contract)
    client.force_login(demo_user("admin"))
    return client


def _add_what_the_demo_lacks(contract):
    """The `demo` fixture stores no document (sealing is load_demo's last step) and no
    log-in record: add a stored act for its signed avenant n° 1, a download of it, and one
    of each log-in record, so that their admin pages are exercised too."""
    import hashlib

    from django.core.files.base import ContentFile

    from cej.models import Document, DocumentDownload, DocumentKind

    amendment = contract.amendments.get(number=1)
    content = b"%PDF-1.4 test"
    document = Document(
        contract=contract,
        kind=DocumentKind.AMENDMENT,
        title="Avenant n° 1",
        amendment=amendment,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    document.file.save("avenant-1.pdf", ContentFile(content))
    DocumentDownload.objects.create(document=document, user=None, username="partner-caf")
    # django-axes' records: a lockout, a log-in and a failure, as the administrator sees them.
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    where = {"user_agent": "Firefox", "ip_address": "10.0.0.8", "username": "cdaje"}
    AccessAttempt.objects.create(
        **where,
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    AccessLog.objects.create(**where, http_accept="*/*", path_info="/accounts/login/")
    AccessFailureLog.objects.create(
        **where, http_accept="*/*", path_info="/accounts/login/", locked_out=True
    )
    # A personal access token, as its owner creates it on /api/tokens/.
    import datetime

    from django.contrib.auth import get_user_model

    from api.tokens import create_token

    create_token(
        user=get_user_model().objects.get(username="partner-caf"),
        name="Outil de la CAF",
        expires_on=datetime.date.today() + datetime.timedelta(days=30),
    )


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_changelist_renders(admin_client_demo, model):
    response = admin_client_demo.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    # Search and every filter work too.
    assert admin_client_demo.get(admin_url(model, "changelist"), {"q": "Loire"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_change_form_renders(admin_client_demo, model):
    obj = model.objects.order_by("pk").first()
    if obj is None:
        pytest.fail(f"The demo has no {model._meta.label}: add one so its form is tested.")
    response = admin_client_demo.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=IDS)
def test_add_form_renders_or_is_refused_on_purpose(admin_client_demo, model):
    response = admin_client_demo.get(admin_url(model, "add"))
    model_admin = admin.site._registry[model]
    expected = 200 if model_admin.has_add_permission(_request_for(admin_client_demo)) else 403
    assert response.status_code == expected


def _request_for(client):
    from django.contrib.auth import get_user
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = get_user(client)
    return request


def test_the_admin_is_in_french(admin_client_demo):
    response = admin_client_demo.get(reverse("admin:index"))
    content = response.content.decode()
    assert "Contrats enfance jeunesse" in content
    assert "Lignes budgétaires" in content
    assert "Fiches actions" in content


def test_amounts_are_shown_in_french_format(admin_client_demo):
    response = admin_client_demo.get(admin_url(_model("financing.BudgetLine"), "changelist"))
    assert "120\u202f000,00\u00a0€" in response.content.decode()


def test_the_contract_form_shows_objectives_and_fiches_inline(admin_client_demo, demo_contract):
    response = admin_client_demo.get(admin_url(_model("cej.Contract"), "change", demo_contract.pk))
    content = response.content.decode()
    assert "Développer le partenariat, la mise en réseau, la communication" in content
    assert "Plan de communication petite enfance" in content


def test_the_shares_are_shown_not_edited_and_follow_the_forecast_in_the_admin(
    admin_client_demo, contract_in_preparation
):
    """The demo's 2015 communication line: 38 000 €, 3 000 € of other receipts, new."""
    from financing.models import BudgetLine, BudgetLineVersion

    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="communication"
    )
    url = admin_url(BudgetLine, "change", line.pk)
    page = admin_client_demo.get(url)
    assert "contributions-0-amount" not in page.content.decode()
    data = _form_data(page)
    data.update(other_receipts="1000.00", continued="on")
    response = admin_client_demo.post(url, data)
    assert response.status_code == 302, response.content.decode()
    line.refresh_from_db()
    assert (line.other_receipts, line.continued) == (Decimal("1000.00"), True)
    # 37 000 € of net cost at 60 %: CAF 19 980 €, MSA 2 220 €, the Département 14 800 €.
    assert dict(line.contributions.values_list("partner__slug", "amount")) == {
        "caf42": Decimal("19980.00"),
        "msa-adl": Decimal("2220.00"),
        "cg42": Decimal("14800.00"),
    }
    version = BudgetLineVersion.objects.get(line=line, number=line.version)
    assert version.action == "Modification (administration)"


def test_actuals_are_declared_through_their_service_in_the_admin(admin_client_demo, demo):
    """On the signed contract: the forecast is refused (only an avenant changes it), the
    actual figures are execution."""
    from financing.models import BudgetLine, BudgetLineVersion

    line = BudgetLine.objects.get(contract=demo.contract, year=2015, post__code="communication")
    url = admin_url(BudgetLine, "change", line.pk)
    data = _form_data(admin_client_demo.get(url))
    data.update(actual_expenses="37000.00", actual_receipts="2500.00")
    response = admin_client_demo.post(url, data)
    assert response.status_code == 302, response.content.decode()
    line.refresh_from_db()
    assert (line.actual_expenses, line.actual_receipts) == (Decimal("37000.00"), Decimal("2500.00"))
    assert BudgetLineVersion.objects.get(line=line, number=line.version).action == (
        "Réalisé déclaré"
    )
    data = _form_data(admin_client_demo.get(url))
    data.update(label="Affiches")
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert AVENANT in page
    line.refresh_from_db()
    assert line.label == ""
    data = _form_data(admin_client_demo.get(url))
    data.update(actual_receipts="")
    response = admin_client_demo.post(url, data)
    assert "Le réalisé se déclare entier" in response.content.decode()


def test_an_envelope_overrun_is_refused_in_the_admin(admin_client_demo, contract_in_preparation):
    from financing.models import BudgetLine

    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="communication"
    )
    url = admin_url(BudgetLine, "change", line.pk)
    data = _form_data(admin_client_demo.get(url))
    data["amount"] = "90000.00"
    response = admin_client_demo.post(url, data)
    assert response.status_code == 200
    assert "L’enveloppe 2015 serait dépassée" in response.content.decode().replace(
        "&#x27;", "’"
    ).replace("'", "’")
    line.refresh_from_db()
    assert str(line.amount) == "38000.00"


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def _form_data(response) -> dict:
    """The values a browser would submit from the admin change form."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    for formset in response.context["inline_admin_formsets"]:
        fs = formset.formset
        management = fs.management_form
        for name in management.fields:
            data[f"{fs.prefix}-{name}"] = str(management[name].value())
        for sub in fs.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None and value is not False:
                    data[sub.add_prefix(name)] = str(value)
    return data


def test_a_budget_line_changed_in_the_admin_keeps_a_version(
    admin_client_demo, contract_in_preparation
):
    from financing.models import BudgetLine, BudgetLineVersion

    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2016, post__code="communication"
    )
    url = admin_url(BudgetLine, "change", line.pk)
    data = _form_data(admin_client_demo.get(url))
    data["label"] = "Campagne d'affichage"
    assert admin_client_demo.post(url, data).status_code == 302
    version = BudgetLineVersion.objects.filter(line=line).order_by("-number").first()
    assert version.action == "Modification (administration)"
    assert version.author.username == "admin"


# --- the admin saves through the services ------------------------------------------------


def _reopened_fiche(contract, number=5):
    from fiches.models import Fiche, FicheStatus

    fiche = Fiche.objects.get(contract=contract, number=number)
    Fiche.objects.filter(pk=fiche.pk).update(status=FicheStatus.REOPENED)
    fiche.refresh_from_db()
    return fiche


def test_a_fiche_changed_in_the_admin_goes_through_the_service(
    admin_client_demo, contract_in_preparation
):
    from fiches.models import Fiche

    fiche = _reopened_fiche(contract_in_preparation)
    url = admin_url(Fiche, "change", fiche.pk)
    data = _form_data(admin_client_demo.get(url))
    data["title"] = "Accueil des enfants handicapés : titre revu"
    assert admin_client_demo.post(url, data).status_code == 302
    fiche.refresh_from_db()
    latest = fiche.versions.order_by("-number").first()
    assert (fiche.title, fiche.version, latest.number) == (data["title"], 2, 2)
    assert latest.action == "Modification (administration)"
    assert latest.author.username == "admin"
    assert latest.snapshot["title"] == data["title"]


def test_a_stale_fiche_form_in_the_admin_is_refused_and_keeps_what_was_typed(
    admin_client_demo, contract_in_preparation
):
    from fiches.models import Fiche
    from fiches.services import fiche_update

    fiche = _reopened_fiche(contract_in_preparation)
    url = admin_url(Fiche, "change", fiche.pk)
    data = _form_data(admin_client_demo.get(url))
    fiche_update(  # someone else saves in between
        fiche=fiche,
        changes={"title": "Titre de l'équipe CDAJE"},
        associated_partners=list(fiche.associated_partners.all()),
        aims=list(fiche.aims.all()),
        expected_version=fiche.version,
        by=contract_in_preparation.territory.staff.first(),
    )
    data["title"] = "Titre de l'administrateur"
    response = admin_client_demo.post(url, data)
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert "a été modifié ou supprimé depuis l'ouverture de ce formulaire" in page
    assert "(version enregistrée : 2)" in page
    assert "Titre de l'administrateur" in page  # kept in the form
    fiche.refresh_from_db()
    assert fiche.title == "Titre de l'équipe CDAJE"


def test_a_validated_fiche_is_not_changed_in_the_admin_either(
    admin_client_demo, contract_in_preparation
):
    from fiches.models import Fiche

    fiche = Fiche.objects.get(contract=contract_in_preparation, number=5)
    url = admin_url(Fiche, "change", fiche.pk)
    data = _form_data(admin_client_demo.get(url))
    data["title"] = "Changement hors avenant"
    response = admin_client_demo.post(url, data)
    assert response.status_code == 200
    assert (
        "La CDAJE a rendu un avis favorable sur cette fiche : rouvrez-la pour la modifier."
        in response.content.decode()
    )
    assert Fiche.objects.get(pk=fiche.pk).title == fiche.title


def test_a_signed_contract_is_changed_in_the_admin_only_through_an_avenant(admin_client_demo, demo):
    """The admin saves through the services, which keep a signed contract's content as
    signed: neither a fiche nor a planned line changes outside an avenant."""
    from fiches.models import Fiche
    from financing.models import BudgetLine

    fiche = _reopened_fiche(demo.contract)
    url = admin_url(Fiche, "change", fiche.pk)
    data = _form_data(admin_client_demo.get(url))
    data["title"] = "Changement hors avenant"
    response = admin_client_demo.post(url, data)
    assert response.status_code == 200
    assert "ne change que par avenant" in response.content.decode()
    assert Fiche.objects.get(pk=fiche.pk).title == fiche.title

    line = BudgetLine.objects.get(contract=demo.contract, year=2016, post__code="communication")
    url = admin_url(BudgetLine, "change", line.pk)
    data = _form_data(admin_client_demo.get(url))
    data["label"] = "Campagne d'affichage"
    response = admin_client_demo.post(url, data, follow=True)
    assert "ne change que par avenant" in response.content.decode()
    line.refresh_from_db()
    assert line.label != "Campagne d'affichage"


def test_a_refusal_only_the_service_sees_comes_back_as_a_message(
    admin_client_demo, contract_in_preparation, monkeypatch
):
    """Someone saved in the very instant between the form's check and the service."""
    from cej.versioning import VersionConflict
    from fiches import services
    from fiches.models import Fiche

    fiche = _reopened_fiche(contract_in_preparation)

    def conflict(**kwargs):
        raise services.EditConflict(
            record=fiche, base=None, base_number=fiche.version, current={}, latest=None
        )

    monkeypatch.setattr(services, "fiche_update", conflict)
    url = admin_url(Fiche, "change", fiche.pk)
    data = _form_data(admin_client_demo.get(url))
    data["title"] = "Titre jamais enregistré"
    response = admin_client_demo.post(url, data, follow=True)
    assert issubclass(services.EditConflict, VersionConflict)
    assert "une autre version entre-temps : rien n&#x27;a été enregistré" in (
        response.content.decode()
    )
    assert Fiche.objects.get(pk=fiche.pk).title != "Titre jamais enregistré"


def test_a_stale_budget_line_form_in_the_admin_is_refused(
    admin_client_demo, contract_in_preparation
):
    from financing.models import BudgetLine
    from financing.services import budget_line_save

    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2016, post__code="communication"
    )
    url = admin_url(BudgetLine, "change", line.pk)
    data = _form_data(admin_client_demo.get(url))
    line.label = "Libellé de l'agent financier"
    budget_line_save(line=line, by=None)
    data["label"] = "Libellé de l'administrateur"
    response = admin_client_demo.post(url, data)
    assert response.status_code == 200
    assert "a été modifié ou supprimé depuis l" in response.content.decode()
    line.refresh_from_db()
    assert line.label == "Libellé de l'agent financier"


def test_a_payment_deleted_in_the_admin_goes_through_the_service(admin_client_demo, demo):
    from financing.models import ExecutionEntry, ExecutionKind

    commitment = (
        ExecutionEntry.objects.filter(line__contract=demo.contract, kind=ExecutionKind.COMMITMENT)
        .filter(line__entries__kind=ExecutionKind.PAYMENT)
        .first()
    )
    url = admin_url(ExecutionEntry, "delete", commitment.pk)
    response = admin_client_demo.post(url, {"post": "yes"}, follow=True)
    assert "Cet engagement ne peut pas être supprimé" in response.content.decode()
    assert ExecutionEntry.objects.filter(pk=commitment.pk).exists()


# --- a signed contract changes only through an avenant, an ended one not at all ----------

AVENANT = "Le contrat est signé : son contenu ne change que par avenant."
OPEN_AVENANT = "Proposez cette modification dans l'avenant n° 2 en cours"


def _page(response) -> str:
    return html.unescape(response.content.decode())


def _post_form(client, url, **changes):
    """The change form as stored, with `changes`, submitted; the page it leads to."""
    data = _form_data(client.get(url))
    data.update(changes)
    return client.post(url, data, follow=True)


def _token(contract):
    from cej.models import Contract

    return Contract.objects.get(pk=contract.pk).content_token


def test_a_signed_contract_is_not_changed_in_the_admin(admin_client_demo, demo_contract):
    from cej.models import Contract

    url = admin_url(Contract, "change", demo_contract.pk)
    token = _token(demo_contract)
    page = _page(_post_form(admin_client_demo, url, title="Contrat renommé hors avenant"))
    assert AVENANT in page and OPEN_AVENANT in page
    assert Contract.objects.get(pk=demo_contract.pk).title == demo_contract.title
    assert _token(demo_contract) == token


def test_a_signed_contract_ends_in_the_admin_by_its_status_alone(admin_client_demo, demo_contract):
    from cej.models import Contract, ContractStatus

    url = admin_url(Contract, "change", demo_contract.pk)
    token = _token(demo_contract)
    response = _post_form(admin_client_demo, url, status=ContractStatus.TERMINATED)
    assert response.redirect_chain[0][1] == 302
    assert "error" not in [m.level_tag for m in response.context["messages"]]
    assert Contract.objects.get(pk=demo_contract.pk).status == ContractStatus.TERMINATED
    assert _token(demo_contract) != token


def test_ending_a_signed_contract_changes_nothing_else_in_the_same_save(
    admin_client_demo, demo_contract
):
    from cej.models import Contract, ContractStatus

    url = admin_url(Contract, "change", demo_contract.pk)
    page = _page(_post_form(admin_client_demo, url, status=ContractStatus.EXPIRED, end_year="2018"))
    assert AVENANT in page
    stored = Contract.objects.get(pk=demo_contract.pk)
    assert (stored.status, stored.end_year) == (ContractStatus.SIGNED, 2017)


def test_a_signed_contract_does_not_go_back_to_preparation_in_the_admin(
    admin_client_demo, demo_contract
):
    from cej.models import Contract, ContractStatus

    url = admin_url(Contract, "change", demo_contract.pk)
    page = _page(_post_form(admin_client_demo, url, status=ContractStatus.DRAFT))
    assert "Son statut ne peut plus passer qu'à « Échu » ou « Résilié »." in page
    assert Contract.objects.get(pk=demo_contract.pk).status == ContractStatus.SIGNED


def test_the_signed_contracts_inlines_are_not_changed_in_the_admin(
    admin_client_demo, demo_contract
):
    """Its annex convention's years, its objectives, its parties: nothing of the form saved,
    not even a status that alone would have been accepted."""
    from cej.models import Contract, ContractStatus

    url = admin_url(Contract, "change", demo_contract.pk)
    data = _form_data(admin_client_demo.get(url))
    prefix = next(k for k in data if k.endswith("-end_year") and k.startswith("annex"))
    data[prefix] = "2016"
    data["status"] = ContractStatus.TERMINATED
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert AVENANT in page
    assert Contract.objects.get(pk=demo_contract.pk).status == ContractStatus.SIGNED
    assert demo_contract.annex_conventions.get().end_year == 2017


def _party(contract):
    return contract.parties.order_by("pk").first()


def _annex(contract):
    return contract.annex_conventions.order_by("pk").first()


def _objective(contract):
    return contract.objectives.order_by("pk").first()


CONTENT_ROWS = [
    ("cej.ContractParty", _party, {"order": "9"}),
    ("cej.AnnexConvention", _annex, {"end_year": "2016"}),
    ("fiches.Objective", _objective, {"title": "Objectif réécrit hors avenant"}),
]
CONTENT_IDS = [label for label, _row, _changes in CONTENT_ROWS]


@pytest.mark.parametrize("label, row, changes", CONTENT_ROWS, ids=CONTENT_IDS)
def test_a_signed_contracts_content_is_not_changed_in_the_admin(
    admin_client_demo, demo_contract, label, row, changes
):
    obj = row(demo_contract)
    model = _model(label)
    before = model.objects.filter(pk=obj.pk).values().get()
    page = _page(_post_form(admin_client_demo, admin_url(model, "change", obj.pk), **changes))
    assert AVENANT in page and OPEN_AVENANT in page
    assert model.objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.parametrize("label, row, changes", CONTENT_ROWS, ids=CONTENT_IDS)
def test_a_signed_contracts_content_is_not_deleted_in_the_admin(
    admin_client_demo, demo_contract, label, row, changes
):
    """Not offered: the deletion page leads back to the row, saying why."""
    obj = row(demo_contract)
    model = _model(label)
    url = admin_url(model, "delete", obj.pk)
    response = admin_client_demo.get(url, follow=True)
    assert response.redirect_chain == [(admin_url(model, "change", obj.pk), 302)]
    assert AVENANT in _page(response)
    assert AVENANT in _page(admin_client_demo.post(url, {"post": "yes"}, follow=True))
    assert model.objects.filter(pk=obj.pk).exists()


def test_a_signed_contracts_party_is_not_deleted_by_the_changelist_action(
    admin_client_demo, demo_contract
):
    from cej.models import ContractParty

    party = _party(demo_contract)
    action = {"action": "delete_selected", "_selected_action": [party.pk], "post": "yes"}
    url = admin_url(ContractParty, "changelist")
    assert AVENANT in _page(admin_client_demo.post(url, action, follow=True))
    assert ContractParty.objects.filter(pk=party.pk).exists()


def test_no_party_is_added_to_a_signed_contract_in_the_admin(admin_client_demo, demo_contract):
    from cej.models import ContractParty
    from tests.factories import PartnerFactory

    partner = PartnerFactory()
    url = admin_url(ContractParty, "add")
    data = {"contract": demo_contract.pk, "partner": partner.pk, "role": "funder", "order": "4"}
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert AVENANT in page
    assert not ContractParty.objects.filter(partner=partner).exists()


def test_a_signed_contract_is_not_deleted_in_the_admin(admin_client_demo, demo_contract):
    from cej.models import Contract

    url = admin_url(Contract, "delete", demo_contract.pk)
    page = _page(admin_client_demo.post(url, {"post": "yes"}, follow=True))
    assert "Le contrat est signé : il n'est pas supprimé." in page
    assert Contract.objects.filter(pk=demo_contract.pk).exists()


def test_a_contract_in_preparation_is_still_edited_in_the_admin(
    admin_client_demo, contract_in_preparation
):
    from fiches.models import Objective

    objective = _objective(contract_in_preparation)
    token = _token(contract_in_preparation)
    url = admin_url(Objective, "change", objective.pk)
    _post_form(admin_client_demo, url, title="Objectif reformulé")
    assert Objective.objects.get(pk=objective.pk).title == "Objectif reformulé"
    assert _token(contract_in_preparation) != token


def test_a_signed_contracts_fiche_is_not_changed_in_the_admin(admin_client_demo, demo_contract):
    from fiches.models import Fiche

    fiche = Fiche.objects.get(contract=demo_contract, number=5)
    url = admin_url(Fiche, "change", fiche.pk)
    response = _post_form(admin_client_demo, url, title="Fiche réécrite hors avenant")
    assert AVENANT in _page(response)
    assert Fiche.objects.get(pk=fiche.pk).title == fiche.title


def test_a_signed_contracts_budget_line_is_not_changed_in_the_admin(
    admin_client_demo, demo_contract
):
    from financing.models import BudgetLine

    line = BudgetLine.objects.get(contract=demo_contract, year=2016, post__code="communication")
    url = admin_url(BudgetLine, "change", line.pk)
    page = _page(_post_form(admin_client_demo, url, label="Ligne renommée hors avenant"))
    assert AVENANT in page
    assert BudgetLine.objects.get(pk=line.pk).label == line.label


@pytest.fixture
def ended_contract(demo_contract):
    from cej.models import Contract, ContractStatus

    Contract.objects.filter(pk=demo_contract.pk).update(status=ContractStatus.TERMINATED)
    demo_contract.refresh_from_db()
    return demo_contract


def test_a_terminated_contract_is_frozen_in_the_admin(admin_client_demo, ended_contract):
    """Everything refused: its status, its content, its documents' titles."""
    from cej.models import Contract, ContractStatus, Document

    frozen = "Le contrat est résilié : il est figé, plus rien n'y change."
    url = admin_url(Contract, "change", ended_contract.pk)
    assert frozen in _page(_post_form(admin_client_demo, url, status=ContractStatus.SIGNED))
    assert Contract.objects.get(pk=ended_contract.pk).status == ContractStatus.TERMINATED
    document = Document.objects.filter(contract=ended_contract).order_by("pk").first()
    url = admin_url(Document, "change", document.pk)
    assert frozen in _page(_post_form(admin_client_demo, url, title="Titre changé"))
    assert Document.objects.get(pk=document.pk).title == document.title
    objective = _objective(ended_contract)
    url = admin_url(_model("fiches.Objective"), "delete", objective.pk)
    assert frozen in _page(admin_client_demo.post(url, {"post": "yes"}, follow=True))


def test_a_signed_contracts_document_title_is_still_corrected(admin_client_demo, demo_contract):
    from cej.models import Document

    document = Document.objects.filter(contract=demo_contract).order_by("pk").first()
    _post_form(admin_client_demo, admin_url(Document, "change", document.pk), title="Avenant 1")
    assert Document.objects.get(pk=document.pk).title == "Avenant 1"


# --- avenants: read here, worked on their pages --------------------------------------------


def test_a_signed_avenant_is_read_only_in_the_admin(admin_client_demo, demo_contract):
    from cej.models import Amendment

    amendment = Amendment.objects.get(contract=demo_contract, number=1)
    response = admin_client_demo.get(admin_url(Amendment, "change", amendment.pk))
    page = _page(response)
    assert response.context["has_change_permission"] is False
    assert 'name="title"' not in page and 'name="status"' not in page
    # Its proposals, the parties' deliberations and its signatures, shown with it.
    assert "Ajout" in page and "Modification" in page
    decision = amendment.decisions.first()
    assert decision.reference in page
    assert amendment.signatures.first().place in page
    data = {"title": "Titre changé après signature"}
    assert admin_client_demo.post(admin_url(Amendment, "change", amendment.pk), data)
    assert Amendment.objects.get(pk=amendment.pk).title == amendment.title


def test_an_open_avenants_object_is_corrected_through_its_service(admin_client_demo, demo_contract):
    from cej.models import Amendment, AmendmentStatus

    amendment = Amendment.objects.get(contract=demo_contract, number=2)
    url = admin_url(Amendment, "change", amendment.pk)
    page = _page(admin_client_demo.get(url))
    assert 'name="title"' in page and 'name="status"' not in page
    token = _token(demo_contract)
    _post_form(admin_client_demo, url, title="Information des familles", status="signed")
    stored = Amendment.objects.get(pk=amendment.pk)
    assert (stored.title, stored.status) == ("Information des familles", AmendmentStatus.DRAFT)
    assert _token(demo_contract) != token


def test_no_avenant_is_added_or_deleted_in_the_admin(admin_client_demo, demo_contract):
    from cej.models import Amendment

    amendment = Amendment.objects.get(contract=demo_contract, number=2)
    assert admin_client_demo.get(admin_url(Amendment, "add")).status_code == 403
    assert admin_client_demo.get(admin_url(Amendment, "delete", amendment.pk)).status_code == 403
    admin_client_demo.post(admin_url(Amendment, "delete", amendment.pk), {"post": "yes"})
    assert Amendment.objects.filter(pk=amendment.pk).exists()


# --- a partner's former names ------------------------------------------------------------


def test_a_partners_former_name_is_edited_with_it_and_marks_its_contracts(
    admin_client_demo, demo_contract
):
    from partners.models import Partner

    partner = Partner.objects.get(slug="cg42")
    url = admin_url(Partner, "change", partner.pk)
    data = _form_data(admin_client_demo.get(url))
    key = next(k for k in data if k.startswith("former_names-0-") and k.endswith("-name"))
    assert data[key] == "Conseil général de la Loire"
    token = _token(demo_contract)
    data[key] = "Conseil général du département de la Loire"
    assert admin_client_demo.post(url, data).status_code == 302
    assert partner.former_names.get().name == "Conseil général du département de la Loire"
    assert _token(demo_contract) != token


# --- the money cycle's parameters and records, through their services --------------------


def _caf_cej_terms(contract):
    from financing.models import FundingTerms, Instrument

    return FundingTerms.objects.get(
        contract=contract, instrument=Instrument.CEJ, funder__slug="caf42"
    )


def test_funding_terms_changed_in_the_admin_recompute_the_lines_shares(
    admin_client_demo, contract_in_preparation
):
    from financing.models import BudgetLine, FundingTerms

    terms = _caf_cej_terms(contract_in_preparation)
    url = admin_url(FundingTerms, "change", terms.pk)
    data = _form_data(admin_client_demo.get(url))
    data["rate_new"] = "50.00"
    response = admin_client_demo.post(url, data)
    assert response.status_code == 302, response.content.decode()
    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="communication"
    )
    # 35 000 € of net cost: the CAF 90 % × 50 % now; the MSA unchanged (55 %).
    assert dict(line.contributions.values_list("partner__slug", "amount")) == {
        "caf42": Decimal("15750.00"),
        "msa-adl": Decimal("1925.00"),
        "cg42": Decimal("17325.00"),
    }


def test_funding_terms_of_a_signed_contract_are_refused_in_the_admin(admin_client_demo, demo):
    from financing.models import BudgetLine, FundingTerms

    terms = _caf_cej_terms(demo.contract)
    url = admin_url(FundingTerms, "change", terms.pk)
    data = _form_data(admin_client_demo.get(url))
    data["rate_new"] = "50.00"
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert AVENANT in page
    assert _caf_cej_terms(demo.contract).rate_new == Decimal("55.00")
    line = BudgetLine.objects.get(contract=demo.contract, year=2015, post__code="communication")
    assert line.contributions.get(partner__slug="caf42").amount == Decimal("17325.00")


def test_terms_whose_shares_pass_100_percent_are_refused_in_the_admin(
    admin_client_demo, contract_in_preparation
):
    from financing.models import FundingTerms

    terms = _caf_cej_terms(contract_in_preparation)
    url = admin_url(FundingTerms, "change", terms.pk)
    data = _form_data(admin_client_demo.get(url))
    data["share"] = "95.00"  # with the MSA's 10 %
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert "Les parts des financeurs dépasseraient 100 % du reste à charge." in page
    assert _caf_cej_terms(contract_in_preparation).share == Decimal("90.00")


def test_a_payment_schedule_is_saved_with_its_advances_in_the_admin(
    admin_client_demo, contract_in_preparation
):
    from financing.models import PaymentSchedule

    schedule = PaymentSchedule.objects.get(contract=contract_in_preparation, funder__slug="msa-adl")
    url = admin_url(PaymentSchedule, "change", schedule.pk)
    data = _form_data(admin_client_demo.get(url))
    data.update(
        {
            "advances-TOTAL_FORMS": "2",
            "advances-1-percent": "20.00",
            "advances-1-due_day": "30",
            "advances-1-due_month": "11",
        }
    )
    response = admin_client_demo.post(url, data)
    assert response.status_code == 302, response.content.decode()
    assert list(schedule.advances.values_list("number", "percent", "due_month")) == [
        (1, Decimal("70.00"), 6),
        (2, Decimal("20.00"), 11),
    ]
    data = _form_data(admin_client_demo.get(url))
    data["advances-1-percent"] = "40.00"
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert "Les acomptes font 110" in page
    assert schedule.advances.count() == 2


def test_a_funder_payment_is_recorded_and_deleted_through_its_service(admin_client_demo, demo):
    from financing.models import FunderPayment
    from partners.models import Partner

    caf = Partner.objects.get(slug="caf42")
    url = admin_url(FunderPayment, "add")
    data = {
        "contract": demo.contract.pk,
        "funder": caf.pk,
        "year": "2016",
        "kind": "refund",
        "amount": "999999.00",
        "received_on": "2017-10-02",
        "reference": "OR-2016-1",
        "note": "",
    }
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert "Un reversement ne peut pas dépasser ce que le financeur a versé" in page
    assert not FunderPayment.objects.filter(reference="OR-2016-1").exists()
    data.update(kind="advance", amount="1000.00", reference="MAN-2016-A")
    assert admin_client_demo.post(url, data).status_code == 302
    payment = FunderPayment.objects.get(reference="MAN-2016-A")
    assert payment.recorded_by.username == "admin"
    response = admin_client_demo.post(
        admin_url(FunderPayment, "delete", payment.pk), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not FunderPayment.objects.filter(pk=payment.pk).exists()


def test_a_party_role_changed_in_the_admin_moves_the_shares(
    admin_client_demo, contract_in_preparation
):
    """The MSA made the beneficiary instead of the Département: refused, one beneficiary per
    contract; the Département made a funder with no terms leaves no one to carry the rest."""
    from cej.models import ContractParty, PartyRole

    party = ContractParty.objects.get(contract=contract_in_preparation, partner__slug="cg42")
    url = admin_url(ContractParty, "change", party.pk)
    data = _form_data(admin_client_demo.get(url))
    assert data["role"] == PartyRole.BENEFICIARY
    data["role"] = PartyRole.FUNDER
    page = _page(admin_client_demo.post(url, data, follow=True))
    assert "Ce contrat n'a pas de bénéficiaire parmi ses parties" in page
    party.refresh_from_db()
    assert party.role == PartyRole.BENEFICIARY


def test_the_contract_form_edits_the_parties_roles(admin_client_demo, contract_in_preparation):
    from cej.models import Contract

    page = admin_client_demo.get(admin_url(Contract, "change", contract_in_preparation.pk))
    assert 'name="parties-0-role"' in page.content.decode()
