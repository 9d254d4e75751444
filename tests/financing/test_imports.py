"""Budget import: the round trip, a corrected workbook, every refusal with its row and
column, all or nothing, the preview-to-confirmation hand-over, permissions."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cej.models import Contract, ContractStatus
from cej.money import format_eur
from financing import imports
from financing.cells import clean_money
from financing.imports import ImportApplyError, apply_import, prepare_import
from financing.models import BudgetLine, BudgetPost, Contribution
from financing.services import budget_line_save
from financing.views_exchange import applied_message
from tests.factories import TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db

BUDGET = "/contracts/cej-loire-2014-2017/budget/"
IMPORT = BUDGET + "import/"
CONFIRM = IMPORT + "confirm/"
D = Decimal
# The tests import into the demo contract in preparation, with 40 000 € left to allocate in
# 2015 (`room_in_2015`, tests/financing/conftest.py). Its export, rows as the sheet numbers
# them (header = 1), 15 the first empty one:
#  2 2014 coordination (fiche 12)  3 2014 communication (14)  4 2014 annex scheme (4)
#  5 2015 coordination             6 2015 communication
#  7 2016 coordination  8 communication  9 annex scheme (4)  10 annex scheme (15)
#  11–14 2017 likewise (avenant n° 1 funds fiches 4 and 15 on the annex convention)
# Columns: A Année … E N° fiche, G Libellé, H Prévu, I Autres recettes prévues, J Reste à
# charge prévu, K Action antérieure, L PSEJ CAF prévue, M PSEJ MSA prévue, N Part du
# bénéficiaire prévue, O–T the actual figures, U Engagé, V Payé. The demo's terms: the CAF
# takes 90 % and the MSA 10 % of a net cost within 100 000 €, at 55 % for a new action and
# 60 % for an action carried over (coordination).


@pytest.fixture
def finance(client, demo_user, room_in_2015):
    client.force_login(demo_user("finance"))
    return client


def export(client, extension="xlsx") -> bytes:
    response = client.get(BUDGET + f"export.{extension}")
    assert response.status_code == 200
    return response.content


def edited(content: bytes, **cells) -> bytes:
    """The exported workbook with some cells changed: `edited(x, H5=130000)`."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Lignes budgétaires"]
    for ref, value in cells.items():
        sheet[ref] = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, content: bytes, name="budget.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def errors(contract, content: bytes, name="budget.xlsx") -> list[str]:
    plan = prepare_import(contract=contract, data=content, filename=name)
    return [str(issue) for issue in plan.errors]


def state(contract):
    """Everything an import could change."""
    lines = sorted(
        BudgetLine.objects.filter(contract=contract).values_list(
            "pk", "year", "post_id", "fiche_id", "label", "amount", "version", "updated_at"
        )
    )
    contributions = sorted(
        Contribution.objects.filter(line__contract=contract).values_list(
            "line_id", "partner_id", "amount"
        )
    )
    return lines, contributions


# Round trip ---------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["xlsx", "csv", "ods"])
def test_reimporting_an_unchanged_export_shows_every_row_unchanged_and_writes_nothing(
    finance, room_in_2015, extension
):
    before = state(room_in_2015)
    response = upload(finance, export(finance, extension), f"budget.{extension}")
    assert response.status_code == 200
    assert response.templates[0].name == "financing/import_preview.html"
    plan = response.context["plan"]
    assert plan.errors == []
    assert plan.counts == {"new": 0, "changed": 0, "unchanged": 13}
    assert {row.status_label for row in plan.rows} == {"inchangée"}
    html = response.content.decode()
    assert "il n’y a rien à enregistrer" in html
    assert "<li>aucune ligne nouvelle</li>" in html and "<li>aucune ligne modifiée</li>" in html
    assert "<li>13 lignes inchangées</li>" in html
    # The actual figures the export carries are not read, and the preview says so.
    assert "Le réalisé n’est pas importé" in html
    assert plan.actual_columns[0] == "Dépenses réalisées (€)" and len(plan.actual_columns) == 6
    assert plan.recomputed_columns == [
        "Reste à charge prévu (€)",
        "PSEJ CAF prévue (€)",
        "PSEJ MSA prévue (€)",
        "Part du bénéficiaire prévue (€)",
    ]
    assert CONFIRM not in html  # nothing to confirm
    assert "budget_import" not in finance.session
    assert state(room_in_2015) == before


