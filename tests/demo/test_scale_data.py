"""The national scale data (`generate_scale_data`): rows that pass the models' own rules,
history in the services' shape, the Loire demo and any existing territory left alone, a
second run that adds nothing, and generated accounts that see exactly their contracts."""

import contextlib
import copy
import hashlib
import io
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from cej import roles
from cej.documents import _parses_as_pdf
from cej.models import (
    Amendment,
    AnnexConvention,
    Contract,
    ContractParty,
    ContractStatus,
    Document,
    DocumentDownload,
    DocumentKind,
    PartyRole,
    Signature,
    Territory,
)
from demo.loire import load_loire_demo
from demo.scale import AS_OF, DEPARTEMENTS, generate_scale_data
from demo.scale.core import FIRST_CEJ_YEAR, LAST_CEJ_YEAR, ScaleResult
from fiches.models import (
    Fiche,
    FicheStatus,
    FicheVersion,
    Indicator,
    IndicatorDirection,
    IndicatorYear,
    Objective,
)
from fiches.services import snapshot_of
from financing import psej
from financing.cycle_selectors import contract_cycle
from financing.models import (
    Advance,
    BudgetLine,
    BudgetLineVersion,
    Contribution,
    ExecutionEntry,
    ExecutionKind,
    FunderPayment,
    FundingTerms,
    Instrument,
    PaymentSchedule,
    SupportingDocument,
    SupportingDocumentKind,
)
from financing.services import line_snapshot
from financing.terms import contract_terms
from partners.models import Partner, PartnerKind, Signatory
from reviews.models import (
    ActionState,
    AnnualReview,
    EvaluationFiche,
    EvaluationStatus,
    FinalEvaluation,
    NeedsArea,
    NeedsPlaces,
    ReviewFiche,
    ReviewStatus,
)
from tests.pdftools import pdf_text
from tests.world import RowChanges, Snapshot

pytestmark = pytest.mark.django_db

SMALL = {"territories": 3, "contracts_per_territory": 2}
ZERO = Decimal("0.00")


@dataclass
class ScaleWorld:
    """What `generate_scale_data(**SMALL)` writes on a database as `migrate` leaves it: its
    rows and its files (the scanned originals), and what it returned."""

    changes: RowChanges
    folder: Path
    result: ScaleResult


