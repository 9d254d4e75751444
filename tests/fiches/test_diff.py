from cej.versioning import word_diff
from fiches.diff import Names, diff_snapshots


def test_changed_words_are_marked_and_escaped():
    before, after = word_diff("Un accueil <b>de</b> jour", "Un accueil de nuit & de jour")
    assert before == "Un accueil <del>&lt;b&gt;de&lt;/b&gt;</del> jour"
    assert after == "Un accueil <ins>de nuit &amp; de</ins> jour"


def test_identical_texts_have_no_marks():
    assert word_diff("même texte", "même texte") == ("même texte", "même texte")


def test_snapshots_are_compared_field_by_field_on_their_readable_text():
    names = Names(
        objectives={1: "Objectif 1 : A", 2: "Objectif 2 : B"},
        partners={7: "CAF"},
        aims={3: "Égalité d'accès"},
    )
    before = {
        "title": "T",
        "objective_id": 1,
        "findings": "<p>Un</p><p>Deux</p>",
        "aim_ids": [],
        "lead_partner_id": None,
        "status": "draft",
    }
    after = {
        "title": "T",
        "objective_id": 2,
        "findings": "<p>Un</p><p>Trois</p>",
        "aim_ids": [3],
        "lead_partner_id": 7,
        "status": "draft",
    }
    changes = {c.label: (c.before, c.after) for c in diff_snapshots(before, after, names)}
    assert set(changes) == {"Objectif", "Constat", "Finalités servies", "Pilote"}
    assert changes["Constat"] == ("Un\n<del>Deux</del>", "Un\n<ins>Trois</ins>")
    assert changes["Pilote"] == ("", "<ins>CAF</ins>")


def test_text_added_at_the_end_leaves_the_last_word_unmarked():
    before, after = word_diff("sans réponse.", "sans réponse. Permanence du samedi.")
    assert before == "sans réponse."
    assert after == "sans réponse. <ins>Permanence du samedi.</ins>"
