"""The shared demo world (tests/world.py, tests/conftest.py) keeps tests apart: what one test
writes, rolled back or committed, is gone for the next, and replayed rows and files are the
ones the services wrote. If these fail, other tests may pass or fail for the wrong reason."""

import pytest
from django.contrib.auth import get_user_model

from cej.documents import document_read_verified
from cej.models import Contract, Document, DocumentKind, Territory
from fiches.models import Fiche
from financing.models import BudgetLine, ExecutionEntry
from partners.models import Partner
from tests.world import RowChanges, Snapshot

# In this order, on one worker (tests/conftest.py, XDIST_GROUPS): some tests check what the
# one before them left.
pytestmark = pytest.mark.django_db


def change_a_few_rows(contract):
    """An update, deletions (a year's lines and their entries) and an insertion."""
    Fiche.objects.filter(contract=contract, number=3).update(title="Changé")
    ExecutionEntry.objects.filter(line__contract=contract, line__year=2017).delete()
    BudgetLine.objects.filter(contract=contract, year=2017).delete()
    Partner.objects.create(name="Partenaire de passage", short_name="PdP", slug="passage")


def test_a_snapshot_restores_every_row_as_it_was(demo):
    before = Snapshot.take()
    change_a_few_rows(demo.contract)
    assert Snapshot.take() != before
    before.restore()
    assert Snapshot.take() == before


def test_row_changes_replay_inserts_updates_and_deletions(demo):
    before = Snapshot.take()
    change_a_few_rows(demo.contract)
    after = Snapshot.take()
    changes = RowChanges.between(before, after)
    before.restore()
    changes.apply()
    assert Snapshot.take() == after


def test_empty_database_holds_only_what_migrate_writes(empty_database):
    assert not Contract.objects.exists()
    assert not Territory.objects.exists()
    assert not get_user_model().objects.exists()
    assert Snapshot.take().rows  # content types and permissions are there


def test_the_demo_is_there_again_after_a_test_emptied_the_database(demo):
    assert Contract.objects.filter(pk=demo.contract.pk).exists()
    # The seed's 14 fiches and n° 15, added by avenant n° 1.
    assert Fiche.objects.filter(contract=demo.contract).count() == 15


def test_sealed_documents_are_the_sealed_bytes(sealed_demo):
    documents = Document.objects.filter(contract=sealed_demo.contract)
    assert sorted(documents.values_list("kind", flat=True)) == [
        DocumentKind.AMENDMENT,  # avenant n° 1's act
        DocumentKind.ANNEX_CONVENTION,
        *[DocumentKind.ANNUAL_REVIEW] * 3,  # the reviews 2014–2016, adopted
        DocumentKind.SIGNED_CONTRACT,
    ]
    for document in documents:
        assert document_read_verified(document).startswith(b"%PDF-")


@pytest.mark.django_db(transaction=True)
def test_a_committed_change(demo):
    """Committed (no rollback): the next test must not see it."""
    Fiche.objects.filter(contract=demo.contract, number=3).update(title="Engagé pour de bon")


@pytest.mark.django_db(transaction=True)  # pytest-django runs these after the others, in order
def test_a_committed_change_is_gone_for_the_next_test(demo):
    assert not Fiche.objects.filter(title="Engagé pour de bon").exists()
