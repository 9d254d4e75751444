"""The needs and supply CSV: read whole or refused with every problem, each naming its row
(the header is row 1) and its column, in French."""

import pytest

from reviews.needs_import import NeedsImportError, read_needs_csv, template_csv

HEADER = (
    "Zone;Enfants de moins de 3 ans;Demandes non satisfaites;Accueil collectif;Assistants maternels"
)


def read(text: str, name: str = "besoins.csv", encoding: str = "utf-8"):
    return read_needs_csv(text.encode(encoding), name)


def errors_of(text: str, name: str = "besoins.csv") -> list[str]:
    with pytest.raises(NeedsImportError) as refused:
        read(text, name)
    return refused.value.errors


def test_a_french_csv_is_read_into_areas():
    areas = read(f"{HEADER}\r\nRoannais;4100;80;620;1900\r\nForez;6300;;780;2700\r\n")
    assert [(a.name, a.children_under_3, a.unmet_requests) for a in areas] == [
        ("Roannais", 4100, 80),
        ("Forez", 6300, None),
    ]
    assert areas[0].places == {"collective": 620, "childminders": 1900}


def test_headers_by_code_any_case_and_accents_with_a_comma_separator():
    areas = read(
        "ZONE,enfants de moins de 3 ANS,micro_creche,ecole preelementaire\nPilat,900,12,30\n"
    )
    assert areas[0].places == {"micro_creche": 12, "preschool": 30}


def test_windows_1252_is_read():
    areas = read(f"{HEADER}\r\nSaint-Étienne Métropole;10900;310;2150;3500\r\n", encoding="cp1252")
    assert areas[0].name == "Saint-Étienne Métropole"


def test_the_template_reads_back():
    assert read(template_csv())[0].name == "Roannais"


def test_each_bad_cell_is_named_by_row_and_column():
    errors = errors_of(
        f"{HEADER}\r\nRoannais;4100;80;12,5;1900\r\nForez;-3;;780;2700\r\n;100;;1;1\r\n"
        "Roannais;10;;1;1\r\nGier;;;1;1\r\n"
    )
    assert errors == [
        "Ligne 2, colonne « Accueil collectif » : « 12,5 » n'est pas un nombre entier.",
        "Ligne 3, colonne « Enfants de moins de 3 ans » : « -3 » est négatif : un effectif est "
        "positif ou nul.",
        "Ligne 4, colonne « Zone » : le nom de la zone manque.",
        "Ligne 5, colonne « Zone » : la zone « Roannais » figure déjà ligne 2.",
        "Ligne 6, colonne « Enfants de moins de 3 ans » : le nombre d'enfants de moins de 3 ans "
        "manque.",
    ]


def test_unknown_duplicate_and_missing_headers_are_said():
    errors = errors_of("Zone;Crèches;Accueil collectif;accueil collectif\r\nForez;1;2;3\r\n")
    assert errors[0].startswith(
        "Ligne 1, colonne « Crèches » : en-tête inconnu. Colonnes attendues :"
    )
    assert errors[1] == "Ligne 1, colonne « accueil collectif » : cette colonne figure deux fois."
    assert errors[2] == "Ligne 1 : la colonne « Enfants de moins de 3 ans » manque."


def test_no_place_column_and_no_area_are_refused():
    assert errors_of("Zone;Enfants de moins de 3 ans\r\nForez;10\r\n") == [
        "Ligne 1 : aucune colonne de places d'accueil (« Accueil collectif », « Micro-crèches », "
        "« Crèches familiales », « Assistants maternels », « Garde à domicile », « École "
        "préélémentaire »)."
    ]
    assert errors_of(f"{HEADER}\r\n") == [
        "Le fichier ne contient aucune zone sous la ligne d'en-tête."
    ]


def test_values_beyond_the_header_are_refused():
    errors = errors_of(f"{HEADER}\r\nForez;10;1;2;3;99\r\n")
    assert errors == ["Ligne 2 : des valeurs dépassent la dernière colonne de l'en-tête."]


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"%PDF-1.7 fake", "besoins.csv", "n'est pas un fichier CSV valide"),
        (b"", "besoins.csv", "Le fichier est vide."),
        (b"Zone;Enfants\r\n", "besoins.xlsx", "n'est pas un fichier CSV (.csv)"),
    ],
)
def test_files_that_are_not_a_csv_are_refused(content, name, message):
    with pytest.raises(NeedsImportError) as refused:
        read_needs_csv(content, name)
    assert message in refused.value.errors[0]