def test_a_corrected_workbook_is_previewed_with_its_differences_then_applied(
    finance, room_in_2015, demo_user
):
    version_before = BudgetLine.objects.get(
        contract=room_in_2015, year=2015, post__code="coordination"
    ).version
    content = edited(
        export(finance),
        H5=130000,
        I5=5000,
        K5="Non",
        G6="Plan de communication 2015",
        A15=2015,
        C15="communication",
        G15="Guide des modes d'accueil",
        H15="20 000,00",
        K15="oui",
    )
    before = state(room_in_2015)
    response = upload(finance, content)
    plan = response.context["plan"]
    assert plan.counts == {"new": 1, "changed": 2, "unchanged": 11}
    by_row = {row.number: row for row in plan.rows}
    assert by_row[5].status_label == "modifiée"
    # 125 000 € of net cost, retained within 100 000 €, now a new action at 55 %: the
    # shares it moves follow the change.
    assert [(c.column, c.old, c.new) for c in by_row[5].changes] == [
        ("Prévu (€)", format_eur(120000), format_eur(130000)),
        ("Autres recettes prévues (€)", format_eur(0), format_eur(5000)),
        ("Action antérieure (oui/non)", "oui", "non"),
        ("PSEJ CAF prévue (€)", format_eur(54000), format_eur(49500)),
        ("PSEJ MSA prévue (€)", format_eur(6000), format_eur(5500)),
        ("Part du bénéficiaire prévue (€)", format_eur(60000), format_eur(70000)),
    ]
    assert [(c.column, c.old, c.new) for c in by_row[6].changes] == [
        ("Libellé", "«  »", "« Plan de communication 2015 »")
    ]
    assert by_row[15].status_label == "nouvelle"
    assert [(c.column, c.new) for c in by_row[15].changes] == [
        ("Autres recettes prévues (€)", format_eur(0)),
        ("Action antérieure (oui/non)", "oui"),
        ("PSEJ CAF prévue (€)", format_eur(10800)),
        ("PSEJ MSA prévue (€)", format_eur(1200)),
        ("Part du bénéficiaire prévue (€)", format_eur(8000)),
    ]
    html = response.content.decode()
    assert f"{format_eur(120000)} → {format_eur(130000)}" in html
    assert "nouvelle" in html and "modifiée" in html and "inchangée" in html
    assert state(room_in_2015) == before  # a preview writes nothing

    fingerprint = response.context["fingerprint"]
    response = finance.post(CONFIRM, {"fingerprint": fingerprint})
    assert response.status_code == 302 and response["Location"] == BUDGET
    coordination = BudgetLine.objects.get(
        contract=room_in_2015, year=2015, post__code="coordination"
    )
    assert coordination.amount == D("130000.00")
    assert (coordination.other_receipts, coordination.continued) == (D("5000.00"), False)
    assert coordination.version == version_before + 1
    assert coordination.updated_by == demo_user("finance")
    assert sorted(coordination.contributions.values_list("amount", flat=True)) == [
        D("5500.00"),
        D("49500.00"),
        D("70000.00"),
    ]
    new = BudgetLine.objects.get(
        contract=room_in_2015, year=2015, post__code="communication", fiche=None
    )
    assert (new.label, new.amount, new.continued) == (
        "Guide des modes d'accueil",
        D("20000.00"),
        True,
    )
    # 198 000 in each year, less the 40 000 left in 2015, plus 10 000 and 20 000 in 2015.
    assert BudgetLine.objects.filter(contract=room_in_2015).total() == D("782000.00")
    assert "budget_import" not in finance.session
    follow = finance.get(BUDGET)
    assert "Import appliqué : 1 ligne créée, 2 lignes modifiées, 11 lignes inchangées." in [
        str(m) for m in follow.context["messages"]
    ]


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (
            {"new": 0, "changed": 3, "unchanged": 6},
            "Import appliqué : aucune ligne créée, 3 lignes modifiées, 6 lignes inchangées.",
        ),
        (
            {"new": 1, "changed": 1, "unchanged": 0},
            "Import appliqué : 1 ligne créée, 1 ligne modifiée, aucune ligne inchangée.",
        ),
    ],
)
def test_the_applied_import_is_counted_in_french(counts, message):
    assert applied_message(counts) == message


