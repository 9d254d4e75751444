"""The comment pages and the pages that show threads: what each viewer reads and may do,
the forms' refusals in French, the history, the counts on the fiche list and dashboard, and
queries that do not grow with the comments."""

import pytest
from django.core.cache import cache

from comments.models import Comment, TargetKind, Visibility
from notifications.models import Kind, Notification
from tests.comments.conftest import comments_url, fiche_url

pytestmark = pytest.mark.django_db


def page_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_partner_comments_on_a_section_and_a_cdaje_agent_is_told(
    client, demo_user, fiche, contract
):
    client.force_login(demo_user("partner-caf"))
    page = page_of(client, fiche_url(fiche))
    assert "Nouveau commentaire" in page and 'value="field:findings"' in page
    assert "Équipe CDAJE seulement" not in page  # not offered to a partner
    response = client.post(
        comments_url(contract, "new/"),
        {
            "target_kind": "fiche",
            "target_id": fiche.pk,
            "anchor": "field:findings",
            "visibility": "shared",
            "body": "Quelle source pour ce constat, @cdaje ?",
        },
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == fiche_url(fiche) + f"#comment-{comment.pk}"
    assert Notification.objects.get(kind=Kind.MENTION).recipient.username == "cdaje"
    client.force_login(demo_user("cdaje"))
    page = page_of(client, fiche_url(fiche))
    assert "Quelle source pour ce constat" in page and "À propos de : Constat" in page
    assert "Marquer comme résolu" in page and "Équipe CDAJE seulement" in page


def test_a_refused_mention_is_said_in_french_and_the_text_is_kept(
    client, demo_user, fiche, contract
):
    client.force_login(demo_user("cdaje"))
    response = client.post(
        comments_url(contract, "new/"),
        {
            "target_kind": "fiche",
            "target_id": fiche.pk,
            "anchor": "",
            "visibility": "staff",
            "body": "Demander à @partner-caf",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "@partner-caf) ne peut pas lire ce commentaire" in page
    assert "Demander à @partner-caf" in page
    assert not Comment.objects.exists()


def test_a_partner_never_reads_nor_counts_a_cdaje_only_thread(
    client, demo_user, fiche, contract, post_comment
):
    post_comment(fiche, "cdaje", "Réservé à la CDAJE", visibility=Visibility.STAFF)
    post_comment(fiche, "partner-msa", "Partagé avec tous")
    client.force_login(demo_user("partner-caf"))
    page = page_of(client, fiche_url(fiche))
    assert "Partagé avec tous" in page and "Réservé à la CDAJE" not in page
    assert "1 fil ouvert" in page
    assert "1 commentaire ouvert" in page_of(client, f"/contracts/{contract.slug}/fiches/")
    dashboard = page_of(client, f"/contracts/{contract.slug}/")
    assert "1 commentaire ouvert" in dashboard and "Fiche action 1" in dashboard
    client.force_login(demo_user("cdaje"))
    assert "2 fils ouverts" in page_of(client, fiche_url(fiche))
    assert "2 commentaires ouverts" in page_of(client, f"/contracts/{contract.slug}/fiches/")
    assert "Fiche action 2" in page_of(client, f"/contracts/{contract.slug}/")


def test_a_new_comment_shows_in_the_cached_list_at_once(
    client, demo_user, fiche, contract, post_comment
):
    client.force_login(demo_user("partner-caf"))
    assert "commentaire ouvert" not in page_of(client, f"/contracts/{contract.slug}/fiches/")
    post_comment(fiche, "partner-msa", "Nouveau")
    assert "1 commentaire ouvert" in page_of(client, f"/contracts/{contract.slug}/fiches/")


def test_reply_edit_history_resolve_through_the_pages(
    client, demo_user, fiche, contract, post_comment
):
    thread = post_comment(fiche, "partner-caf", "Premier jet")
    client.force_login(demo_user("partner-caf"))
    edit = page_of(client, comments_url(contract, f"{thread.pk}/edit/"))
    assert ">\nPremier jet</textarea>" in edit  # as typed, not as stored markup
    response = client.post(comments_url(contract, f"{thread.pk}/edit/"), {"body": "Corrigé"})
    assert response.status_code == 302
    page = page_of(client, fiche_url(fiche))
    assert "Corrigé" in page and "Premier jet" not in page and "historique" in page
    history = page_of(client, comments_url(contract, f"{thread.pk}/history/"))
    assert "Premier jet" in history and "Modifié" in history
    client.force_login(demo_user("cdaje"))
    response = client.post(comments_url(contract, f"{thread.pk}/reply/"), {"body": "Vu."})
    assert response.status_code == 302
    assert Notification.objects.get(kind=Kind.REPLY).recipient.username == "partner-caf"
    assert client.post(comments_url(contract, f"{thread.pk}/resolve/")).status_code == 302
    page = page_of(client, fiche_url(fiche))
    assert "Résolu par" in page and "Rouvrir" in page and "aucun fil ouvert" in page


def test_an_empty_reply_is_refused_in_french(client, demo_user, fiche, contract, post_comment):
    thread = post_comment(fiche, "partner-caf", "Question")
    client.force_login(demo_user("cdaje"))
    response = client.post(comments_url(contract, f"{thread.pk}/reply/"), {"body": "<p></p>"})
    assert response.status_code == 400
    assert "Écrivez votre commentaire." in response.content.decode()


def test_a_frozen_contract_says_why_its_comments_are_read_only(
    client, demo_user, fiche, contract, post_comment
):
    from cej.models import Contract, ContractStatus

    post_comment(fiche, "partner-caf", "Avant la fin")
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.EXPIRED)
    client.force_login(demo_user("cdaje"))
    page = page_of(client, fiche_url(fiche))
    assert "Avant la fin" in page
    assert "il est figé" in page and "Ses commentaires restent lisibles." in page
    assert "Nouveau commentaire" not in page and "Répondre" not in page


def test_the_review_and_avenant_pages_show_their_threads(
    client, demo_user, demo_contract, post_comment
):
    from cej.models import Amendment
    from reviews.models import AnnualReview

    review = AnnualReview.objects.get(contract=demo_contract, year=2017)
    review.contract = demo_contract
    row = review.fiches.first()
    post_comment(
        review,
        "partner-msa",
        "Le bilan de cette fiche",
        kind=TargetKind.REVIEW,
        anchor=f"fiche:{row.fiche_id}",
    )
    amendment = Amendment.objects.get(contract=demo_contract, number=2)
    amendment.contract = demo_contract
    post_comment(
        amendment,
        "cdaje",
        "Réservé avenant",
        kind=TargetKind.AMENDMENT,
        visibility=Visibility.STAFF,
    )
    client.force_login(demo_user("partner-caf"))
    page = page_of(client, f"/contracts/{demo_contract.slug}/reviews/2017/")
    assert "Le bilan de cette fiche" in page and f'value="fiche:{row.fiche_id}"' in page
    page = page_of(client, f"/contracts/{demo_contract.slug}/avenants/2/")
    assert "Réservé avenant" not in page and "Nouveau commentaire" in page
    client.force_login(demo_user("cdaje"))
    assert "Réservé avenant" in page_of(client, f"/contracts/{demo_contract.slug}/avenants/2/")


def _many_threads(fiche, demo_user, count):
    users = [demo_user(name) for name in ("cdaje", "partner-caf", "partner-msa", "finance")]
    for index in range(count):
        thread = Comment.objects.create(
            contract=fiche.contract,
            target_kind="fiche",
            target_id=fiche.pk,
            author=users[index % 4],
            body=f"<p>Fil {index}</p>",
        )
        Comment.objects.create(
            contract=fiche.contract,
            target_kind="fiche",
            target_id=fiche.pk,
            parent=thread,
            author=users[(index + 1) % 4],
            body=f"<p>Réponse {index}</p>",
        )


@pytest.mark.parametrize("username", ["cdaje", "partner-caf"])
def test_the_fiche_page_queries_do_not_grow_with_the_comments(
    client, demo_user, fiche, username, django_assert_max_num_queries
):
    client.force_login(demo_user(username))
    _many_threads(fiche, demo_user, 1)
    page_of(client, fiche_url(fiche))  # the cached body now stored
    with django_assert_max_num_queries(20) as few:
        page_of(client, fiche_url(fiche))
    _many_threads(fiche, demo_user, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = page_of(client, fiche_url(fiche))
    assert "Fil 29" in page and "Réponse 29" in page


@pytest.mark.parametrize("url", ["/contracts/{slug}/fiches/", "/contracts/{slug}/"])
def test_the_counts_cost_one_query_whatever_the_comments(
    client, demo_user, fiche, contract, url, django_assert_max_num_queries
):
    client.force_login(demo_user("partner-caf"))
    """Measured on a miss of the page cache (the counts are part of its key, so a new
    comment renders the page again) and on a hit."""
    url = url.format(slug=contract.slug)
    _many_threads(fiche, demo_user, 1)
    cache.clear()
    with django_assert_max_num_queries(40) as miss:
        page_of(client, url)
    with django_assert_max_num_queries(20) as hit:
        page_of(client, url)
    _many_threads(fiche, demo_user, 30)
    cache.clear()
    with django_assert_max_num_queries(len(miss.captured_queries)):
        assert "31 commentaires ouverts" in page_of(client, url)
    with django_assert_max_num_queries(len(hit.captured_queries)):
        page_of(client, url)
