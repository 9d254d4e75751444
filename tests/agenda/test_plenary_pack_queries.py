"""The plenary page and its pack read in a bounded number of queries, the same with one
submitted fiche and two comments as with four fiches and forty comments."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comments.models import Visibility
from fiches.models import Fiche
from tests.agenda import test_plenary_pack as pack
from tests.agenda.test_plenary_pack import comment, submit

# The same world as the pack's own tests: the Loire's next contract and its plenaries.
successor, plenaries = pack.successor, pack.plenaries

pytestmark = pytest.mark.django_db

# Session, user and permissions (3); the plenary, the territory's plenaries, its contracts the
# viewer sees, their fiches (4); the fiches' versions, the fiches they continue and those
# fiches' opinions (3); objectives, parties and aims for the diff (3); avenants (1); reviews'
# versions (1); the comments of each contract and kind on the agenda (1 here). An open avenant
# on the agenda adds what its own page reads (one avenant a contract at most). The header's
# notification count (issue 20) may add one to the page.
PAGE_QUERIES = 17


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(contract, user, numbers, comments_each):
    for number in numbers:
        fiche = submit(Fiche.objects.get(contract=contract, number=number), user)
        for index in range(comments_each):
            thread = comment(fiche, user, f"<p>Remarque {index}</p>")
            comment(fiche, user, "<p>Réponse</p>", parent=thread)
            comment(fiche, user, "<p>Interne</p>", visibility=Visibility.STAFF)


@pytest.mark.parametrize("suffix", ["", "pack.pdf"])
@pytest.mark.parametrize("username", ["cdaje", "partner-caf"])
def test_queries_do_not_grow_with_the_agenda_and_its_comments(
    client, successor, plenaries, demo_user, username, suffix
):
    cdaje = demo_user("cdaje")
    client.force_login(demo_user(username))
    url = f"/plenaries/{plenaries[1].pk}/{suffix}"
    grow(successor, cdaje, [1], 1)
    client.get(url)  # per-process caches (content types, translations) filled
    small = queries(client, url)
    grow(successor, cdaje, [2, 3, 4], 10)
    large = queries(client, url)
    assert small == large, (small, large)
    assert large <= PAGE_QUERIES, large