def test_the_preview_table_scrolls_by_keyboard_when_it_must(finance, room_in_2015):
    html = upload(finance, edited(export(finance), G6="Plan de communication 2015")).content
    html = html.decode()
    assert (
        '<div class="table-scroll" tabindex="0" role="region" '
        'aria-label="Lignes du fichier (tableau défilant)">'
    ) in html
    assert "<li>1 ligne modifiée</li>" in html


def test_a_french_csv_and_an_international_csv_are_both_understood(finance, room_in_2015):
    text = export(finance, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    rows[4][7:9] = ["130 000,00", "5000,0"]
    french = io.StringIO()
    csv.writer(french, delimiter=";").writerows(rows)
    plan = prepare_import(
        contract=room_in_2015, data=french.getvalue().encode("cp1252"), filename="b.csv"
    )
    assert plan.errors == [] and plan.counts["changed"] == 1

    for row in rows[1:]:
        row[7:22] = [value.replace(",", ".") if "," in value else value for value in row[7:22]]
    rows[4][7:9] = ["130,000.00", "5000.0"]
    international = io.StringIO()
    csv.writer(international).writerows(rows)
    plan = prepare_import(
        contract=room_in_2015, data=international.getvalue().encode(), filename="b.csv"
    )
    assert plan.errors == []
    assert [(r.number, r.amount) for r in plan.rows if r.status == "changed"] == [
        (5, D("130000.00"))
    ]


def test_an_ods_saved_by_libreoffice_is_read_by_its_values(finance, room_in_2015):
    """LibreOffice writes currency cells whose text is « 120 000,00 € », and repeats empty
    cells and rows up to the sheet's end."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    sheet = openpyxl.load_workbook(io.BytesIO(export(finance)))["Lignes budgétaires"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    rows[4][7:9] = [130000, 5000]
    document = OpenDocumentSpreadsheet()
    table = Table(name="Lignes budgétaires")
    for index, values in enumerate(rows):
        row = TableRow()
        for column, value in enumerate(values):
            if value is None or value == "":
                cell = TableCell()
            elif index and column >= 7 and isinstance(value, int | float):
                cell = TableCell(valuetype="currency", currency="EUR", value=str(value))
                cell.addElement(P(text=format_eur(value)))
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=str(value))
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            row.addElement(cell)
        row.addElement(TableCell(numbercolumnsrepeated=1011))
        table.addElement(row)
    empty = TableRow(numberrowsrepeated=1048566)
    empty.addElement(TableCell(numbercolumnsrepeated=1024))
    table.addElement(empty)
    document.spreadsheet.addElement(table)
    output = io.BytesIO()
    document.write(output)

    plan = prepare_import(contract=room_in_2015, data=output.getvalue(), filename="b.ods")
    assert plan.errors == []
    assert plan.counts == {"new": 0, "changed": 1, "unchanged": 12}
    assert [(r.number, r.amount) for r in plan.rows if r.status == "changed"] == [
        (5, D("130000.00"))
    ]


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("45 000,00 €", D("45000.00")),
        ("45\u202f000,5", D("45000.50")),
        ("45000.005", D("45000.01")),
        ("1.234,56", D("1234.56")),
        ("1,234.56", D("1234.56")),
        (0.1 + 0.2, D("0.30")),
        (45000, D("45000.00")),
        ("", None),
    ],
)
def test_amounts_are_read_the_french_way_or_not(text, amount):
    assert clean_money(text) == amount


# Refusals -----------------------------------------------------------------------------

POST_LABEL = "Dispositif d'accueil d'enfants handicapés dans les crèches"
RECEIPTS = "Ligne 5, colonne « Autres recettes prévues (€) » : "
CONTINUED = "Ligne 5, colonne « Action antérieure (oui/non) » : "


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (
            {"C5": "inconnu"},
            "Ligne 5, colonne « Code poste » : poste « inconnu » inconnu : les codes possibles "
            "sont accueil-enfants-handicapes, communication, coordination.",
        ),
        ({"C5": None}, "Ligne 5, colonne « Code poste » : le code poste est obligatoire."),
        (
            {"A5": 2019},
            "Ligne 5, colonne « Année » : L'année 2019 est hors de la période du contrat "
            "(2014–2017).",
        ),
        ({"A5": None}, "Ligne 5, colonne « Année » : l'année est obligatoire."),
        (
            {"A5": "2015 bis"},
            "Ligne 5, colonne « Année » : « 2015 bis » n'est pas un nombre entier.",
        ),
        (
            {"E5": 99},
            "Ligne 5, colonne « N° fiche » : la fiche n° 99 n'existe pas dans ce contrat.",
        ),
        ({"H5": "abc"}, "Ligne 5, colonne « Prévu (€) » : « abc » n'est pas un montant."),
        ({"H5": None}, "Ligne 5, colonne « Prévu (€) » : le montant prévu est obligatoire."),
        (
            {"H5": -5},
            "Ligne 5, colonne « Prévu (€) » : le montant « -5 » est négatif : un montant est "
            "positif ou nul.",
        ),
        (
            {"I5": "-60 000,00"},
            f"{RECEIPTS}le montant « -60 000,00 » est négatif : un montant est positif ou nul.",
        ),
        ({"I5": "abc"}, f"{RECEIPTS}« abc » n'est pas un montant."),
        (
            {"I5": 130000},
            f"{RECEIPTS}les autres recettes prévues ({format_eur(130000)}) dépassent le prévu "
            f"({format_eur(120000)}) : le reste à charge serait négatif.",
        ),
        (
            {"K5": "peut-être"},
            f"{CONTINUED}« peut-être » n'est pas une réponse possible : écrivez oui ou non.",
        ),
        ({"K5": None}, f"{CONTINUED}l'action antérieure est obligatoire : écrivez oui ou non."),
        (
            {"H5": 100000},
            f"Ligne 5, colonne « Prévu (€) » : Le prévu ({format_eur(100000)}) serait inférieur "
            f"aux engagements déjà saisis ({format_eur(120000)}) : écart de "
            f"{format_eur(20000)}.",
        ),
        (
            {"H5": 170000},
            f"Lignes 5 et 6, colonne « Prévu (€) » : l'enveloppe 2015 serait dépassée de "
            f"{format_eur(10000)} : {format_eur(208000)} prévus (dont {format_eur(0)} sur des "
            f"lignes absentes du fichier, qui restent inchangées) pour une enveloppe annuelle "
            f"de {format_eur(198000)}.",
        ),
        (
            {"A15": 2015, "C15": "coordination", "E15": 12, "H15": 120000, "K15": "oui"},
            "Ligne 15, colonnes « Année », « Code poste », « N° fiche » : cette ligne budgétaire "
            "(2015, poste « coordination », fiche n° 12) figure déjà à la ligne 5 du fichier.",
        ),
        (
            {"W1": "Contribution Région (€)"},
            "Ligne 1, colonne « Contribution Région (€) » : Ce classeur suit l'ancienne mise en "
            "page : les colonnes de contributions par partenaire (« Contribution Région (€) ») "
            "n'existent plus ; la PSEJ de chaque financeur et la part du bénéficiaire sont "
            "désormais calculées d'après le prévu, les autres recettes prévues et les "
            "conditions de financement du contrat. Supprimez ces colonnes, ou repartez de "
            "l'export actuel du budget.",
        ),
        (
            {"G1": "Libellé", "W1": "libellé"},
            "Ligne 1, colonne « libellé » : cette colonne figure deux fois dans la ligne "
            "d'en-tête.",
        ),
    ],
)
def test_each_invalid_cell_is_named_by_row_and_column(finance, room_in_2015, cells, message):
    assert errors(room_in_2015, edited(export(finance), **cells)) == [message]


def test_a_line_of_the_annex_convention_outside_its_years_is_refused(contract, disability_scheme):
    """The financing conftest's contract: its annex convention covers 2014 only (the demo's,
    since avenant n° 1, covers the whole contract)."""
    rows = [
        [
            "Année",
            "Code poste",
            "N° fiche",
            "Libellé",
            "Prévu (€)",
            "Autres recettes prévues (€)",
            "Action antérieure (oui/non)",
        ],
        [2016, disability_scheme.code, None, None, 1000, None, "non"],
    ]
    assert errors(contract, written("csv", rows), "budget.csv") == [
        f"Ligne 2, colonne « Année » : La convention annexe ne couvre pas 2016 : le poste "
        f"« {POST_LABEL} » ne peut pas y être financé."
    ]


def test_an_envelope_counts_the_lines_left_out_of_the_file(finance, room_in_2015):
    workbook = openpyxl.load_workbook(io.BytesIO(export(finance)))
    sheet = workbook["Lignes budgétaires"]
    sheet.delete_rows(6)  # 2015 communication, 38 000 €, stays as it is
    sheet["H5"] = 170000
    output = io.BytesIO()
    workbook.save(output)
    assert errors(room_in_2015, output.getvalue()) == [
        f"Ligne 5, colonne « Prévu (€) » : l'enveloppe 2015 serait dépassée de "
        f"{format_eur(10000)} : {format_eur(208000)} prévus (dont {format_eur(38000)} sur des "
        f"lignes absentes du fichier, qui restent inchangées) pour une enveloppe annuelle de "
        f"{format_eur(198000)}."
    ]


def test_a_missing_column_is_named(finance, room_in_2015):
    workbook = openpyxl.load_workbook(io.BytesIO(export(finance)))
    workbook["Lignes budgétaires"].delete_cols(8)  # Prévu (€)
    output = io.BytesIO()
    workbook.save(output)
    assert errors(room_in_2015, output.getvalue()) == [
        "Ligne 1, colonne « Prévu (€) » : colonne absente de la ligne d'en-tête : elle est "
        "obligatoire (reprenez la présentation de l'export)."
    ]


def test_informative_columns_may_go_and_unknown_ones_are_ignored(finance, room_in_2015):
    workbook = openpyxl.load_workbook(io.BytesIO(export(finance)))
    sheet = workbook["Lignes budgétaires"]
    sheet.delete_cols(21, 2)  # Engagé, Payé
    sheet.delete_cols(10, 1)  # Reste à charge prévu: computed
    sheet.delete_cols(2)  # Instrument
    sheet["T1"] = "Commentaire"
    sheet["T2"] = "à revoir"
    output = io.BytesIO()
    workbook.save(output)
    plan = prepare_import(contract=room_in_2015, data=output.getvalue(), filename="b.xlsx")
    assert plan.errors == []
    assert plan.ignored_columns == ["Commentaire"]
    assert "Reste à charge prévu (€)" not in plan.recomputed_columns
    assert plan.counts["unchanged"] == 13


def exported_rows(client) -> list[list]:
    """The demo export's « Lignes budgétaires » sheet as rows of values, the header first."""
    sheet = openpyxl.load_workbook(io.BytesIO(export(client)))["Lignes budgétaires"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def written(fmt: str, rows: list[list]) -> bytes:
    """`rows` written as a file of format `fmt`, ragged rows kept ragged."""
    if fmt == "csv":
        output = io.StringIO()
        csv.writer(output, delimiter=";").writerows(
            ["" if value is None else value for value in row] for row in rows
        )
        return output.getvalue().encode()
    if fmt == "xlsx":
        workbook = openpyxl.Workbook()
        workbook.active.title = "Lignes budgétaires"
        for row in rows:
            workbook.active.append(row)
        output = io.BytesIO()
        workbook.save(output)
        return output.getvalue()
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Lignes budgétaires")
    for values in rows:
        row = TableRow()
        for value in values:
            if value is None:
                cell = TableCell()
            elif isinstance(value, int | float):
                cell = TableCell(valuetype="float", value=str(value))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    document.spreadsheet.addElement(table)
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods"])
def test_a_value_beyond_the_last_column_is_refused_with_its_row_and_column(
    finance, room_in_2015, fmt
):
    rows = exported_rows(finance)
    rows[4] += [None, "xyz"]  # row 5, column X
    rows[5] += ["a", "", 7]  # row 6, columns W and Y
    rows.append([None] * 22 + [None, "oublié"])  # row 15: nothing else
    assert errors(room_in_2015, written(fmt, rows), f"budget.{fmt}") == [
        "Ligne 5, colonne X : cellule en trop (« xyz ») — la ligne d'en-tête a 22 colonnes "
        "(A à V) : videz cette cellule, ou donnez un en-tête à sa colonne.",
        "Ligne 6, colonnes W et Y : cellules en trop (« a », « 7 ») — la ligne d'en-tête a 22 "
        "colonnes (A à V) : videz ces cellules, ou donnez un en-tête à leur colonne.",
        "Ligne 15, colonne X : cellule en trop (« oublié ») — la ligne d'en-tête a 22 colonnes "
        "(A à V) : videz cette cellule, ou donnez un en-tête à sa colonne.",
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "ods"])
def test_empty_cells_beyond_the_last_column_are_fine(finance, room_in_2015, fmt):
    rows = exported_rows(finance)
    rows[4] += [None, "", "   "]
    rows.append([None] * 25)
    plan = prepare_import(contract=room_in_2015, data=written(fmt, rows), filename=f"b.{fmt}")
    assert plan.errors == []
    assert plan.counts["unchanged"] == 13


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (
            b"PK\x03\x04 not really a zip",
            "budget.xlsx",
            "Le fichier « budget.xlsx » n'est pas un fichier XLSX valide : son contenu n'est ni "
            "un classeur ni un fichier texte.",
        ),
        (
            b"%PDF-1.4\n\x00\x01\x02binary",
            "budget.csv",
            "Le fichier « budget.csv » n'est pas un fichier CSV valide : son contenu n'est ni "
            "un classeur ni un fichier texte.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel",
            "budget.xls",
            "Le fichier « budget.xls » n'est pas d'un type accepté : envoyez un classeur XLSX, "
            "CSV ou ODS.",
        ),
        (
            b"Ann\xc3\xa9e;Code poste\n",
            "budget.txt",
            "Le fichier « budget.txt » n'est pas d'un type accepté : envoyez un classeur XLSX, "
            "CSV ou ODS.",
        ),
        (
            "Année;Instrument;Code poste;Poste;N° fiche;Fiche;Libellé;Prévu (€);"
            "Autres recettes prévues (€);Action antérieure (oui/non)\r\n"
            ";;;;\r\n".encode(),
            "budget.csv",
            "Le fichier ne contient aucune ligne budgétaire sous la ligne d'en-tête.",
        ),
        (b"", "budget.csv", "Le fichier est vide."),
    ],
)
def test_unreadable_files_are_refused(room_in_2015, content, name, message):
    assert errors(room_in_2015, content, name) == [message]


