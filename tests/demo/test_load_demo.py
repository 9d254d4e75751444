import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from cej.models import AmendmentStatus, AnnexConvention, Contract, ContractStatus, Signature
from demo.loire import DEMO_SLUG, PLENARY_DATE, SIGNED_ON
from demo.loire_amendments import AVENANT_1
from fiches.models import Aim, Fiche, Objective
from financing.models import BudgetLine, Contribution, Instrument
from partners.models import Partner

pytestmark = pytest.mark.django_db

# Avenant n° 1 (illustrative dates): the CDAJE's opinion in plenary, then the signature.
AVENANT_1_OPINION = datetime.date(*AVENANT_1["opinion"])
AVENANT_1_SIGNED = datetime.date(*AVENANT_1["signed"])

SEED_OBJECTIVES = [
    "Adéquation entre l'offre et la demande d'accueil : offre adaptée au regard des besoins "
    "identifiés",
    "Favoriser la qualité de l'accueil : inscrire le lieu d'accueil dans une démarche qualité",
    "Développer le partenariat, la mise en réseau, la communication",
]


def test_the_contract_carries_the_seed_facts(demo):
    contract = Contract.objects.get(slug=DEMO_SLUG)
    assert contract.title == "Contrat enfance jeunesse départemental de la Loire 2014–2017"
    assert (contract.start_year, contract.end_year) == (2014, 2017)
    assert contract.signed_on == datetime.date(2014, 10, 1)
    assert contract.status == ContractStatus.SIGNED
    assert contract.annual_envelope == Decimal("198000.00")
    assert contract.predecessor.end_year == 2013
    assert contract.predecessor.status == ContractStatus.EXPIRED


def test_three_partners_and_five_representatives_sign(demo):
    contract = Contract.objects.get(slug=DEMO_SLUG)
    assert sorted(contract.parties.values_list("partner__kind", flat=True)) == [
        "caf",
        "conseil_general",
        "msa",
    ]
    per_partner = {partner.kind: partner.signatories.count() for partner in Partner.objects.all()}
    assert per_partner == {"conseil_general": 1, "caf": 2, "msa": 2}
    caf_functions = set(
        Partner.objects.get(kind="caf").signatories.values_list("function", flat=True)
    )
    assert any("Président" in f for f in caf_functions)
    assert any("Directeur" in f for f in caf_functions)
    assert Signature.objects.filter(contract=contract, signed_on="2014-10-01").count() == 5


def test_the_orientations_are_three_objectives_and_fourteen_fiches_and_one_by_avenant(demo):
    """The seed's 14 fiches, signed in 2014; avenant n° 1 added fiche n° 15 in 2015."""
    contract = Contract.objects.get(slug=DEMO_SLUG)
    titles = list(Objective.objects.filter(contract=contract).values_list("title", flat=True))
    assert titles == SEED_OBJECTIVES
    assert Fiche.objects.filter(contract=contract).count() == 15
    assert list(Fiche.objects.filter(contract=contract).values_list("number", flat=True)) == list(
        range(1, 16)
    )
    added = Fiche.objects.get(contract=contract, number=15)
    assert added.title == "Créer un pôle ressource handicap petite enfance"
    assert [v.amendment.number for v in added.versions.all()] == [1]
    assert Aim.objects.count() == 4
    assert all(fiche.aims.exists() for fiche in Fiche.objects.filter(contract=contract))