@pytest.fixture(scope="session")
def scale_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Generated once per session (per worker), in a rolled-back transaction, as
    tests/conftest.py's `sealed_world` is (session fixtures come before a test's own
    transaction): ~0.4 s of generation, which the tests below paid once each."""
    folder = tmp_path_factory.mktemp("scale-files")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
    }
    with django_db_blocker.unblock(), override_settings(STORAGES=storages), transaction.atomic():
        django_db_setup.fresh.restore()
        before = Snapshot.take()
        result = generate_scale_data(**SMALL)
        changes = RowChanges.between(before, Snapshot.take())
        transaction.set_rollback(True)
    return ScaleWorld(changes=changes, folder=folder, result=result)


@pytest.fixture
def scale(empty_database, scale_world):
    """The scale data on a database without the demo: the session's rows replayed in this
    test's transaction, the same files in this test's own storage."""
    scale_world.changes.apply()
    for path in sorted(scale_world.folder.rglob("*")):
        if path.is_file():
            name = path.relative_to(scale_world.folder).as_posix()
            stored = default_storage.save(name, ContentFile(path.read_bytes()))
            assert stored == name, f"{name} was stored as {stored}: storage not empty"
    return copy.deepcopy(scale_world.result)


def generated(model, path="contract__"):
    return model.objects.filter(**{f"{path}slug__startswith": "scale-"})


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def row_counts() -> dict:
    models = [
        Territory,
        Partner,
        Signatory,
        get_user_model(),
        Contract,
        ContractParty,
        Signature,
        AnnexConvention,
        Amendment,
        Objective,
        Fiche,
        FicheVersion,
        BudgetLine,
        Contribution,
        ExecutionEntry,
        BudgetLineVersion,
        FundingTerms,
        PaymentSchedule,
        Advance,
        FunderPayment,
        SupportingDocument,
        Document,
        DocumentDownload,
        Indicator,
        IndicatorYear,
        AnnualReview,
        ReviewFiche,
        NeedsArea,
        NeedsPlaces,
        FinalEvaluation,
        EvaluationFiche,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_the_departements_are_the_101_real_ones():
    codes = [d.code for d in DEPARTEMENTS]
    assert len(codes) == len(set(codes)) == 101
    assert codes[:3] == ["01", "02", "03"]
    assert {"2A", "2B", "971", "974", "976"} <= set(codes)
    assert "20" not in codes and "975" not in codes
    names = {d.code: d.name for d in DEPARTEMENTS}
    assert names["01"] == "Ain" and names["42"] == "Loire" and names["976"] == "Mayotte"


def test_counts_follow_the_arguments(scale):
    assert scale.territories == 3
    assert scale.contracts == 6 == generated(Contract, "").count()
    assert scale.fiches == 6 * 14 == generated(Fiche).count()
    # Five accounts per territory, and one for the MSA the three share.
    assert scale.users == 3 * 5 + 1 == get_user_model().objects.count()
    assert scale.budget_lines == generated(BudgetLine).count()
    assert scale.contributions == generated(Contribution, "line__contract__").count()
    assert scale.execution_entries == generated(ExecutionEntry, "line__contract__").count()
    assert scale.fiche_versions == generated(FicheVersion, "fiche__contract__").count()
    assert scale.line_versions == generated(BudgetLineVersion).count()
    assert scale.funder_payments == generated(FunderPayment).count() > 0
    assert scale.supporting_documents == generated(SupportingDocument).count() > 0
    assert scale.documents == generated(Contract, "").exclude(signed_on=None).count()
    assert scale.documents == generated(Document).count()
    assert scale.budget_lines >= 6 * 25
    assert scale.indicators == generated(Indicator).count() >= 6 * 14
    assert scale.indicator_years == generated(IndicatorYear, "indicator__contract__").count()
    assert scale.indicator_years == 4 * scale.indicators
    assert scale.reviews == generated(AnnualReview).count() == 6 * 4
    assert scale.evaluations == generated(FinalEvaluation).count() == 6
    assert scale.review_rows == (
        generated(ReviewFiche, "review__contract__").count()
        + generated(NeedsArea, "review__contract__").count()
        + generated(NeedsPlaces, "area__review__contract__").count()
        + generated(EvaluationFiche, "evaluation__contract__").count()
    )
    assert scale.versions >= 2 * scale.fiches + scale.budget_lines

    one = generate_scale_data(territories=4, contracts_per_territory=1)
    assert (one.territories, one.contracts, one.fiches) == (1, 1, 14)
    assert Territory.objects.get(code="04").contracts.count() == 1


def test_partners_signatories_and_accounts(scale):
    User = get_user_model()
    msa = Partner.objects.get(slug="scale-msa-1")
    assert msa.kind == PartnerKind.MSA
    for code, of in [("01", "de l'Ain"), ("02", "de l'Aisne"), ("03", "de l'Allier")]:
        territory = Territory.objects.get(code=code)
        cd = Partner.objects.get(name=f"Conseil départemental {of}")
        caf = Partner.objects.get(name=f"Caisse d'allocations familiales {of}")
        for contract in territory.contracts.all():
            parties = [(p.partner, p.role) for p in contract.parties.order_by("order")]
            # One MSA caisse for the three départements; the Conseil départemental carries
            # the actions, the CAF and the MSA pay the PSEJ.
            assert parties == [
                (cd, PartyRole.BENEFICIARY),
                (caf, PartyRole.FUNDER),
                (msa, PartyRole.FUNDER),
            ]
        assert cd.signatories.get().function in (
            f"Président du Conseil départemental {of}",
            f"Présidente du Conseil départemental {of}",
        )
        assert caf.signatories.filter(is_active=True).count() == 2
        staff = {u.username for u in territory.staff.all()}
        assert staff == {f"scale-{code}-cdaje", f"scale-{code}-cdaje2", f"scale-{code}-finance"}
        cdaje = User.objects.get(username=f"scale-{code}-cdaje")
        assert set(cdaje.groups.values_list("name", flat=True)) == {
            roles.CDAJE_STAFF,
            roles.CDAJE_COORDINATOR,
        }
        finance = User.objects.get(username=f"scale-{code}-finance")
        assert list(finance.groups.values_list("name", flat=True)) == [roles.FINANCE_OFFICER]
        assert list(cd.members.values_list("username", flat=True)) == [f"scale-{code}-cg"]
        assert list(caf.members.values_list("username", flat=True)) == [f"scale-{code}-caf"]
        caf_user = User.objects.get(username=f"scale-{code}-caf")
        assert roles.FUNDER_FINANCE in set(caf_user.groups.values_list("name", flat=True))
    assert list(msa.members.values_list("username", flat=True)) == ["scale-msa-1"]
    assert msa.signatories.count() == 2
    for partner in Partner.objects.all():
        partner.full_clean()
        assert luhn_valid(partner.siret) and luhn_valid(partner.siret[:9]), partner.siret
    for signatory in Signatory.objects.all():
        signatory.full_clean()
    assert not any(u.has_usable_password() for u in User.objects.all())


def test_contracts_follow_each_other(scale):
    for territory in Territory.objects.all():
        contracts = list(territory.contracts.order_by("start_year"))
        assert contracts[0].predecessor is None
        for before, after in itertools.pairwise(contracts):
            assert after.predecessor == before
            assert after.start_year == before.end_year + 1
        for contract in contracts:
            code = territory.code.lower()
            assert contract.slug == f"scale-{code}-{contract.start_year}-{contract.end_year}"
            assert contract.end_year - contract.start_year == 3
            assert Decimal("80000") <= contract.annual_envelope <= Decimal("400000")
            assert contract.annual_envelope == contract.annual_envelope.quantize(Decimal("0.01"))
            # Every generated CEJ has run its four years and ended: signed, then expired.
            assert contract.status == ContractStatus.EXPIRED
            assert contract.signed_on and contract.signing_place
            assert contract.signed_on.year <= contract.start_year
            assert contract.signatures.count() == 5  # the CAF and the MSA sign twice
            assert contract.signatures.aggregate(last=Max("signed_on"))["last"] == (
                contract.signed_on
            )


def test_contract_chains_stay_within_the_years_cejs_existed(empty_database):
    """CEJs existed from 2006 until the convention territoriale globale replaced them, the
    last ending in 2021: chains of successive four-year contracts fit between, and no CEJ is
    in preparation or in signature for 2026–2029 (today, late 2026, every one has ended)."""
    generate_scale_data(territories=3, contracts_per_territory=3)
    generate_scale_data(territories=5, contracts_per_territory=4)  # 04 and 05: the most
    contracts = generated(Contract, "")
    assert contracts.count() == 3 * 3 + 2 * 4
    assert not contracts.filter(Q(start_year__lt=FIRST_CEJ_YEAR) | Q(end_year__gt=LAST_CEJ_YEAR))
    assert not contracts.filter(end_year__gte=2022).exists()
    assert not contracts.filter(start_year__range=(2022, 2029)).exists()
    assert not contracts.exclude(status=ContractStatus.EXPIRED).exists()
    # The newest contract of each chain ends between 2018 and 2021, mostly in 2021.
    newest = [t.contracts.order_by("-end_year").first().end_year for t in Territory.objects.all()]
    assert set(newest) <= {2018, 2019, 2020, 2021} and 2021 in newest
    for code in ("04", "05"):
        slugs = list(
            Contract.objects.filter(territory__code=code)
            .order_by("start_year")
            .values_list("slug", flat=True)
        )
        assert slugs == [
            f"scale-{code}-2006-2009",
            f"scale-{code}-2010-2013",
            f"scale-{code}-2014-2017",
            f"scale-{code}-2018-2021",
        ]


def test_generated_rows_pass_the_models_validation(scale):
    for contract in generated(Contract, ""):
        contract.full_clean()
    for model in (ContractParty, Signature, AnnexConvention, Amendment, Objective, Document):
        for row in generated(model):
            row.full_clean()
    for fiche in generated(Fiche).prefetch_related("aims", "associated_partners"):
        texts = {f: getattr(fiche, f) for f in ("findings", "goals", "actions", "calendar")}
        fiche.full_clean()
        # Stored already as the allow-list leaves them: validation changes nothing.
        assert texts == {f: getattr(fiche, f) for f in texts}
    # BudgetLine.full_clean() checks the year's envelope against the other lines, the annex
    # convention and the commitments already recorded.
    # Every other row (every row's check costs queries; the aggregates below cover them all).
    lines = generated(BudgetLine).select_related("contract", "post", "annex_convention")
    for line in list(lines)[::2]:
        line.full_clean()
    for contribution in list(generated(Contribution, "line__contract__"))[::3]:
        contribution.full_clean()
    # ExecutionEntry.full_clean() checks committed ≤ planned and paid ≤ committed.
    entries = generated(ExecutionEntry, "line__contract__")
    assert entries.filter(kind=ExecutionKind.PAYMENT).exists()
    for entry in list(entries.select_related("line"))[::3]:
        entry.full_clean()


def test_budget_rules_hold_over_everything(scale):
    lines = generated(BudgetLine)
    totals = lines.annotate(split=Sum("contributions__amount"))
    assert all(line.split == line.net_cost for line in totals)
    assert lines.filter(other_receipts__gt=0).exists() and lines.filter(continued=True).exists()

    years = lines.values("contract", "year").annotate(total=Sum("amount"))
    envelopes = dict(generated(Contract, "").values_list("pk", "annual_envelope"))
    assert all(row["total"] <= envelopes[row["contract"]] for row in years)
    # Some years use the whole envelope, others show a remainder.
    assert any(row["total"] == envelopes[row["contract"]] for row in years)
    assert any(row["total"] < envelopes[row["contract"]] for row in years)

    executed = lines.annotate(
        committed=Sum("entries__amount", filter=Q(entries__kind=ExecutionKind.COMMITMENT)),
        paid=Sum("entries__amount", filter=Q(entries__kind=ExecutionKind.PAYMENT)),
    )
    for line in executed:
        assert (line.paid or ZERO) <= (line.committed or ZERO) <= line.amount

    for line in lines.select_related("post", "annex_convention", "contract", "fiche"):
        assert line.contract.covers_year(line.year)
        if line.post.instrument == Instrument.ANNEX:
            assert line.annex_convention.covers_year(line.year)
        else:
            assert line.annex_convention is None
        if line.fiche:
            assert line.fiche.contract_id == line.contract_id
            assert line.fiche.status != FicheStatus.WITHDRAWN
    # No commitment or payment for a contract not signed yet, nor after the history's end.
    entries = generated(ExecutionEntry, "line__contract__")
    assert not entries.filter(
        line__contract__status__in=[ContractStatus.DRAFT, ContractStatus.IN_SIGNATURE]
    ).exists()


def test_the_financing_plans_follow_the_terms(scale):
    """The stored forecast split is what `financing.psej` gives on the contract's terms (the
    generator computes it in bulk; the services would compute it line by line), and the
    actual figures of a signed contract's past years are declared, paid = actual expenses
    once the balance is paid."""
    for contract in generated(Contract, ""):
        terms = contract_terms(contract.pk)
        assert set(terms.by_instrument) == (
            {Instrument.CEJ, Instrument.ANNEX}
            if contract.annex_conventions.exists()
            else {Instrument.CEJ}
        )
        assert PaymentSchedule.objects.filter(contract=contract).count() == 2
        for line in contract.budget_lines.prefetch_related("contributions"):
            expected = psej.plan(
                expenses=line.amount,
                receipts=line.other_receipts,
                continued=line.continued,
                terms=terms.for_line(line),
            )
            stored = {c.partner_id: c.amount for c in line.contributions.all()}
            assert stored == {**expected.psej, terms.beneficiary_id: expected.own_share}
            past = contract.signed_on and line.year < AS_OF.year
            assert line.actuals_declared == bool(past), (contract.slug, line.year)
            if line.actuals_declared:
                assert line.actual_receipts <= line.actual_expenses
                paid = line.entries.filter(kind=ExecutionKind.PAYMENT)
                if paid.filter(reference__endswith="-S").exists():
                    assert paid.total() == line.actual_expenses
                else:
                    assert line.actual_expenses <= line.amount


def test_the_funders_payments_and_positions(scale):
    """Only signed contracts see money move, up to AS_OF; the positions read back through
    the cycle are never negative; most past years are settled, some balances outstanding,
    some sums to recover or recovered, some documents late."""
    payments = generated(FunderPayment)
    assert not payments.filter(
        contract__status__in=[ContractStatus.DRAFT, ContractStatus.IN_SIGNATURE]
    ).exists()
    assert not payments.filter(received_on__gt=AS_OF).exists()
    assert not payments.filter(year__gt=AS_OF.year).exists()
    for payment in payments.select_related("contract")[::7]:
        payment.full_clean()
        assert payment.received_on >= payment.contract.signed_on
    for document in generated(SupportingDocument)[::7]:
        document.full_clean()
    seen = set()
    for contract in generated(Contract, "").exclude(signed_on=None):
        for funder_year in contract_cycle(contract, today=AS_OF).positions:
            position = funder_year.position
            assert min(position.owed, position.outstanding, position.to_recover) >= 0
            assert position.received >= 0
            if position.actual_psej is not None:
                assert position.balance == position.actual_psej - position.advances_received
                seen.add("settled" if position.settled else "open")
                seen |= {"to recover"} if position.to_recover else set()
            seen |= {"refund"} if position.refunded else set()
            seen |= {"late"} if funder_year.late else set()
    assert {"settled", "open", "late"} <= seen, seen
    assert payments.filter(kind="refund").exists() == ("refund" in seen)


def test_fiches_and_their_history(scale):
    for contract in generated(Contract, ""):
        fiches = list(contract.fiches.order_by("number"))
        assert [f.number for f in fiches] == list(range(1, 15))
        assert contract.objectives.count() == 3
        assert all(f.status == FicheStatus.VALIDATED and f.validated_on for f in fiches)
        # Lineage, as renewal sets it: each fiche continues its predecessor's same fiche.
        if contract.predecessor_id:
            assert [(f.continues.contract_id, f.continues.number) for f in fiches] == [
                (contract.predecessor_id, n) for n in range(1, 15)
            ]
        else:
            assert all(f.continues_id is None for f in fiches)
    for fiche in generated(Fiche):
        numbers = list(fiche.versions.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, fiche.version + 1))
        assert 2 <= fiche.version <= 5
        assert fiche.lead_partner in [p.partner for p in fiche.contract.parties.all()]
    # The newest version is the fiche as stored, in fiches.services' own shape.
    for fiche in generated(Fiche).prefetch_related("aims", "associated_partners")[:60]:
        latest = fiche.versions.order_by("-number").first()
        assert latest.snapshot == snapshot_of(fiche)
        first = fiche.versions.get(number=1)
        assert first.snapshot.keys() == latest.snapshot.keys()
        assert first.action == "Création"
        assert first.created_at <= latest.created_at
    for line in generated(BudgetLine).prefetch_related("contributions__partner")[:60]:
        versions = list(BudgetLineVersion.objects.filter(line_ref=line.pk).order_by("number"))
        assert [v.number for v in versions] == list(range(1, line.version + 1))
        assert versions[-1].snapshot == line_snapshot(line)
        assert versions[0].kind == "created"
    assert generated(BudgetLine).filter(version=2).exists()


def test_indicators_have_a_target_and_an_actual_each_year(scale):
    """Every fiche is measured by one or two indicators with a baseline the year before the
    contract, a target for each of its years and, today being past them all, the actual
    value recorded the next spring by the lead partner or the CDAJE staff (now and then
    never measured). Illustrative, and said so."""
    for contract in generated(Contract, "").prefetch_related("fiches__indicator_set__years"):
        years = list(contract.years)
        for fiche in contract.fiches.all():
            indicators = list(fiche.indicator_set.all())
            assert 1 <= len(indicators) <= 2
            assert sorted(i.number for i in indicators) == list(range(1, len(indicators) + 1))
            for indicator in indicators:
                assert indicator.contract_id == contract.pk
                assert indicator.source.endswith("données illustratives")
                assert indicator.baseline_year == contract.start_year - 1
                assert indicator.baseline_value is not None
                rows = sorted(indicator.years.all(), key=lambda row: row.year)
                assert [row.year for row in rows] == years
                assert all(row.target is not None for row in rows)
                if indicator.unit == "%":
                    assert all(0 <= row.target <= 100 for row in rows)
                for row in rows:
                    if row.actual is None:
                        assert row.actual_recorded_at is None
                        continue
                    assert row.year < row.actual_recorded_at.year <= AS_OF.year
                    assert row.actual_recorded_at.date() < AS_OF
                    assert row.actual_recorded_by_id is not None
    year_rows = generated(IndicatorYear, "indicator__contract__")
    assert year_rows.filter(actual=None).count() < year_rows.count() / 10
    assert year_rows.exclude(comment="").exists()
    assert generated(Indicator).filter(direction=IndicatorDirection.DOWN).exists()
    for indicator in generated(Indicator)[::7]:
        indicator.full_clean()
    for row in year_rows[::11]:
        row.full_clean()


def test_every_year_has_its_adopted_annual_review(scale):
    """One review per contract year, adopted on the CDAJE's opinion given in plenary the
    spring after, with the state of each of the contract's fiches and the needs-and-supply
    report; each adoption stands for the year's activity data sent to both funders."""
    for contract in generated(Contract, "").prefetch_related(
        "reviews__fiches", "reviews__areas__places", "fiches"
    ):
        reviews = sorted(contract.reviews.all(), key=lambda review: review.year)
        assert [review.year for review in reviews] == list(contract.years)
        fiche_ids = sorted(f.pk for f in contract.fiches.all())
        for review in reviews:
            assert review.status == ReviewStatus.ADOPTED
            assert review.opinion and review.summary
            assert review.opinion_on.year == review.year + 1 and review.opinion_on < AS_OF
            assert review.submitted_at < review.adopted_at <= review.updated_at
            assert review.submitted_by_id and review.adopted_by_id
            assert review.document_id is None  # no PDF at scale
            assert sorted(row.fiche_id for row in review.fiches.all()) == fiche_ids
            areas = list(review.areas.all())
            assert len(areas) >= 3
            for area in areas:
                assert area.children_under_3 > 0
                assert sum(p.places for p in area.places.all()) > 0
            for funder in contract.parties.filter(role=PartyRole.FUNDER):
                assert SupportingDocument.objects.filter(
                    contract=contract,
                    funder_id=funder.partner_id,
                    year=review.year,
                    kind=SupportingDocumentKind.ACTIVITY,
                ).exists()
    states = set(generated(ReviewFiche, "review__contract__").values_list("state", flat=True))
    assert states == set(ActionState.values)
    for model, path in (
        (AnnualReview, "contract__"),
        (ReviewFiche, "review__contract__"),
        (NeedsArea, "review__contract__"),
        (NeedsPlaces, "area__review__contract__"),
    ):
        for row in generated(model, path)[::13]:
            row.full_clean()


