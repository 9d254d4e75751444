"""Pages that change the budget: a line's forecast (its split computed from the contract's
funding terms, never typed), its history, its deletion, and commitments and payments
against it. The demo's terms: CAF 90 % and MSA 10 % of each action's net cost, at 55 % for a
new action and 60 % for a continued one, within 100 000 € (demo/loire_money.py)."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from cej.models import Contract
from demo.loire import DEMO_SLUG
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    BudgetPost,
    ExecutionEntry,
    ExecutionKind,
    VersionKind,
)
from financing.services import budget_line_save
from partners.models import Partner
from tests.factories import BudgetLineFactory, UserFactory

pytestmark = pytest.mark.django_db

BUDGET = reverse("budget", kwargs={"slug": DEMO_SLUG})
NEW_LINE = reverse("budget_line_create", kwargs={"slug": DEMO_SLUG})
EUR = "\u00a0€"
THOUSANDS = "\u202f"


def url(name, line, slug=DEMO_SLUG):
    return reverse(name, kwargs={"slug": slug, "pk": line.pk})


def text_of(response) -> str:
    page = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(page))


def eur(text: str) -> str:
    """« 12 000,00 € » with the narrow no-break spaces the pages use."""
    return re.sub(r"(?<=\d) (?=\d)", THOUSANDS, text).replace(" €", EUR)


def partner(slug) -> Partner:
    return Partner.objects.get(slug=slug)


def post(code) -> BudgetPost:
    return BudgetPost.objects.get(code=code)


def shares(line) -> dict:
    """The stored split of a line, by partner slug."""
    return {c.partner.slug: c.amount for c in line.contributions.select_related("partner")}


def line_data(**values) -> dict:
    """A new 2015 communication line without fiche (the demo has one with fiche 14)."""
    data = {
        "year": 2015,
        "post": post("communication").pk,
        "fiche": "",
        "label": "Guide des modes d'accueil",
        "amount": "30 000,00",
        "other_receipts": "",
    }
    data.update(values)
    return data


def form_data(line) -> dict:
    """What the edit page posts back untouched."""
    form = line_form(line)
    return {
        name: ("" if form[name].value() is None else form[name].value()) for name in form.fields
    }


def line_form(line):
    from financing.forms import BudgetLineForm

    return BudgetLineForm(contract=line.contract, line=line)


@pytest.fixture
def spare_line(room_in_2015, demo_user):
    """A new 2015 line nothing was committed against: 30 000 € (CAF 14 850 €, MSA 1 650 €,
    the Département 13 500 €), on the demo contract in preparation."""
    return budget_line_save(
        line=BudgetLine(
            contract=room_in_2015,
            year=2015,
            post=post("communication"),
            label="Guide des modes d'accueil",
            amount=Decimal("30000"),
        ),
        by=demo_user("finance"),
    )


@pytest.fixture
def executed_line(contract_in_preparation):
    """The demo's 2015 coordination line: 120 000 € planned, all committed (its contract in
    preparation)."""
    return BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="coordination"
    )


@pytest.fixture
def finance(client, demo_user):
    client.force_login(demo_user("finance"))
    return client


# --- creating and editing ----------------------------------------------------------------


def test_creating_a_line_with_french_amounts(finance, room_in_2015, demo_user):
    assert finance.get(NEW_LINE).status_code == 200
    response = finance.post(
        NEW_LINE,
        line_data(
            amount="30 000,50",
        ),
    )
    assert response.status_code == 302 and response.url == BUDGET
    line = BudgetLine.objects.get(contract=room_in_2015, year=2015, fiche=None)
    assert line.amount == Decimal("30000.50")
    assert line.annex_convention is None
    # A new action with no other receipts: the CAF 90 % × 55 %, the MSA 10 % × 55 % of
    # its net cost (rounded to the cent), the Département the rest.
    assert shares(line) == {
        "caf42": Decimal("14850.25"),
        "msa-adl": Decimal("1650.03"),
        "cg42": Decimal("13500.22"),
    }
    version = BudgetLineVersion.objects.get(line=line)
    assert (version.number, version.kind, version.author) == (
        1,
        VersionKind.CREATED,
        demo_user("finance"),
    )
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Ligne « 2015 — Communication — Guide des modes d'accueil » créée."
    ]


def test_the_form_asks_for_the_forecast_and_explains_the_computed_split(
    finance, contract_in_preparation
):
    response = finance.get(NEW_LINE)
    assert list(response.context["form"].fields) == [
        "year",
        "post",
        "fiche",
        "label",
        "amount",
        "other_receipts",
        "continued",
    ]
    page = text_of(response)
    assert "Autres recettes prévues (€)" in page and "Action antérieure" in page
    assert "Contribution" not in page
    assert "Financement prévisionnel" in page
    assert "calculés à chaque enregistrement à partir des conditions de financement" in page
    assert "Département de la Loire finance le reste" in page
    # The terms they follow: CEJ and annex convention, each funder's rates and ceiling.
    assert "Conditions de financement du contrat" in page
    assert eur("100 000,00 €") in page and eur("40 000,00 €") in page
    assert "55\u00a0%" in page and "60\u00a0%" in page and "90\u00a0%" in page


def test_the_edit_page_shows_the_lines_forecast_plan(finance, contract_in_preparation):
    """The demo's 2015 communication line: 38 000 € with 3 000 € of other receipts, a new
    action: 35 000 € of net cost."""
    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="communication"
    )
    response = finance.get(url("budget_line_edit", line))
    rows = {label: forecast for label, forecast, _actual in response.context["financing"].rows}
    assert rows == {
        "Dépenses": Decimal("38000.00"),
        "Autres recettes (hors PSEJ)": Decimal("3000.00"),
        "Reste à charge": Decimal("35000.00"),
        "PSEJ Caisse d'allocations familiales de la Loire": Decimal("17325.00"),
        "PSEJ Caisse de mutualité sociale agricole Ardèche Drôme Loire": Decimal("1925.00"),
        "Part du bénéficiaire (Département de la Loire)": Decimal("15750.00"),
    }
    page = text_of(response)
    assert "Financement prévisionnel enregistré" in page
    assert eur("PSEJ Caisse d'allocations familiales de la Loire 17 325,00 €") in page
    assert eur("Part du bénéficiaire (Département de la Loire) 15 750,00 €") in page
    assert response.context["form"]["other_receipts"].value() == Decimal("3000.00")


def test_the_year_can_be_chosen_from_the_budget_page(finance, contract_in_preparation):
    assert finance.get(f"{NEW_LINE}?year=2016").context["form"]["year"].value() == 2016
    assert finance.get(f"{NEW_LINE}?year=2031").context["form"]["year"].value() is None
    assert finance.get(f"{NEW_LINE}?year=abc").status_code == 200


def test_an_envelope_overrun_is_refused_next_to_the_amount(finance, room_in_2015):
    # 2015 holds 158 000 € of the 198 000 €: 52 000 more is 12 000 too many.
    data = line_data(amount="52 000")
    response = finance.post(NEW_LINE, data)
    assert response.status_code == 200
    message = eur("L'enveloppe 2015 serait dépassée de 12 000,00 €")
    assert message in response.context["form"].errors["amount"][0]
    assert message in text_of(response)
    page = response.content.decode()
    assert 'aria-describedby="id_amount_helptext id_amount_error"' in page
    assert 'id="id_amount_error"' in page
    assert not BudgetLine.objects.filter(year=2015, fiche=None).exists()


def test_receipts_above_the_amount_are_refused_next_to_them(finance, room_in_2015):
    response = finance.post(NEW_LINE, line_data(amount="45 000", other_receipts="45 000,01"))
    assert response.status_code == 200
    message = eur(
        "Les autres recettes prévues (45 000,01 €) dépassent le montant prévu (45 000,00 €) : "
        "le reste à charge serait négatif."
    )
    assert response.context["form"].errors["other_receipts"] == [message]
    page = response.content.decode()
    assert f'<p class="field-error" id="id_other_receipts_error">{html.escape(message)}' in page
    assert not BudgetLine.objects.filter(year=2015, fiche=None).exists()


def test_receipts_and_a_continued_action_set_the_computed_split(finance, room_in_2015):
    response = finance.post(
        NEW_LINE, line_data(amount="38 000", other_receipts="3 000", continued="on")
    )
    assert response.status_code == 302
    line = BudgetLine.objects.get(contract=room_in_2015, year=2015, fiche=None)
    assert (line.other_receipts, line.continued) == (Decimal("3000.00"), True)
    # 35 000 € of net cost at the rate of continued actions, 60 %.
    assert shares(line) == {
        "caf42": Decimal("18900.00"),
        "msa-adl": Decimal("2100.00"),
        "cg42": Decimal("14000.00"),
    }
    snapshot = BudgetLineVersion.objects.get(line=line).snapshot
    assert (snapshot["other_receipts"], snapshot["continued"]) == ("3000.00", True)


def test_the_demos_continued_coordination_line_is_split_within_the_ceiling(
    finance, contract_in_preparation
):
    """2015 coordination: 120 000 €, carried over from 2010–2013; its funders retain
    100 000 € of it (their ceiling), at 60 %."""
    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="coordination"
    )
    assert (line.amount, line.continued) == (Decimal("120000.00"), True)
    assert shares(line) == {
        "caf42": Decimal("54000.00"),
        "msa-adl": Decimal("6000.00"),
        "cg42": Decimal("60000.00"),
    }
    response = finance.post(url("budget_line_edit", line), {**form_data(line), "label": "Coord."})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.continued and shares(line)["caf42"] == Decimal("54000.00")


def test_the_annex_convention_is_chosen_from_the_post_and_must_cover_the_year(
    client, contract, partners, disability_scheme, caf_terms
):
    """The financing conftest's contract: its annex convention covers 2014 only."""
    client.force_login(UserFactory(finance=True, territory=contract.territory))
    new_line = reverse("budget_line_create", kwargs={"slug": contract.slug})
    data = {
        "year": 2016,
        "post": disability_scheme.pk,
        "fiche": "",
        "label": "",
        "amount": "1 000",
    }
    response = client.post(new_line, data)
    assert response.status_code == 200
    assert "La convention annexe ne couvre pas 2016" in response.context["form"].errors["year"][0]
    assert "La convention annexe ne couvre pas 2016" in text_of(response)
    assert client.post(new_line, {**data, "year": 2014}).status_code == 302
    line = BudgetLine.objects.get(contract=contract, post=disability_scheme)
    assert line.annex_convention == contract.annex_conventions.get()
    # The CAF's terms are the CEJ's only: the annex line is all the beneficiary's.
    assert shares(line) == {partners["cg"].slug: Decimal("1000.00")}