def test_the_content_decides_not_the_extension(finance, room_in_2015):
    xlsx = export(finance)
    assert errors(room_in_2015, xlsx, "budget.csv") == [
        "Le fichier « budget.csv » n'est pas un fichier CSV valide : son contenu est celui "
        "d'un fichier XLSX."
    ]
    assert errors(room_in_2015, export(finance, "ods"), "budget.xlsx") == [
        "Le fichier « budget.xlsx » n'est pas un fichier XLSX valide : son contenu est celui "
        "d'un fichier ODS."
    ]
    assert errors(room_in_2015, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "budget.xlsx") == [
        "Le fichier « budget.xlsx » est un classeur Excel 97-2003 (.xls) : enregistrez-le au "
        "format .xlsx."
    ]


def test_an_empty_or_too_large_upload_is_refused_by_the_form(finance, room_in_2015):
    before = state(room_in_2015)
    response = upload(finance, b"", "budget.csv")
    assert response.context["form"].errors["file"] == ["Le fichier est vide."]
    response = upload(finance, b"a" * (5 * 1024 * 1024 + 1), "budget.csv")
    assert response.context["form"].errors["file"] == [
        "Le fichier pèse 5\u202f242\u202f881 octets : 5 Mo (5\u202f242\u202f880 octets) au plus "
        "sont acceptés."
    ]
    assert state(room_in_2015) == before