def test_each_contract_ends_with_its_adopted_final_evaluation(scale):
    """Adopted in the autumn of the last year, before the next contract's plenary: what each
    fiche taught and whether to renew it; a fiche the next contract continues is never one
    it recommended ending."""
    for contract in generated(Contract, "").select_related("final_evaluation"):
        evaluation = contract.final_evaluation
        assert evaluation.status == EvaluationStatus.ADOPTED
        assert evaluation.opinion and evaluation.opinion_on.year == contract.end_year
        assert evaluation.document_id is None  # no PDF at scale
        notes = {n.fiche_id: n for n in evaluation.fiches.all()}
        assert sorted(notes) == sorted(contract.fiches.values_list("pk", flat=True))
        for fiche in Fiche.objects.filter(continues__contract=contract):
            assert notes[fiche.continues_id].recommendation != "end"
        successor = Contract.objects.filter(predecessor=contract).first()
        if successor:
            assert successor.signatures.order_by("signed_on").first().signed_on > (
                evaluation.opinion_on
            )
    for row in generated(FinalEvaluation)[::3]:
        row.full_clean()


def test_scanned_originals_are_valid_pdfs_of_their_contract(scale):
    digests = set()
    for document in generated(Document).select_related("contract"):
        assert document.kind == DocumentKind.SCANNED_ORIGINAL
        with default_storage.open(document.file.name, "rb") as handle:
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert len(content) == document.size
        assert _parses_as_pdf(content)
        digests.add(document.sha256)
        assert document.dated == document.contract.signed_on
    assert len(digests) == generated(Document).count()  # one file per contract
    text = pdf_text(content)
    assert document.contract.title in " ".join(text.split())
    assert DocumentDownload.objects.exists()