def test_since_avenant_1_the_demo_convention_covers_2016_and_the_envelope_refuses(
    finance, contract_in_preparation
):
    scheme = post("accueil-enfants-handicapes")
    response = finance.post(NEW_LINE, line_data(year=2016, post=scheme.pk))
    text = text_of(response)
    assert "L'enveloppe 2016 serait dépassée" in text
    assert "La convention annexe ne couvre pas" not in text


def test_moving_an_annex_line_to_a_cej_post_drops_the_convention(finance, contract_in_preparation):
    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2014, post__code="accueil-enfants-handicapes"
    )
    assert line.annex_convention is not None
    data = {**form_data(line), "post": post("communication").pk}
    response = finance.post(url("budget_line_edit", line), data)
    assert response.status_code == 302, response.context["form"].errors
    line.refresh_from_db()
    assert (line.post.code, line.annex_convention) == ("communication", None)


def test_a_duplicate_line_is_a_clear_message(finance, executed_line):
    data = line_data(
        year=2015,
        post=executed_line.post_id,
        fiche=executed_line.fiche_id,
        amount="1 000",
    )
    response = finance.post(NEW_LINE, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Une ligne existe déjà pour ce poste, cette année et cette fiche."
    ]
    assert "Une ligne existe déjà pour ce poste, cette année et cette fiche." in text_of(response)