# All or nothing -----------------------------------------------------------------------


def test_one_invalid_row_blocks_the_whole_file(finance, room_in_2015):
    content = edited(export(finance), H5=130000, I5=5000, H10="n/a")
    before = state(room_in_2015)
    count = BudgetLine.objects.count()
    response = upload(finance, content)
    assert response.templates[0].name == "financing/import.html"
    assert [str(i) for i in response.context["issues"]] == [
        "Ligne 10, colonne « Prévu (€) » : « n/a » n'est pas un montant."
    ]
    assert "Le budget n’a pas été modifié" in response.content.decode()
    assert BudgetLine.objects.count() == count
    assert state(room_in_2015) == before
    assert "budget_import" not in finance.session


def test_a_refusal_while_applying_rolls_back_the_rows_already_written(
    finance, room_in_2015, demo_user, monkeypatch
):
    # 2016 is fully allocated: its line changes by its label.
    content = edited(export(finance), G5="Coordination 2015", G7="Coordination 2016")
    plan = prepare_import(contract=room_in_2015, data=content, filename="b.xlsx")
    assert plan.counts["changed"] == 2
    before = state(room_in_2015)
    calls = []

    def save_then_refuse(**kwargs):
        calls.append(kwargs["line"].year)
        if len(calls) == 2:
            raise ValidationError("Refus simulé.")
        return budget_line_save(**kwargs)

    monkeypatch.setattr(imports, "budget_line_save", save_then_refuse)
    with pytest.raises(ImportApplyError) as refused:
        apply_import(plan=plan, by=demo_user("finance"))
    assert [str(i) for i in refused.value.issues] == ["Ligne 7 : Refus simulé."]
    assert calls == [2015, 2016]
    assert state(room_in_2015) == before