def test_the_loire_demo_and_its_accounts_are_left_untouched(demo):
    loire = demo.contract
    territory = loire.territory

    def state():
        return {
            "contracts": list(territory.contracts.values_list("slug", "status", "updated_at")),
            "staff": sorted(territory.staff.values_list("username", flat=True)),
            "fiches": list(
                Fiche.objects.filter(contract=loire).values_list("pk", "version", "updated_at")
            ),
            "versions": FicheVersion.objects.filter(fiche__contract=loire).count(),
            "lines": list(BudgetLine.objects.filter(contract=loire).values_list("pk", "amount")),
            "contributions": Contribution.objects.filter(line__contract=loire).count(),
            "entries": ExecutionEntry.objects.filter(line__contract=loire).count(),
            "payments": list(
                FunderPayment.objects.filter(contract=loire).values_list("pk", "amount")
            ),
            "terms": FundingTerms.objects.filter(contract=loire).count(),
            "parties": ContractParty.objects.filter(contract=loire).count(),
            "signatures": Signature.objects.filter(contract=loire).count(),
            "documents": Document.objects.filter(contract=loire).count(),
            "members": sorted(
                Partner.objects.filter(contract_parties__contract=loire).values_list(
                    "slug", "members__username"
                )
            ),
            "signatories": Signatory.objects.filter(
                partner__contract_parties__contract=loire
            ).count(),
        }

    before = state()
    # The Loire is the 43rd département in code order (after 2A and 2B).
    result = generate_scale_data(territories=43, contracts_per_territory=1)
    assert result.skipped_existing == ["42 Loire"]
    assert result.territories == 42
    assert state() == before
    assert not Contract.objects.filter(slug__startswith="scale-42-").exists()
    assert not get_user_model().objects.filter(username__startswith="scale-42-").exists()
    # The demo's budget posts and aims are reused, not duplicated.
    assert set(BudgetLine.objects.values_list("post__code", flat=True)) <= {
        "coordination",
        "communication",
        "accueil-enfants-handicapes",
    }