def test_planned_cannot_go_below_what_is_committed(finance, executed_line):
    data = {**form_data(executed_line), "amount": "100 000"}
    response = finance.post(url("budget_line_edit", executed_line), data)
    assert response.status_code == 200
    assert (
        eur(
            "Le prévu (100 000,00 €) serait inférieur aux engagements déjà saisis (120 000,00 €) : "
            "écart de 20 000,00 €."
        )
        in response.context["form"].errors["amount"][0]
    )
    executed_line.refresh_from_db()
    assert executed_line.amount == Decimal("120000.00")


def test_an_amount_that_is_not_a_number_is_reported_in_french(finance, contract_in_preparation):
    response = finance.post(NEW_LINE, line_data(amount="trente mille"))
    assert response.context["form"].errors["amount"] == ["« trente mille » n'est pas un montant."]
    response = finance.post(NEW_LINE, line_data(amount="-5"))
    assert response.context["form"].errors["amount"] == [
        "Le montant « -5 » est négatif : un montant est positif ou nul."
    ]


def test_editing_a_line_and_its_split(finance, spare_line, demo_user):
    page = finance.get(url("budget_line_edit", spare_line))
    assert page.status_code == 200
    form = page.context["form"]
    assert form["amount"].value() == Decimal("30000.00")
    assert f'value="30{THOUSANDS}000,00"' in page.content.decode()
    data = {
        **form_data(spare_line),
        "amount": "36 000",
        "other_receipts": "1 000,00",
        "continued": "on",
    }
    response = finance.post(url("budget_line_edit", spare_line), data)
    assert response.status_code == 302 and response.url == BUDGET
    spare_line.refresh_from_db()
    assert (spare_line.version, spare_line.amount) == (2, Decimal("36000.00"))
    assert (spare_line.other_receipts, spare_line.continued) == (Decimal("1000.00"), True)
    # 35 000 € of net cost, now at the rate of continued actions (60 %).
    assert shares(spare_line) == {
        "caf42": Decimal("18900.00"),
        "msa-adl": Decimal("2100.00"),
        "cg42": Decimal("14000.00"),
    }
    assert spare_line.updated_by == demo_user("finance")