def test_money_moved_between_lines_of_a_full_year_is_applied(finance, room_in_2015, demo_user):
    """2014 is fully allocated: the decrease must be written before the increase."""
    post = BudgetPost.objects.get(code="communication")
    line = BudgetLine.objects.get(contract=room_in_2015, year=2014, post=post)
    line.entries.all().delete()  # nothing committed, so that it may decrease
    content = edited(
        export(finance),
        H2=130000,
        H3=28000,
        I3=2800,
    )
    plan = prepare_import(contract=room_in_2015, data=content, filename="b.xlsx")
    assert plan.errors == []
    assert apply_import(plan=plan, by=demo_user("finance"))["changed"] == 2
    assert BudgetLine.objects.filter(contract=room_in_2015, year=2014).total() == D("198000")


# From preview to confirmation ---------------------------------------------------------


def test_a_budget_changed_since_the_preview_is_previewed_again_not_applied(finance, room_in_2015):
    content = edited(export(finance), H5=130000)
    preview = upload(finance, content)
    line = BudgetLine.objects.get(contract=room_in_2015, year=2016, post__code="communication")
    line.label = "Modifié par un collègue"
    budget_line_save(line=line)
    before = state(room_in_2015)
    response = finance.post(CONFIRM, {"fingerprint": preview.context["fingerprint"]})
    assert response.status_code == 200
    assert response.context["stale"] is True
    assert "Le budget a changé depuis l’aperçu précédent." in response.content.decode()
    assert response.context["plan"].counts == {"new": 0, "changed": 2, "unchanged": 11}
    assert state(room_in_2015) == before

    response = finance.post(CONFIRM, {"fingerprint": response.context["fingerprint"]})
    assert response.status_code == 302
    assert BudgetLine.objects.get(pk=line.pk).label == ""  # the file's version wins, as shown
    assert BudgetLine.objects.get(
        contract=room_in_2015, year=2015, post__code="coordination"
    ).amount == D("130000")


