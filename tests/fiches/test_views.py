import re

import pytest
from django.utils import timezone

from fiches.models import Fiche, FicheStatus
from tests.factories import ContractFactory, FicheFactory, ObjectiveFactory, UserFactory
from tests.fiches.conftest import fiche_url

pytestmark = pytest.mark.django_db

LIST = "/contracts/cej-loire-2014-2017/fiches/"
ROLES = ["admin", "cdaje", "finance", "partner-cg", "partner-caf", "partner-msa"]


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def form_data(fiche, **overrides):
    data = {
        "version": fiche.version,
        "objective": fiche.objective_id,
        "title": fiche.title,
        "findings": fiche.findings,
        "goals": fiche.goals,
        "actions": fiche.actions,
        "target_public": fiche.target_public,
        "lead_partner": fiche.lead_partner_id or "",
        "associated_partners": [p.pk for p in fiche.associated_partners.all()],
        "calendar": fiche.calendar,
        "indicators": fiche.indicators,
        "budget_note": fiche.budget_note,
        "aims": [a.pk for a in fiche.aims.all()],
    }
    data.update(overrides)
    return data


# --- list -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_in_scope_reads_the_fiche_list(client, demo, demo_user, role):
    client.force_login(demo_user(role))
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.context["count"] == 15
    assert "Plan de communication petite enfance" in text_of(response)
    # The contract is signed: a new fiche comes through an avenant, for every role.
    assert "Nouvelle fiche" not in text_of(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"objective_number": 3}, [11, 12, 13, 14]),
        ({"lead_kind": "msa"}, [2]),
        # Fiche 15 (avenant n° 1) is listed with the first objective's.
        ({"status": "validated"}, [1, 2, 3, 4, 5, 15, *range(6, 15)]),
        ({"status": "draft"}, []),
    ],
)
def test_the_list_filters(client, demo, demo_contract, demo_user, params, expected):
    from partners.models import Partner

    query = dict(params)
    if "objective_number" in query:
        query = {"objective": demo_contract.objectives.get(number=query["objective_number"]).pk}
    if "lead_kind" in query:
        query = {"lead": Partner.objects.get(kind=query["lead_kind"]).pk}
    client.force_login(demo_user("cdaje"))
    response = client.get(LIST, query)
    numbers = [f.number for _o, fiches in response.context["objectives"] for f in fiches]
    assert numbers == expected


def test_the_search_covers_titles_and_text(client, demo, demo_contract, demo_user):
    client.force_login(demo_user("cdaje"))
    response = client.get(LIST, {"q": "HORAIRES ATYPIQUES"})
    found = [f for _o, fiches in response.context["objectives"] for f in fiches]
    assert 3 in [f.number for f in found]
    assert len(found) < 15  # of the 15
    for fiche in found:
        stored = Fiche.objects.get(pk=fiche.pk)
        text = " ".join(
            [
                stored.title,
                stored.findings,
                stored.goals,
                stored.actions,
                stored.target_public,
                stored.calendar,
                stored.indicators,
            ]
        )
        assert "horaires atypiques" in text.lower()


def test_the_list_filters_by_aim(client, demo, demo_user):
    from fiches.models import Aim

    aim = Aim.objects.get(number=3)
    client.force_login(demo_user("cdaje"))
    response = client.get(LIST, {"aim": aim.pk})
    numbers = {f.number for _o, fiches in response.context["objectives"] for f in fiches}
    # The demo contract's (its successor's draft fiches serve the same aims).
    assert numbers == set(
        aim.fiches.filter(contract=demo.contract).values_list("number", flat=True)
    )
    assert numbers