# --- no lost update ----------------------------------------------------------------------


def test_a_conflicting_save_keeps_what_was_typed_and_shows_the_other_change(
    client, spare_line, demo_user
):
    opened = form_data(spare_line)
    client.force_login(demo_user("admin"))
    response = client.post(url("budget_line_edit", spare_line), {**opened, "label": "Guide 2015"})
    assert response.status_code == 302
    client.force_login(demo_user("finance"))
    mine = {**opened, "amount": "36 000,00", "other_receipts": "1 500,00"}
    response = client.post(url("budget_line_edit", spare_line), mine)
    assert response.status_code == 409
    text = text_of(response)
    assert "Quelqu’un a enregistré cette ligne pendant que vous la modifiiez" in text
    assert "Alice Administratrice a enregistré la version 2" in text
    changes = response.context["conflict"]["changes"]
    assert [c.label for c in changes] == ["Libellé"]
    assert str(changes[0].after) == "Guide <ins>2015</ins>"
    assert response.context["conflict"]["both_changed"] == []
    assert '<div class="form-errors" role="alert"></div>' not in response.content.decode()
    form = response.context["form"]
    assert form["version"].value() == "2"
    # Her label is taken, what he typed is kept.
    assert form["label"].value() == "Guide 2015"
    assert form["amount"].value() == "36 000,00"
    assert form["other_receipts"].value() == "1 500,00"
    spare_line.refresh_from_db()
    assert (spare_line.amount, spare_line.label) == (Decimal("30000.00"), "Guide 2015")
    # Saved again as the page now stands: both changes are kept.
    again = {name: form[name].value() or "" for name in form.fields}
    assert client.post(url("budget_line_edit", spare_line), again).status_code == 302
    spare_line.refresh_from_db()
    assert (spare_line.version, spare_line.amount, spare_line.label) == (
        3,
        Decimal("36000.00"),
        "Guide 2015",
    )