def test_the_loire_stays_free_for_the_demo_loaded_afterwards(empty_database):
    result = generate_scale_data(territories=43, contracts_per_territory=1)
    assert result.skipped_reserved == ["42 Loire"]
    assert result.territories == 42
    assert not Territory.objects.filter(code="42").exists()

    demo = load_loire_demo(with_accounts=True)
    loire = demo.contract.territory
    assert sorted(loire.contracts.values_list("slug", flat=True)) == [
        "cej-loire-2010-2013",
        "cej-loire-2014-2017",
        "cej-loire-2018-2021",
    ]
    assert not loire.staff.filter(username__startswith="scale-").exists()
    again = generate_scale_data(territories=43, contracts_per_territory=1)
    assert again.territories == 0 and again.skipped_existing == ["42 Loire"]


def test_an_existing_territory_is_skipped(empty_database):
    Territory.objects.create(code="02", name="Aisne (saisie locale)")
    result = generate_scale_data(**SMALL)
    assert result.skipped_existing == ["02 Aisne"]
    assert result.territories == 2
    assert not Territory.objects.get(code="02").contracts.exists()
    # 01 and 03 still share their MSA caisse.
    msa = Partner.objects.get(slug="scale-msa-1")
    assert msa.contract_parties.values("contract__territory").distinct().count() == 2


