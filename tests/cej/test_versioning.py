"""The one versioning toolkit (cej.versioning, cej.models.versioning) that fiches and budget
lines share: the version rows, the conflict, the three-way rebase, the differences."""

import pytest

from cej import versioning
from cej.models.versioning import Versioned, VersionRecord
from fiches.models import Fiche, FicheVersion
from financing.models import BudgetLine, BudgetLineVersion


def test_every_versioned_model_has_the_same_halves():
    for record, version in ((Fiche, FicheVersion), (BudgetLine, BudgetLineVersion)):
        assert issubclass(record, Versioned)
        assert issubclass(version, VersionRecord)
        names = {f.name for f in version._meta.get_fields()}
        assert {"number", "snapshot", "action", "author", "created_at"} <= names


@pytest.mark.parametrize(
    ("base", "current", "mine", "values", "both"),
    [
        # I changed the title, they changed the goals: both changes kept.
        (
            {"title": "A", "goals": "x"},
            {"title": "A", "goals": "y"},
            {"title": "B", "goals": "x"},
            {"title": "B", "goals": "y"},
            [],
        ),
        # We both changed the title, differently: mine kept, flagged.
        ({"title": "A"}, {"title": "C"}, {"title": "B"}, {"title": "B"}, ["title"]),
        # We both made the same change: nothing to check.
        ({"title": "A"}, {"title": "B"}, {"title": "B"}, {"title": "B"}, []),
        # Lists (partner ids) merge as whole values.
        ({"ids": [1]}, {"ids": [1, 2]}, {"ids": [1]}, {"ids": [1, 2]}, []),
        # The starting version is unknown: everything stays as typed, differences flagged.
        (
            None,
            {"title": "C", "goals": "x"},
            {"title": "B", "goals": "x"},
            {"title": "B", "goals": "x"},
            ["title"],
        ),
    ],
)
def test_rebase_keeps_what_i_changed_and_takes_what_they_changed(base, current, mine, values, both):
    rebased = versioning.rebase(base=base, current=current, mine=mine)
    assert rebased.values == values
    assert rebased.both_changed == both


def test_a_word_changed_is_marked_and_the_rest_escaped():
    before, after = versioning.word_diff("Accueil <des> enfants", "Accueil des jeunes enfants")
    assert before == "Accueil <del>&lt;des&gt;</del> enfants"
    assert after == "Accueil <ins>des jeunes</ins> enfants"


def test_diff_rows_marks_texts_by_word_and_amounts_whole():
    changes = versioning.diff_rows(
        [
            ("Libellé", "Plan de communication", "Plan de communication revu", True),
            ("Montant prévu", "30 000,00 €", "31 000,00 €", False),
            ("Année", "2015", "2015", False),
        ]
    )
    assert [c.label for c in changes] == ["Libellé", "Montant prévu"]
    assert changes[0].after == "Plan de communication <ins>revu</ins>"
    assert (changes[1].before, changes[1].after) == (
        "<del>30 000,00 €</del>",
        "<ins>31 000,00 €</ins>",
    )


def test_a_version_row_says_who_and_a_conflict_says_who_saved(demo, demo_user):
    fiche = Fiche.objects.get(contract=demo.contract, number=5)
    author = demo_user("cdaje")
    version = versioning.record_version(
        FicheVersion,
        fiche=fiche,
        number=99,
        snapshot={"title": fiche.title},
        action="x" * 500,
        by=author,
    )
    assert len(version.action) == 120
    assert version.author_name == author.get_full_name()
    conflict = versioning.VersionConflict(
        record=fiche, base=None, base_number=1, current={}, latest=version
    )
    assert (conflict.who, conflict.when) == (version.author_name, version.created_at)
    anonymous = versioning.record_version(
        FicheVersion, fiche=fiche, number=100, snapshot={}, action="Import", by=None
    )
    assert anonymous.author_name == "Quelqu'un"