def test_a_confirmation_without_a_matching_preview_applies_nothing(finance, room_in_2015):
    before = state(room_in_2015)
    response = finance.post(CONFIRM, {"fingerprint": "0" * 64})
    assert response.status_code == 302 and response["Location"] == IMPORT
    preview = upload(finance, edited(export(finance), H5=130000))
    assert preview.context["plan"].has_changes
    response = finance.post(CONFIRM, {"fingerprint": "forged"})
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert state(room_in_2015) == before


def test_cancelling_forgets_the_upload(finance, room_in_2015):
    preview = upload(finance, edited(export(finance), H5=130000))
    pending = finance.session["budget_import"]
    stored = f"imports/{pending['token']}.upload"
    assert default_storage.exists(stored)
    response = finance.post(CONFIRM, {"fingerprint": preview.context["fingerprint"], "cancel": "1"})
    assert response.status_code == 302 and response["Location"] == BUDGET
    assert not default_storage.exists(stored)
    assert "budget_import" not in finance.session
    assert BudgetLine.objects.get(
        contract=room_in_2015, year=2015, post__code="coordination"
    ).amount == D("120000")


# Permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["finance", "admin"])
def test_finance_officers_and_administrators_may_import(
    client, demo_user, contract_in_preparation, username
):
    client.force_login(demo_user(username))
    response = client.get(IMPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html
    assert '<label for="id_file">' in html


@pytest.mark.parametrize("username", ["cdaje", "partner-cg", "partner-caf", "partner-msa"])
def test_others_in_scope_are_refused_with_the_reason(client, demo_user, username):
    client.force_login(demo_user(username))
    for response in (client.get(IMPORT), client.post(CONFIRM, {"fingerprint": "x"})):
        assert response.status_code == 403
        assert "Seuls les agents financiers modifient le budget." in response.content.decode()


def test_out_of_scope_is_404_and_anonymous_goes_to_login(client, demo):
    response = client.get(IMPORT)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(
        UserFactory(finance=True, territory=TerritoryFactory(code="69", name="Rhône"))
    )
    assert client.get(IMPORT).status_code == 404
    assert client.post(CONFIRM).status_code == 404


def test_on_the_signed_contract_importing_answers_403_naming_the_avenant(client, demo_user, demo):
    client.force_login(demo_user("finance"))
    content = export(client)  # reading stays open
    before = state(demo.contract)
    for response in (
        client.get(IMPORT),
        upload(client, edited(content, G6="Plan de communication 2015")),
        client.post(CONFIRM, {"fingerprint": "x"}),
    ):
        assert response.status_code == 403
        text = response.content.decode().replace("&#x27;", "'")
        assert "son contenu ne change que par avenant" in text
        assert "l'avenant n° 2 en cours" in text
    assert state(demo.contract) == before


def test_a_contract_signed_between_preview_and_application_is_not_changed(
    finance, room_in_2015, demo_user
):
    content = edited(export(finance), G6="Plan de communication 2015")
    plan = prepare_import(contract=room_in_2015, data=content, filename="b.xlsx")
    assert plan.errors == [] and plan.counts["changed"] == 1
    Contract.objects.filter(pk=room_in_2015.pk).update(status=ContractStatus.SIGNED)
    before = state(room_in_2015)
    with pytest.raises(PermissionDenied, match="ne change que par avenant"):
        apply_import(plan=plan, by=demo_user("finance"))
    assert state(room_in_2015) == before


def test_a_workbook_in_the_old_layout_is_refused_naming_what_changed(room_in_2015):
    """The previous export: a contribution typed per partner, no other receipts, no « action
    antérieure ». Refused as a whole, with one message that says what to do."""
    rows = [
        [
            "Année",
            "Instrument",
            "Code poste",
            "Poste",
            "N° fiche",
            "Fiche",
            "Libellé",
            "Prévu (€)",
            "Contribution Département (€)",
            "Contribution CAF (€)",
            "Contribution MSA (€)",
            "Engagé (€)",
            "Payé (€)",
        ],
        [2015, "CEJ", "coordination", "", 12, "", "", "120000,00", "48000", "60000", "12000"],
    ]
    assert errors(room_in_2015, written("csv", rows), "budget.csv") == [
        "Ligne 1, colonnes « Contribution Département (€) », « Contribution CAF (€) », "
        "« Contribution MSA (€) » : Ce classeur suit l'ancienne mise en page : les colonnes de "
        "contributions par partenaire (« Contribution Département (€) », « Contribution CAF "
        "(€) », « Contribution MSA (€) ») n'existent plus ; la PSEJ de chaque financeur et la "
        "part du bénéficiaire sont désormais calculées d'après le prévu, les autres recettes "
        "prévues et les conditions de financement du contrat. Supprimez ces colonnes et "
        "ajoutez les colonnes « Autres recettes prévues (€) », « Action antérieure (oui/non) "
        "», ou repartez de l'export actuel du budget."
    ]


def test_the_import_page_documents_the_layout(finance, room_in_2015):
    html = finance.get(IMPORT).content.decode()
    assert "« Autres recettes prévues (€) », « Action antérieure (oui/non) »" in html
    assert "Colonnes du réalisé, que l’export donne mais que l’import ne lit pas" in html
    assert "« PSEJ CAF prévue (€) »" in html and "« PSEJ CAF réalisée (€) »" in html
    assert "ancienne présentation" in html