def test_a_field_changed_by_both_keeps_the_typed_value_and_is_named(client, spare_line, demo_user):
    opened = form_data(spare_line)
    client.force_login(demo_user("admin"))
    client.post(
        url("budget_line_edit", spare_line),
        {**opened, "amount": "31 000", "other_receipts": "1 000", "continued": "on"},
    )
    client.force_login(demo_user("finance"))
    response = client.post(
        url("budget_line_edit", spare_line),
        {**opened, "amount": "32 000", "other_receipts": "2 000"},
    )
    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert conflict["both_changed"] == ["Montant prévu (€)", "Autres recettes prévues (€)"]
    # The box she ticked and he left alone is ticked on his form now.
    assert response.context["form"]["continued"].value() is True
    assert [c.label for c in conflict["changes"]][:3] == [
        "Montant prévu",
        "Autres recettes prévues",
        "Action antérieure",
    ]
    assert response.context["form"]["amount"].value() == "32 000"
    assert str(conflict["changes"][0].after) == eur("<ins>31 000,00 €</ins>")
    assert "Modifiés par vous deux, à vérifier" in text_of(response)


def test_a_line_saved_before_versions_existed_still_refuses_a_stale_save(
    client, room_in_2015, demo_user
):
    # A line written without the services (an older database): no version rows.
    line = BudgetLine.objects.create(
        contract=room_in_2015, year=2015, post=post("communication"), amount=Decimal("100")
    )
    line.contributions.create(partner=partner("caf42"), amount=Decimal("100"))
    opened = form_data(line)
    client.force_login(demo_user("admin"))
    client.post(url("budget_line_edit", line), {**opened, "label": "Affiches"})
    client.force_login(demo_user("finance"))
    response = client.post(url("budget_line_edit", line), {**opened, "label": "Dépliants"})
    assert response.status_code == 409
    # Without the version he started from, nothing can be merged for him: all is kept as
    # typed and every difference is named.
    assert response.context["form"]["label"].value() == "Dépliants"
    assert response.context["conflict"]["both_changed"] == ["Libellé"]


# --- history -----------------------------------------------------------------------------


def test_history_shows_who_when_and_what_changed(finance, spare_line, demo_user):
    data = {**form_data(spare_line), "amount": "36 000"}
    finance.post(url("budget_line_edit", spare_line), data)
    response = finance.get(url("budget_line_history", spare_line))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(r["version"].number, r["version"].action) for r in rows] == [
        (2, "Modification"),
        (1, "Création"),
    ]
    assert [c.label for c in rows[0]["changes"]] == [
        "Montant prévu",
        "Financement prévisionnel : PSEJ Caisse d'allocations familiales de la Loire",
        "Financement prévisionnel : PSEJ Caisse de mutualité sociale agricole Ardèche Drôme Loire",
        "Financement prévisionnel : Part du bénéficiaire (Département de la Loire)",
    ]
    text = text_of(response)
    assert "Version 2 : Modification" in text
    assert "par Marc Bernard, le" in text
    assert eur("30 000,00 €") in text and eur("36 000,00 €") in text
    version = rows[0]["version"]
    # In the site's time zone (Paris): between 23:00 and midnight UTC it is already tomorrow.
    assert timezone.localtime(version.created_at).strftime("%d/%m/%Y") in text


def test_a_demo_lines_history_starts_with_the_signed_budget(client, demo, demo_user):
    """Not with the day the demo was loaded: the budget is the one signed on 1 October 2014,
    and the lines avenant n° 1 added date from its signature, on 26 May 2015."""
    lines = BudgetLine.objects.filter(contract=demo.contract, year=2015)
    client.force_login(demo_user("finance"))

    def history(line):
        page = client.get(reverse("budget_line_history", args=[demo.contract.slug, line.pk]))
        return page.content.decode()

    text = history(lines.get(post__code="coordination"))
    assert "Version 1 : Budget du contrat signé (reprise)" in text
    assert "le 1er octobre 2014" in text
    assert "reprise initiale" not in text
    text = history(lines.get(fiche__number=15))
    assert "Version 1 : Avenant n° 1" in text and "le 26 mai 2015" in text


def test_history_is_readable_by_everyone_in_scope(client, spare_line, demo_user):
    client.force_login(demo_user("partner-msa"))
    response = client.get(url("budget_line_history", spare_line))
    assert response.status_code == 200
    assert "Modifier la ligne" not in text_of(response)