def test_a_second_run_adds_nothing_and_says_so(scale):
    before = row_counts()
    again = generate_scale_data(**SMALL)
    assert again.territories == again.contracts == again.users == 0
    assert again.skipped_generated == ["01 Ain", "02 Aisne", "03 Allier"]
    assert row_counts() == before

    out = io.StringIO()
    call_command("generate_scale_data", territories=3, contracts_per_territory=2, stdout=out)
    assert (
        "3 territoires déjà générés lors d'un passage précédent : rien n'y est ajouté."
        in out.getvalue()
    )
    assert "Rien à générer." in out.getvalue()
    assert row_counts() == before


def fingerprint() -> str:
    rows = [
        *generated(Contract, "").order_by("slug").values_list("slug", "status", "annual_envelope"),
        *generated(BudgetLine)
        .order_by("contract__slug", "year", "post__code", "fiche__number")
        .values_list("contract__slug", "year", "post__code", "fiche__number", "amount"),
        *generated(ExecutionEntry, "line__contract__")
        .order_by("reference")
        .values_list("reference", "date", "amount"),
        *generated(FunderPayment)
        .order_by("reference")
        .values_list("reference", "received_on", "amount"),
        *generated(Fiche).order_by("contract__slug", "number").values_list("status", "version"),
        *get_user_model().objects.order_by("username").values_list("username", "last_name"),
        *generated(Document).order_by("sha256").values_list("sha256"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_same_seed_gives_the_same_data(empty_database):
    with transaction.atomic():
        generate_scale_data(territories=2, contracts_per_territory=2, seed=7)
        first = fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        generate_scale_data(territories=2, contracts_per_territory=2, seed=7)
        assert fingerprint() == first
        transaction.set_rollback(True)
    generate_scale_data(territories=2, contracts_per_territory=2, seed=8)
    assert fingerprint() != first


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"territories": 0}, "entre 1 et 101 (reçu : 0)"),
        ({"territories": 102}, "entre 1 et 101 (reçu : 102)"),
        ({"contracts_per_territory": 0}, "contrats par territoire doit être compris entre 1 et 4"),
        # Four four-year contracts fill the years CEJs existed, 2006 to 2021.
        ({"contracts_per_territory": 5}, "entre 1 et 4 (reçu : 5)"),
    ],
)
def test_arguments_are_checked_in_french(empty_database, options, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("generate_scale_data", **options)
    assert not Territory.objects.exists()


def test_the_command_prints_a_french_summary_and_sets_the_password(empty_database):
    out = io.StringIO()
    call_command(
        "generate_scale_data",
        "--territories=1",
        "--contracts-per-territory=1",
        "--password=demo",
        stdout=out,
    )
    output = out.getvalue()
    assert "[1/1] 01 Ain : 1 contrats" in output
    assert "Données de volumétrie générées en" in output
    for label in ("territoires", "contrats", "fiches", "lignes budgétaires", "contributions"):
        assert label in output
    assert "écritures d'exécution" in output and "utilisateurs" in output
    User = get_user_model()
    hashes = set(User.objects.values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once for all
    assert User.objects.get(username="scale-01-cdaje").check_password("demo")


def scale_contract(code: str, *statuses) -> Contract:
    return (
        Contract.objects.filter(territory__code=code, status__in=statuses or ContractStatus.values)
        .order_by("-start_year")
        .first()
    )


def issue_19_pages(contract) -> list[str]:
    """A fiche's indicators, the reviews and the last year's review of `contract`: the pages
    of issue 19 whose routes are there (they come from other branches of the same issue)."""
    pages = []
    for name, kwargs in [
        ("fiche_indicators", {"number": 3}),
        ("annual_review_list", {}),
        ("annual_review", {"year": contract.end_year}),
        ("final_evaluation", {}),
    ]:
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse(name, kwargs={"slug": contract.slug, **kwargs}))
    return pages


def test_a_generated_cdaje_agent_works_on_its_contracts(scale, client):
    User = get_user_model()
    statuses = set(generated(Contract, "").values_list("status", flat=True))
    assert statuses == {ContractStatus.EXPIRED}
    for contract in generated(Contract, "").select_related("territory"):
        client.force_login(User.objects.get(username=f"scale-{contract.territory.code}-cdaje"))
        base = f"/contracts/{contract.slug}/"
        paths = ["", "fiches/", "fiches/3/", "fiches/3/history/", "budget/", "documents/"]
        for path in [base + path for path in paths] + issue_19_pages(contract):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
    client.force_login(User.objects.get(username="scale-01-cdaje"))
    line = BudgetLine.objects.filter(contract__territory__code="01").order_by("-version").first()
    history = reverse("budget_line_history", kwargs={"slug": line.contract.slug, "pk": line.pk})
    assert client.get(history).status_code == 200
    response = client.get("/contracts/")
    assert response.status_code == 200
    other = scale_contract("02")
    assert client.get(f"/contracts/{other.slug}/").status_code == 404


def test_a_generated_partner_user_downloads_its_scanned_original(scale, client):
    User = get_user_model()
    contract = scale_contract("01", ContractStatus.SIGNED, ContractStatus.EXPIRED)
    document = Document.objects.get(contract=contract, kind=DocumentKind.SCANNED_ORIGINAL)
    client.force_login(User.objects.get(username="scale-01-caf"))
    url = reverse("document_download", kwargs={"slug": contract.slug, "pk": document.pk})
    response = client.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == document.sha256
    assert DocumentDownload.objects.filter(document=document, username="scale-01-caf").exists()

    other = scale_contract("03", ContractStatus.SIGNED, ContractStatus.EXPIRED)
    other_document = Document.objects.get(contract=other)
    assert client.get(f"/contracts/{other.slug}/").status_code == 404
    other_url = reverse("document_download", kwargs={"slug": other.slug, "pk": other_document.pk})
    assert client.get(other_url).status_code == 404

    # The MSA caisse is party to the contracts of its three départements.
    client.force_login(User.objects.get(username="scale-msa-1"))
    assert client.get(f"/contracts/{other.slug}/").status_code == 200
    assert client.get(url).status_code == 200