def test_the_fiches_history_starts_at_their_plenary_not_at_the_load(demo):
    """The orientations were presented « en début d'année, en séance plénière de la CDAJE »
    (seed), before the signature of 1 October 2014; the day itself is illustrative. The
    fiches' history and last change carry that day, not the day the demo was loaded; what
    avenant n° 1 changed (fiche n° 4 revised, n° 15 added) carries the CDAJE's opinion on
    it and the day it was signed."""
    assert PLENARY_DATE.year == 2014 and PLENARY_DATE.month <= 3
    assert PLENARY_DATE < SIGNED_ON < AVENANT_1_OPINION < AVENANT_1_SIGNED
    fiches = Fiche.objects.filter(contract__slug=DEMO_SLUG).prefetch_related("versions")
    assert len(fiches) == 15
    for fiche in fiches:
        versions = sorted(fiche.versions.all(), key=lambda version: version.number)
        assert all(version.author is None for version in versions)
        if fiche.number in (4, 15):
            assert fiche.validated_on == AVENANT_1_OPINION
            assert timezone.localtime(fiche.updated_at).date() == AVENANT_1_SIGNED
            amended = versions[-1]
            assert amended.amendment.number == 1
            assert amended.snapshot["validated_on"] == AVENANT_1_OPINION.isoformat()
            assert timezone.localtime(amended.created_at).date() == AVENANT_1_SIGNED
            versions = versions[:-1]  # fiche n° 4's first version, as signed
            if fiche.number == 15:
                assert versions == []
                continue
        else:
            assert fiche.validated_on == PLENARY_DATE
            assert timezone.localtime(fiche.updated_at).date() == PLENARY_DATE
        (version,) = versions
        assert version.amendment is None
        assert version.snapshot["validated_on"] == PLENARY_DATE.isoformat()
        assert timezone.localtime(version.created_at).date() == PLENARY_DATE


def test_the_annex_convention_covered_2014_and_avenant_1_extended_it_to_2017(demo):
    annex = AnnexConvention.objects.get(contract__slug=DEMO_SLUG)
    assert (annex.start_year, annex.end_year) == (2014, 2017)
    assert "accueil d'enfants handicapés dans les crèches" in annex.purpose
    avenant = annex.contract.amendments.get(number=1)
    assert avenant.status == AmendmentStatus.SIGNED
    assert avenant.signed_on == AVENANT_1_SIGNED
    assert (avenant.annex_convention, avenant.previous_end_year) == (annex, 2014)
    assert avenant.new_end_year == 2017


def test_avenant_2_is_open(demo):
    contract = Contract.objects.get(slug=DEMO_SLUG)
    avenant = contract.amendments.get(number=2)
    assert avenant.status == AmendmentStatus.DRAFT
    assert avenant.signed_on is None
    assert [change.number for change in avenant.fiche_changes.all()] == [14]


def test_every_year_is_fully_allocated_2015_to_2017_through_avenant_1(demo):
    """As signed, 2014 carried 198 000 € (the two CEJ posts and the annex convention) and
    2015–2017 the CEJ lines only (158 000 €), the annex share awaiting new actions; avenant
    n° 1 added, each year 2015–2017, 25 000 € for fiche n° 4 and 15 000 € for fiche n° 15 on
    the annex convention."""
    contract = Contract.objects.get(slug=DEMO_SLUG)
    lines = BudgetLine.objects.filter(contract=contract)
    assert lines.filter(year=2014).total() == Decimal("198000.00")
    assert {line.post.code for line in lines.filter(year=2014)} == {
        "coordination",
        "communication",
        "accueil-enfants-handicapes",
    }
    avenant = contract.amendments.get(number=1)
    for year in (2015, 2016, 2017):
        assert lines.filter(year=year).total() == Decimal("198000.00")
        assert lines.filter(year=year, post__instrument=Instrument.CEJ).total() == Decimal(
            "158000.00"
        )
        assert lines.filter(year=year, post__code="coordination").exists()
        assert lines.filter(year=year, post__code="communication").exists()
        annex = lines.filter(year=year, post__instrument=Instrument.ANNEX).order_by("fiche__number")
        assert [(line.fiche.number, line.amount) for line in annex] == [
            (4, Decimal("25000.00")),
            (15, Decimal("15000.00")),
        ]
        # Created by the avenant; then its actual figures declared (demo.loire_cycle).
        assert all(line.versions.order_by("number")[0].amendment == avenant for line in annex)
        assert avenant.applied_budget[str(year)] == ["158000.00", "198000.00"]