def test_history_queries_do_not_grow_with_versions(
    finance, spare_line, django_assert_max_num_queries
):
    history = url("budget_line_history", spare_line)
    with django_assert_max_num_queries(10) as baseline:
        finance.get(history)
    baseline_count = len(baseline.captured_queries)
    for amount in range(31000, 41000, 1000):
        spare_line.refresh_from_db()
        data = {**form_data(spare_line), "amount": str(amount)}
        assert finance.post(url("budget_line_edit", spare_line), data).status_code == 302
    assert BudgetLineVersion.objects.filter(line=spare_line).count() == 11
    with django_assert_max_num_queries(baseline_count):
        finance.get(history)


def test_edit_page_queries_are_bounded(finance, spare_line, django_assert_max_num_queries):
    with django_assert_max_num_queries(16) as baseline:
        finance.get(url("budget_line_edit", spare_line))
    baseline_count = len(baseline.captured_queries)
    for label in ("a", "b", "c", "d", "e"):
        spare_line.refresh_from_db()
        finance.post(url("budget_line_edit", spare_line), {**form_data(spare_line), "label": label})
    assert BudgetLineVersion.objects.filter(line=spare_line).count() == 6
    with django_assert_max_num_queries(baseline_count):
        finance.get(url("budget_line_edit", spare_line))


# --- deleting ----------------------------------------------------------------------------


def test_a_line_with_entries_cannot_be_deleted(finance, executed_line):
    reason = (
        "Cette ligne ne peut pas être supprimée : 3 engagements ou paiements y sont déjà "
        "saisis. Une ligne exécutée reste au budget"
    )
    page = finance.get(url("budget_line_delete", executed_line))
    assert page.status_code == 200
    assert reason in text_of(page)
    assert '<form method="post" class="form-actions">' not in page.content.decode()
    response = finance.post(
        url("budget_line_delete", executed_line), {"version": executed_line.version}
    )
    assert response.status_code == 409
    assert reason in text_of(response)
    assert BudgetLine.objects.filter(pk=executed_line.pk).exists()


def test_deleting_a_line_keeps_its_history(finance, spare_line):
    delete = url("budget_line_delete", spare_line)
    assert "Supprimer la ligne 2015 — Communication ?" in text_of(finance.get(delete))
    response = finance.post(delete, {"version": spare_line.version})
    assert response.status_code == 302 and response.url == BUDGET
    assert not BudgetLine.objects.filter(pk=spare_line.pk).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Ligne « 2015 — Communication — Guide des modes d'accueil » supprimée."
    ]
    history = finance.get(url("budget_line_history", spare_line))
    assert history.status_code == 200
    text = text_of(history)
    assert "Historique de la ligne 2015 — Communication — Guide des modes d'accueil" in text
    assert "Cette ligne a été supprimée ; son historique reste consultable." in text
    assert "Version 2 : Suppression" in text and "Version 1 : Création" in text


def test_deleting_a_line_changed_meanwhile_is_refused(client, spare_line, demo_user):
    opened_version = spare_line.version
    client.force_login(demo_user("admin"))
    client.post(url("budget_line_edit", spare_line), {**form_data(spare_line), "label": "Autre"})
    client.force_login(demo_user("finance"))
    response = client.post(url("budget_line_delete", spare_line), {"version": opened_version})
    assert response.status_code == 409
    assert "Alice Administratrice a modifié cette ligne" in text_of(response)
    assert BudgetLine.objects.filter(pk=spare_line.pk).exists()


# --- execution ---------------------------------------------------------------------------


def entry(kind, amount, **values):
    return {
        "date": "2015-03-02",
        "kind": kind,
        "amount": amount,
        "reference": "BC-2015-17",
        "note": "",
        **values,
    }


def test_a_commitment_above_planned_is_refused(finance, spare_line):
    response = finance.post(
        url("budget_entry_create", spare_line), entry("commitment", "30 000,01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        eur(
            "Les engagements (30 000,01 €) dépasseraient le prévu de la ligne (30 000,00 €) "
            "de 0,01 €."
        )
    ]
    assert not ExecutionEntry.objects.filter(line=spare_line).exists()