def test_invalid_filters_are_reported_in_french_not_a_server_error(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    response = client.get(LIST, {"objective": "abc", "status": "perdu", "q": "x" * 300})
    assert response.status_code == 200
    text = text_of(response)
    assert "Certains filtres sont invalides" in text
    assert "Statut : Sélectionnez un choix valide" in text
    assert response.context["count"] == 15


def test_list_queries_do_not_grow_with_fiches(
    client, demo, demo_contract, demo_user, django_assert_max_num_queries
):
    client.force_login(demo_user("cdaje"))
    with django_assert_max_num_queries(12) as baseline:
        client.get(LIST)
    baseline_count = len(baseline.captured_queries)  # now: the next request clears the log
    objective = ObjectiveFactory(contract=demo_contract, number=4)
    for number in range(16, 46):
        FicheFactory(objective=objective, number=number, updated_by=demo_user("admin"))
    with django_assert_max_num_queries(baseline_count):
        response = client.get(LIST)
    assert response.context["count"] == 45


def test_the_list_shows_the_last_real_change_of_each_fiche(client, demo, fiche, demo_user):
    """The demo fiches were last changed by the CDAJE's opinion in plenary on 11 February 2014
    (no person, no hour recorded), fiches 4 and 15 by avenant n° 1, signed on 26 May 2015;
    a fiche edited here shows who and when."""
    client.force_login(demo_user("cdaje"))
    client.post(fiche_url(fiche, "edit/"), form_data(fiche, title="Accueil la nuit"))
    fiche.refresh_from_db()
    text = text_of(client.get(LIST))
    assert text.count("11/02/2014 avis en plénière") == 12  # 15, less 3, 4 and 15
    assert text.count("26/05/2015 modifiée par avenant") == 2  # fiches 4 and 15, avenant n° 1
    assert "reprise initiale" not in text
    now = timezone.localtime(fiche.updated_at).strftime("%d/%m/%Y %H:%M")
    assert f"{now} Sophie Durand" in text


# --- fiche page ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_in_scope_reads_a_fiche(client, demo, demo_contract, demo_user, role):
    client.force_login(demo_user(role))
    response = client.get(f"{LIST}12/")
    assert response.status_code == 200
    text = text_of(response)
    for expected in [
        "Coordination départementale de la politique petite enfance",
        "Constat",
        "Public visé",
        "Indicateurs d’évaluation",
        "Département de la Loire",
        "120\u202f000,00\u00a0€",
        "avis rendu en plénière le 11 février 2014",
    ]:
        assert expected in text, expected


def test_a_demo_fiche_dates_its_last_change_at_its_plenary(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    text = text_of(client.get(f"{LIST}1/"))
    assert (
        "Avis favorable de la CDAJE en plénière (reprise des fiches) v1, le 11 février 2014" in text
    )
    assert "reprise initiale" not in text
    assert timezone.localdate().strftime("%d/%m/%Y") not in text


def test_controls_follow_the_permissions(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    text = text_of(client.get(fiche_url(fiche)))
    assert "Modifier" in text and "Soumettre à la CDAJE" in text and "Retirer la fiche" in text
    client.force_login(demo_user("finance"))
    text = text_of(client.get(fiche_url(fiche)))
    assert "Modifier" not in text and "Soumettre" not in text and "Retirer" not in text


def test_fiche_page_queries_are_bounded(
    client, demo, fiche, demo_user, django_assert_max_num_queries
):
    client.force_login(demo_user("cdaje"))
    # Cold: the fiche page, the header's unread count (notifications) and the fiche's comment
    # threads, read per viewer outside the page cache.
    with django_assert_max_num_queries(17) as baseline:
        client.get(fiche_url(fiche))
    baseline_count = len(baseline.captured_queries)  # now: the next request clears the log
    for n in range(10):
        fiche.refresh_from_db()
        from fiches.services import fiche_update

        fiche_update(
            fiche=fiche,
            changes={"title": f"Titre {n}"},
            associated_partners=[],
            aims=[],
            expected_version=fiche.version,
            by=demo_user("cdaje"),
        )
    with django_assert_max_num_queries(baseline_count):
        client.get(fiche_url(fiche))


def test_unknown_fiche_or_contract_is_not_found(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    assert client.get(f"{LIST}99/").status_code == 404
    assert client.get("/contracts/inconnu/fiches/").status_code == 404


def test_out_of_scope_is_not_found(client, demo, demo_user):
    client.force_login(UserFactory(cdaje=True, territory=ContractFactory().territory))
    assert client.get(LIST).status_code == 404
    assert client.get(f"{LIST}3/").status_code == 404
    assert client.get(f"{LIST}3/edit/").status_code == 404
    assert client.get(f"{LIST}3/history/").status_code == 404


@pytest.mark.parametrize("url", [LIST, f"{LIST}3/", f"{LIST}3/edit/", f"{LIST}3/history/"])
def test_anonymous_users_go_to_login(client, demo, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- editing -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance", "partner-cg", "partner-caf", "partner-msa"])
def test_readers_get_403_on_edit_urls(client, demo, fiche, demo_user, role):
    client.force_login(demo_user(role))
    response = client.get(fiche_url(fiche, "edit/"))
    assert response.status_code == 403
    assert "Seule l'équipe CDAJE modifie les fiches." in text_of(response)
    assert client.post(fiche_url(fiche, "edit/"), form_data(fiche)).status_code == 403
    assert client.get(f"{LIST}new/").status_code == 403
    assert client.post(fiche_url(fiche, "transition/submit/")).status_code == 403
    assert client.post(fiche_url(fiche, "history/1/restore/")).status_code == 403


def test_a_validated_fiche_edit_url_answers_403_with_the_reason(
    client, contract_in_preparation, demo_user
):
    client.force_login(demo_user("cdaje"))
    response = client.get(f"{LIST}1/edit/")
    assert response.status_code == 403
    assert (
        "La CDAJE a rendu un avis favorable sur cette fiche : rouvrez-la pour la modifier."
        in text_of(response)
    )


def test_editing_a_fiche(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    assert client.get(fiche_url(fiche, "edit/")).status_code == 200
    response = client.post(
        fiche_url(fiche, "edit/"),
        form_data(fiche, findings="<p>Nouveau <strong>constat</strong></p><script>x()</script>"),
    )
    assert response.status_code == 302
    fiche.refresh_from_db()
    assert fiche.findings == "<p>Nouveau <strong>constat</strong></p>"
    assert "Nouveau constat" in text_of(client.get(fiche_url(fiche)))


def test_form_errors_are_in_french_next_to_the_field(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    response = client.post(fiche_url(fiche, "edit/"), form_data(fiche, title=""))
    assert response.status_code == 200
    assert 'id="id_title_error"' in response.content.decode()
    assert "Ce champ est obligatoire." in text_of(response)


def test_the_lead_partner_is_not_also_associated(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    lead = fiche.lead_partner
    response = client.post(
        fiche_url(fiche, "edit/"), form_data(fiche, associated_partners=[lead.pk])
    )
    assert "pilote déjà la fiche" in text_of(response)


def test_a_conflicting_save_keeps_the_typed_text_and_shows_the_other_change(
    client, demo, fiche, demo_user
):
    opened = form_data(fiche)
    client.force_login(demo_user("admin"))
    client.post(fiche_url(fiche, "edit/"), {**opened, "title": "Titre changé par Alice"})
    client.force_login(demo_user("cdaje"))
    mine = {**opened, "findings": "<p>Mon constat tapé pendant ce temps</p>"}
    response = client.post(fiche_url(fiche, "edit/"), mine)
    assert response.status_code == 409
    text = text_of(response)
    assert "Quelqu’un a enregistré cette fiche pendant que vous la modifiiez" in text
    assert "Alice Administratrice a enregistré la version 2" in text
    assert "Titre changé par Alice" in text
    assert "Mon constat tapé pendant ce temps" in response.content.decode()
    form = response.context["form"]
    assert form["version"].value() == "2"
    # The title she did not touch now shows Alice's; her own Constat is kept.
    assert form["title"].value() == "Titre changé par Alice"
    assert "Mon constat tapé" in form["findings"].value()
    assert response.context["conflict"]["both_changed"] == []
    # Saved again as the page now stands: both changes are kept.
    again = {**mine, "title": form["title"].value(), "version": form["version"].value()}
    assert client.post(fiche_url(fiche, "edit/"), again).status_code == 302
    fiche.refresh_from_db()
    assert fiche.title == "Titre changé par Alice"
    assert "Mon constat tapé" in fiche.findings


def test_a_field_changed_by_both_is_kept_as_typed_and_named(client, demo, fiche, demo_user):
    opened = form_data(fiche)
    client.force_login(demo_user("admin"))
    client.post(fiche_url(fiche, "edit/"), {**opened, "title": "Titre d'Alice"})
    client.force_login(demo_user("cdaje"))
    response = client.post(fiche_url(fiche, "edit/"), {**opened, "title": "Titre de Sophie"})
    assert response.status_code == 409
    assert response.context["form"]["title"].value() == "Titre de Sophie"
    assert response.context["conflict"]["both_changed"] == ["Intitulé"]
    assert "Modifiés par vous deux, à fusionner à la main : Intitulé." in text_of(response)


def test_creating_a_fiche(client, contract_in_preparation, demo_user):
    client.force_login(demo_user("cdaje"))
    assert "Nouvelle fiche" in text_of(client.get(LIST))
    assert client.get(f"{LIST}new/").status_code == 200
    objective = contract_in_preparation.objectives.get(number=1)
    response = client.post(
        f"{LIST}new/",
        {"version": 1, "objective": objective.pk, "title": "Relais petite enfance itinérant"},
    )
    # Numbered after fiche 15, added by avenant n° 1.
    assert response.status_code == 302 and response.url == f"{LIST}16/"
    created = Fiche.objects.get(contract=contract_in_preparation, number=16)
    assert created.status == FicheStatus.DRAFT


def test_on_the_signed_contract_editing_answers_403_naming_the_avenant(client, demo, demo_user):
    """The demo contract as it is, signed: its fiches change only through an avenant, and
    the refusal says where (avenant n° 2 is open)."""
    fiche = Fiche.objects.get(contract=demo.contract, number=3)
    client.force_login(demo_user("cdaje"))
    for response in [
        client.get(fiche_url(fiche, "edit/")),
        client.post(fiche_url(fiche, "edit/"), form_data(fiche, title="Autre intitulé")),
        client.get(f"{LIST}new/"),
        client.post(fiche_url(fiche, "transition/reopen/")),
    ]:
        assert response.status_code == 403
        text = text_of(response)
        assert "Le contrat est signé : son contenu ne change que par avenant." in text
        assert "l'avenant n° 2 en cours" in text
    stored = Fiche.objects.get(pk=fiche.pk)
    assert (stored.title, stored.status, stored.version) == (
        fiche.title,
        fiche.status,
        fiche.version,
    )
    # The fiche page offers the legal route instead: the open avenant's fiche form.
    page = client.get(fiche_url(fiche)).content.decode()
    avenant_form = f"/avenants/2/fiches/{fiche.number}/edit/"
    assert "Modifier par l’avenant n° 2" in page and avenant_form in page
    assert f"2017/fiches/{fiche.number}/edit/" not in page and "Rouvrir pour révision" not in page


# --- workflow ----------------------------------------------------------------------------


def test_submit_then_validate_with_the_plenary_date(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    client.post(fiche_url(fiche, "transition/submit/"))
    fiche.refresh_from_db()
    assert fiche.status == FicheStatus.SUBMITTED
    response = client.post(fiche_url(fiche, "transition/validate/"), follow=True)
    assert "Indiquez la date de la plénière de la CDAJE." in text_of(response)
    fiche.refresh_from_db()
    assert fiche.status == FicheStatus.SUBMITTED
    client.post(fiche_url(fiche, "transition/validate/"), {"plenary_date": "2014-06-12"})
    fiche.refresh_from_db()
    assert (fiche.status, str(fiche.validated_on)) == (FicheStatus.VALIDATED, "2014-06-12")


def test_a_writer_without_the_coordinator_permission_cannot_validate(client, demo, fiche):
    fiche.status = FicheStatus.SUBMITTED
    fiche.save()
    client.force_login(UserFactory(cdaje_writer=True, territory=fiche.contract.territory))
    response = client.post(fiche_url(fiche, "transition/validate/"), {"plenary_date": "2014-06-12"})
    assert response.status_code == 403
    assert "relève de la coordination CDAJE" in text_of(response)


def test_transitions_only_by_post_and_only_known_ones(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    assert client.get(fiche_url(fiche, "transition/submit/")).status_code == 405
    assert client.post(fiche_url(fiche, "transition/supprimer/")).status_code == 404


def test_withdrawing_keeps_the_fiche(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    client.post(fiche_url(fiche, "transition/withdraw/"))
    fiche.refresh_from_db()
    assert fiche.status == FicheStatus.WITHDRAWN
    assert "Retirée" in text_of(client.get(LIST))


# --- history -----------------------------------------------------------------------------


def test_history_shows_a_word_diff_between_versions(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    client.post(
        fiche_url(fiche, "edit/"),
        form_data(fiche, title="Répondre aux besoins d'accueil la nuit et en urgence"),
    )
    response = client.get(fiche_url(fiche, "history/"))
    content = response.content.decode()
    assert "<del>en horaires atypiques</del>" in content
    assert "<ins>la nuit</ins>" in content
    assert "Sophie Durand" in text_of(response)


def test_a_single_version_offers_nothing_to_compare(client, demo, demo_user):
    client.force_login(demo_user("cdaje"))
    for query in ({}, {"from": "1", "to": "1"}):
        response = client.get(f"{LIST}1/history/", query)
        html, text = response.content.decode(), text_of(response)
        assert "Une seule version est enregistrée : il n’y a rien à comparer" in text
        assert "Comparer" not in text and 'type="radio"' not in html
        assert "Différences entre" not in text and "Restaurer" not in text
        # The reprise: no person, the day of the plenary.
        assert "Avis favorable de la CDAJE en plénière (reprise des fiches)" in text
        assert "11/02/2014" in text and "reprise initiale" not in text


def test_the_same_version_twice_is_not_a_comparison(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    client.post(fiche_url(fiche, "edit/"), form_data(fiche, title="Accueil la nuit"))
    text = text_of(client.get(fiche_url(fiche, "history/"), {"from": "2", "to": "2"}))
    assert "Choisissez deux versions différentes" in text
    assert "Différences entre la version 2 et la version 2" not in text
    text = text_of(client.get(fiche_url(fiche, "history/")))
    assert "Différences entre la version 1 et la version 2" in text


def test_history_reports_unknown_versions(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    response = client.get(fiche_url(fiche, "history/"), {"from": "99", "to": "abc"})
    assert response.status_code == 200
    assert "La version « 99 » n'existe pas pour cette fiche" in text_of(response)


def test_history_queries_do_not_grow_with_versions(
    client, demo, fiche, demo_user, django_assert_max_num_queries
):
    client.force_login(demo_user("cdaje"))
    with django_assert_max_num_queries(16) as baseline:
        client.get(fiche_url(fiche, "history/"))
    baseline_count = len(baseline.captured_queries)  # now: the next request clears the log
    for n in range(8):
        fiche.refresh_from_db()
        client.post(fiche_url(fiche, "edit/"), form_data(fiche, title=f"Titre {n}"))
    with django_assert_max_num_queries(baseline_count):
        client.get(fiche_url(fiche, "history/"))


def test_restoring_from_the_history_page(client, demo, fiche, demo_user):
    client.force_login(demo_user("cdaje"))
    original = fiche.title
    client.post(fiche_url(fiche, "edit/"), form_data(fiche, title="Titre provisoire"))
    response = client.post(fiche_url(fiche, "history/1/restore/"), follow=True)
    assert "Version 1 restaurée : elle devient la version 3." in text_of(response)
    fiche.refresh_from_db()
    assert fiche.title == original
    assert fiche.versions.count() == 3