def test_every_line_is_split_exactly_between_partners(demo):
    """The forecast shares — the CAF's and the MSA's PSEJ, the Département's own share — add
    up to each line's net cost, not to its amount: other receipts come first."""
    lines = BudgetLine.objects.filter(contract__slug=DEMO_SLUG)
    for line in lines:
        amounts = list(line.contributions.values_list("amount", flat=True))
        assert line.contributions_error(amounts) is None
        assert sum(amounts) == line.net_cost == line.amount - line.other_receipts
    assert lines.filter(other_receipts__gt=0).exists()
    assert Contribution.objects.count() == 3 * BudgetLine.objects.count()


def test_every_demo_record_is_valid(demo):
    for model in apps.get_models():
        if model._meta.app_label in {"cej", "partners", "fiches", "financing"}:
            for obj in model.objects.all():
                obj.full_clean()


def snapshot():
    data = {}
    for model in apps.get_models():
        if model._meta.app_label in {"cej", "partners", "fiches", "financing", "auth"}:
            data[model._meta.label] = list(model.objects.order_by("pk").values())
    return data


def test_a_second_run_changes_nothing(demo, capsys, settings, tmp_path):
    # The shared demo holds no sealed document (tests/conftest.py); a certificate left in
    # var/seal/ by `make run` must not make this run seal one
    # (tests/pilotage/test_documents.py checks the sealing run).
    settings.SEAL_CERTIFICATE_PATH = str(tmp_path / "no-certificate.pem")
    before = snapshot()
    call_command("load_demo", "--accounts")
    assert "rien à créer" in capsys.readouterr().out
    assert snapshot() == before


def test_demo_accounts_need_debug_or_an_explicit_request(empty_database, settings, capsys):
    settings.DEMO_ACCOUNTS = False
    call_command("load_demo")
    assert not get_user_model().objects.exists()
    assert "--accounts" in capsys.readouterr().out
    call_command("load_demo", "--accounts")
    usernames = set(get_user_model().objects.values_list("username", flat=True))
    assert usernames == {"admin", "cdaje", "finance", "partner-cg", "partner-caf", "partner-msa"}
    assert get_user_model().objects.get(username="cdaje").check_password("demo")


def test_the_cdaje_account_may_validate_fiches(demo, demo_user):
    assert demo_user("cdaje").has_perm("fiches.validate_fiche")
    assert not demo_user("finance").has_perm("fiches.change_fiche")
    assert demo_user("finance").has_perm("financing.change_budgetline")
    assert not demo_user("partner-caf").has_perm("financing.change_budgetline")


def test_loading_the_demo_marks_its_contracts_changed_once(empty_database):
    """The services it writes through each mark their contract; the demo batches them: one
    new page-cache token per contract at the end, not one per row (there were 161)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from demo.loire import load_loire_demo

    with CaptureQueriesContext(connection) as queries:
        load_loire_demo(with_accounts=False)
    token_updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "content_token" in q["sql"]
    ]
    assert len(token_updates) == 1, token_updates
    # About 1 400 for the contract as signed (its funding terms and schedules, the lines'
    # forecast shares), 700 more for its life since: the decisions, the Département's former
    # name and avenant n° 1 applied through the services (two fiches, six lines with their
    # execution); then 570 for the money cycle through the services (15 lines' actual
    # figures, 16 supporting documents, 15 funders' payments), measured at 2 695; then 770 for
    # the 29 indicators through their services (each created with its targets, its actual
    # values taken up at once, its versions dated), about 460 for the annual reviews
    # 2014–2017 (opened, written, three adopted with their PDFs), and about 1 300 for the
    # final evaluation in draft and the 2018–2021 contract prepared from it through the
    # renewal service (14 fiches with their versions, 16 lines with their forecast shares).
    assert len(queries.captured_queries) < 5_800, len(queries.captured_queries)