def test_a_payment_above_committed_is_refused(finance, spare_line):
    finance.post(url("budget_entry_create", spare_line), entry("commitment", "10 000"))
    response = finance.post(url("budget_entry_create", spare_line), entry("payment", "10000.01"))
    assert response.status_code == 200
    assert eur(
        "Les paiements (10 000,01 €) dépasseraient les engagements de la ligne (10 000,00 €) "
        "de 0,01 €."
    ) in text_of(response)
    assert ExecutionEntry.objects.filter(line=spare_line).count() == 1


def test_recording_a_commitment_then_a_payment(finance, spare_line, demo_user):
    page = finance.get(url("budget_entry_create", spare_line))
    assert page.status_code == 200
    assert "Reste à engager" in text_of(page) and eur("30 000,00 €") in text_of(page)
    response = finance.post(
        url("budget_entry_create", spare_line),
        entry("commitment", "30 000,00", note="Marché d'impression"),
    )
    assert response.status_code == 302 and response.url == BUDGET
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        eur(
            "Engagement de 30 000,00 € enregistré sur la ligne « 2015 — Communication — "
            "Guide des modes d'accueil »."
        )
    ]
    response = finance.post(
        url("budget_entry_create", spare_line), entry("payment", "12500.50", date="15/07/2015")
    )
    assert response.status_code == 302
    entries = list(ExecutionEntry.objects.filter(line=spare_line).order_by("pk"))
    assert [(e.kind, e.amount, str(e.date), e.created_by) for e in entries] == [
        (ExecutionKind.COMMITMENT, Decimal("30000.00"), "2015-03-02", demo_user("finance")),
        (ExecutionKind.PAYMENT, Decimal("12500.50"), "2015-07-15", demo_user("finance")),
    ]


def test_an_entry_needs_its_kind_and_date(finance, spare_line):
    response = finance.post(
        url("budget_entry_create", spare_line), {"amount": "10", "date": "", "kind": ""}
    )
    errors = response.context["form"].errors
    assert errors["kind"] == ["Ce champ est obligatoire."]
    assert errors["date"] == ["Ce champ est obligatoire."]


# --- permissions and scope ---------------------------------------------------------------

WRITE_URLS = ["budget_line_edit", "budget_line_delete", "budget_entry_create"]


def all_urls(line):
    return [NEW_LINE, *(url(name, line) for name in [*WRITE_URLS, "budget_line_history"])]


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_finance_officers_and_administrators_reach_every_page(client, spare_line, demo_user, role):
    client.force_login(demo_user(role))
    for address in all_urls(spare_line):
        assert client.get(address).status_code == 200, address


@pytest.mark.parametrize(
    ("role", "reason"),
    [
        ("cdaje", "Seuls les agents financiers modifient le budget."),
        ("partner-cg", "Seuls les agents financiers modifient le budget."),
        ("partner-caf", "Seuls les agents financiers modifient le budget."),
        ("partner-msa", "Seuls les agents financiers modifient le budget."),
    ],
)
def test_readers_are_refused_with_the_reason(client, spare_line, demo_user, role, reason):
    client.force_login(demo_user(role))
    for address in [NEW_LINE, url("budget_line_edit", spare_line)]:
        for method in (client.get, client.post):
            response = method(address)
            assert response.status_code == 403, address
            assert reason in text_of(response)
    response = client.post(url("budget_line_delete", spare_line), {"version": 1})
    assert response.status_code == 403
    response = client.post(url("budget_entry_create", spare_line), entry("commitment", "10"))
    assert response.status_code == 403
    assert "Seuls les agents financiers saisissent engagements et paiements." in text_of(response)
    assert BudgetLine.objects.filter(pk=spare_line.pk).exists()
    assert not ExecutionEntry.objects.filter(line=spare_line).exists()


def test_a_finance_officer_of_another_territory_does_not_see_the_contract(client, spare_line):
    client.force_login(UserFactory(finance=True))
    for address in all_urls(spare_line):
        assert client.get(address).status_code == 404, address
    assert client.post(url("budget_line_delete", spare_line)).status_code == 404


