"""The indicators' services and predicates: definitions and targets are contract content
(written directly while the contract is prepared, refused once it is signed), actual values
are execution (CDAJE staff and the fiche's lead partner, while signed); every change is
versioned; evidence is judged by its content; `indicator_trends` reads in two queries."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cej.models import Contract, ContractStatus, Document, DocumentKind
from fiches import indicator_services as services
from fiches.indicator_charts import figure, sparkline
from fiches.indicator_evidence import evidence_content
from fiches.indicator_selectors import indicator_trends
from fiches.models import Fiche, Indicator, IndicatorYear
from tests.pdftools import minimal_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def cdaje(demo_user):
    return demo_user("cdaje")


@pytest.fixture
def caf_user(demo_user):
    return demo_user("partner-caf")


def fiche(contract, number) -> Fiche:
    found = Fiche.objects.select_related("contract").get(contract=contract, number=number)
    found.contract = Contract.objects.get(pk=contract.pk)
    return found


def indicator(contract, fiche_number, number=1) -> Indicator:
    return Indicator.objects.get(contract=contract, fiche__number=fiche_number, number=number)


def create(target, by, **targets):
    return services.indicator_create(
        fiche=target,
        changes={"name": "Places créées", "unit": "places", "source": "PMI", "direction": "up"},
        targets={int(year[1:]): Decimal(v) for year, v in targets.items()},
        by=by,
    )


# --- the demo ------------------------------------------------------------------------------


def test_the_demo_measures_every_fiche_with_illustrative_figures(demo_contract):
    trends = indicator_trends(demo_contract)
    numbers = dict(Fiche.objects.filter(contract=demo_contract).values_list("pk", "number"))
    assert {numbers[pk] for pk in trends} >= set(range(1, 15))
    for items in trends.values():
        for trend in items:
            assert "données illustratives" in trend.source
            assert [p.year for p in trend.points] == [2014, 2015, 2016, 2017]
            assert trend.point(2016).actual is not None
            assert trend.point(2017).target is not None
    one = indicator(demo_contract, 1)
    assert one.baseline_year == 2013
    assert one.versions.count() == one.version  # the reprise, then one per actual entered


# --- definitions and targets: contract content ----------------------------------------------


def test_staff_define_an_indicator_of_a_contract_in_preparation(contract_in_preparation, cdaje):
    target = fiche(contract_in_preparation, 3)
    created = create(target, cdaje, y2014="10", y2015="12.5")
    assert created.number == 3  # after the demo's two
    assert created.contract_id == contract_in_preparation.pk
    assert services.targets_of(created) == {2014: Decimal("10.00"), 2015: Decimal("12.50")}
    version = created.versions.get()
    assert version.number == 1 and version.author == cdaje
    assert version.snapshot["years"]["2015"]["target"] == "12.50"


def test_a_target_outside_the_contract_years_is_refused(contract_in_preparation, cdaje):
    with pytest.raises(ValidationError) as error:
        create(fiche(contract_in_preparation, 3), cdaje, y2019="1")
    assert "hors de la période du contrat" in error.value.messages[0]


def test_only_cdaje_staff_define_indicators(contract_in_preparation, demo_user):
    for username in ("finance", "partner-caf"):
        with pytest.raises(PermissionDenied) as error:
            create(fiche(contract_in_preparation, 1), demo_user(username))
        assert "Seule l'équipe CDAJE définit les indicateurs" in str(error.value)


def test_on_a_signed_contract_targets_change_only_by_avenant(demo_contract, cdaje):
    with pytest.raises(PermissionDenied) as error:
        create(fiche(demo_contract, 3), cdaje, y2016="1")
    assert "ne change que par avenant" in str(error.value)
    current = indicator(demo_contract, 3)
    with pytest.raises(PermissionDenied):
        services.indicator_update(
            indicator=current,
            changes={},
            targets={2017: Decimal("99")},
            expected_version=current.version,
            by=cdaje,
        )
    assert services.targets_of(current)[2017] == Decimal("35.00")


def test_an_edit_from_an_old_version_is_refused_and_writes_nothing(contract_in_preparation, cdaje):
    current = indicator(contract_in_preparation, 2)
    services.indicator_update(
        indicator=current,
        changes={"name": "Premier nom"},
        targets={},
        expected_version=current.version,
        by=cdaje,
    )
    with pytest.raises(services.IndicatorConflict) as error:
        services.indicator_update(
            indicator=current,
            changes={"name": "Second nom"},
            targets={2014: Decimal("1")},
            expected_version=current.version,
            by=cdaje,
        )
    assert error.value.current["name"] == "Premier nom"
    stored = Indicator.objects.get(pk=current.pk)
    assert stored.name == "Premier nom" and stored.version == current.version + 1
    assert services.targets_of(stored)[2014] == Decimal("20.00")


def test_saving_unchanged_records_no_version(contract_in_preparation, cdaje):
    current = indicator(contract_in_preparation, 2)
    saved = services.indicator_update(
        indicator=current, changes={}, targets={}, expected_version=current.version, by=cdaje
    )
    assert saved.version == current.version


def test_an_indicator_of_a_contract_in_preparation_can_be_deleted(contract_in_preparation, cdaje):
    current = indicator(contract_in_preparation, 2)
    services.indicator_delete(indicator=current, by=cdaje)
    assert not Indicator.objects.filter(pk=current.pk).exists()


# --- actuals: execution ---------------------------------------------------------------------


def save_actual(target, by, year=2017, value="5", evidence=None):
    return services.indicator_actual_save(
        indicator=target,
        year=year,
        actual=None if value is None else Decimal(value),
        comment="Chiffre provisoire.",
        evidence=evidence,
        expected_version=Indicator.objects.get(pk=target.pk).version,
        by=by,
    )


def test_the_lead_partner_enters_the_actual_of_its_fiche(demo_contract, caf_user):
    target = indicator(demo_contract, 1, 2)  # fiche 1 is led by the CAF
    before = target.version
    row = save_actual(target, caf_user, value="55.4")
    assert row.actual == Decimal("55.4") and row.actual_recorded_by == caf_user
    stored = Indicator.objects.get(pk=target.pk)
    assert stored.version == before + 1
    latest = stored.versions.order_by("-number").first()
    assert latest.action == "Réalisé 2017 saisi" and latest.author == caf_user
    assert latest.snapshot["years"]["2017"]["actual"] == "55.40"


def test_a_partner_does_not_enter_the_actual_of_a_fiche_it_does_not_lead(demo_contract, caf_user):
    target = indicator(demo_contract, 4)  # led by the Département
    with pytest.raises(PermissionDenied) as error:
        save_actual(target, caf_user)
    assert "partenaire pilote" in str(error.value)


def test_finance_officers_do_not_enter_actuals(demo_contract, demo_user):
    with pytest.raises(PermissionDenied):
        save_actual(indicator(demo_contract, 1), demo_user("finance"))


def test_actuals_wait_for_the_signature_and_stop_when_the_contract_ends(demo_contract, cdaje):
    target = indicator(demo_contract, 1)
    for status, words in [
        (ContractStatus.DRAFT, "pas encore signé"),
        (ContractStatus.EXPIRED, "figé"),
    ]:
        Contract.objects.filter(pk=demo_contract.pk).update(status=status)
        with pytest.raises(PermissionDenied) as error:
            save_actual(target, cdaje)
        assert words in str(error.value)


def test_an_actual_from_an_old_version_is_refused(demo_contract, cdaje, caf_user):
    target = indicator(demo_contract, 1)
    version = target.version
    save_actual(target, cdaje, value="1")
    with pytest.raises(services.IndicatorConflict):
        services.indicator_actual_save(
            indicator=target,
            year=2016,
            actual=Decimal("2"),
            comment="",
            expected_version=version,
            by=caf_user,
        )
    assert IndicatorYear.objects.get(indicator=target, year=2016).actual == Decimal("100.00")


def test_the_evidence_is_stored_as_a_document_of_the_contract(demo_contract, cdaje):
    target = indicator(demo_contract, 1)
    row = save_actual(target, cdaje, evidence=(minimal_pdf(), "pdf"))
    document = Document.objects.get(pk=row.evidence_id)
    assert document.kind == DocumentKind.INDICATOR_EVIDENCE
    assert document.contract_id == demo_contract.pk
    assert document.filename.endswith(".pdf") and "fiche-1-indicateur-1-2017" in document.filename


# --- evidence, judged by its content --------------------------------------------------------


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "Places"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_pdf_xlsx_and_csv_evidence_are_accepted(settings):
    assert evidence_content(upload("bilan.pdf", minimal_pdf()))[1] == "pdf"
    assert evidence_content(upload("Chiffres.XLSX", xlsx_bytes()))[1] == "xlsx"
    assert (
        evidence_content(upload("export.csv", "année;places\n2016;12\n".encode("cp1252")))[1]
        == "csv"
    )


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("programme.exe", b"MZ\x90\x00", "PDF, XLSX ou CSV"),
        ("sans-extension", b"%PDF-1.4", "PDF, XLSX ou CSV"),
        ("faux.pdf", b"bonjour", "n'est pas un PDF"),
        ("faux.xlsx", b"bonjour", "n'est pas un classeur XLSX"),
        ("archive.xlsx", b"", "vide"),
        ("binaire.csv", b"a;b\x00c", "n'est pas un CSV"),
        ("document.csv", minimal_pdf(), "n'est pas un CSV"),
        ("classeur.csv", b"PK\x03\x04xx", "n'est pas un CSV"),
    ],
)
def test_evidence_that_is_not_what_it_claims_is_refused(name, content, words):
    with pytest.raises(ValidationError) as error:
        evidence_content(upload(name, content))
    assert words in error.value.messages[0]


def test_a_zip_that_is_no_workbook_or_holds_macros_is_refused():
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "bonjour")
    with pytest.raises(ValidationError):
        evidence_content(upload("classeur.xlsx", plain.getvalue()))
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source:
        macro = io.BytesIO()
        with zipfile.ZipFile(macro, "w") as archive:
            for item in source.infolist():
                archive.writestr(item, source.read(item))
            archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(ValidationError) as error:
        evidence_content(upload("macros.xlsx", macro.getvalue()))
    assert "macros" in error.value.messages[0]


# --- reads ----------------------------------------------------------------------------------


def test_indicator_trends_reads_in_two_queries(demo_contract, django_assert_num_queries):
    with django_assert_num_queries(2):
        trends = indicator_trends(demo_contract)
    assert (
        sum(len(items) for items in trends.values())
        == Indicator.objects.filter(contract=demo_contract).count()
    )


def test_the_sparkline_states_its_figures(demo_contract):
    trend = indicator_trends(demo_contract)[fiche(demo_contract, 2).pk][0]
    svg = str(sparkline(trend))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "2016 : cible 70, réalisé 72" in svg
    assert svg.count("<polyline") == 2


def test_figures_read_as_french():
    assert figure(Decimal("1250.00")) == "1\u202f250"
    assert figure(Decimal("12.50")) == "12,5"
    assert figure(None) == "—"