def test_anonymous_users_go_to_login(client, spare_line):
    for address in all_urls(spare_line):
        response = client.get(address)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_a_line_of_another_contract_is_not_found(finance, contract_in_preparation):
    # The predecessor has expired: frozen, its line is written here without the services.
    predecessor = Contract.objects.get(slug="cej-loire-2010-2013")
    other = BudgetLineFactory(
        contract=predecessor, year=2012, post=post("coordination"), amount=Decimal("10")
    )
    for name in [*WRITE_URLS, "budget_line_history"]:
        assert finance.get(url(name, other)).status_code == 404, name
    # ... and is found under its own contract, which the officer also works on: readable,
    # and frozen.
    assert finance.get(url("budget_line_history", other, slug=predecessor.slug)).status_code == 200
    for name in WRITE_URLS:
        response = finance.get(url(name, other, slug=predecessor.slug))
        assert response.status_code == 403, name
        assert "Le contrat est arrivé à échéance : il est figé" in text_of(response)
    assert (
        finance.get(
            reverse("budget_line_edit", kwargs={"slug": DEMO_SLUG, "pk": 999999})
        ).status_code
        == 404
    )


@pytest.mark.parametrize("version", [None, "", "²", "abc", "9" * 20])
def test_a_deletion_without_the_version_seen_deletes_nothing(finance, spare_line, version):
    data = {} if version is None else {"version": version}
    response = finance.post(url("budget_line_delete", spare_line), data)
    assert response.status_code == 409
    assert "rien n'a été supprimé" in text_of(response)
    assert BudgetLine.objects.filter(pk=spare_line.pk).exists()


# --- the signed contract -----------------------------------------------------------------

AVENANT_REFUSAL = "Le contrat est signé : son contenu ne change que par avenant."


def test_on_the_signed_contract_planning_answers_403_naming_the_avenant(finance, demo_contract):
    line = BudgetLine.objects.get(contract=demo_contract, year=2015, post__code="communication")
    before = (line.version, line.amount, line.label)
    for response in [
        finance.get(NEW_LINE),
        finance.post(NEW_LINE, line_data(amount="0")),
        finance.get(url("budget_line_edit", line)),
        finance.post(url("budget_line_edit", line), {**form_data(line), "label": "Affiches"}),
        finance.post(url("budget_line_delete", line), {"version": line.version}),
    ]:
        assert response.status_code == 403
        text = text_of(response)
        assert AVENANT_REFUSAL in text and "l'avenant n° 2 en cours" in text
    line.refresh_from_db()
    assert (line.version, line.amount, line.label) == before
    assert not BudgetLine.objects.filter(contract=demo_contract, fiche=None).exists()


@pytest.fixture
def balance_due(demo_contract):
    """The demo's 2017 coordination line with its balance (June 2018) not yet paid."""
    line = BudgetLine.objects.get(contract=demo_contract, year=2017, post__code="coordination")
    line.entries.filter(kind=ExecutionKind.PAYMENT, date__year=2018).delete()
    return line


def test_on_the_signed_contract_payments_stay_open(finance, balance_due):
    payment = entry("payment", "36 000,00", date="30/06/2018", reference="MAN-2017-S")
    response = finance.post(url("budget_entry_create", balance_due), payment)
    assert response.status_code == 302 and response.url == BUDGET
    assert balance_due.entries.filter(reference="MAN-2017-S", amount=Decimal("36000")).exists()


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("expired", "Le contrat est arrivé à échéance : il est figé, plus rien n'y change."),
        ("terminated", "Le contrat est résilié : il est figé, plus rien n'y change."),
    ],
)
def test_on_a_frozen_contract_payments_are_refused_with_the_reason(
    finance, balance_due, status, reason
):
    Contract.objects.filter(pk=balance_due.contract_id).update(status=status)
    payments = balance_due.entries.count()
    for response in [
        finance.get(url("budget_entry_create", balance_due)),
        finance.post(url("budget_entry_create", balance_due), entry("payment", "36 000,00")),
    ]:
        assert response.status_code == 403
        assert reason in text_of(response)
    assert balance_due.entries.count() == payments
