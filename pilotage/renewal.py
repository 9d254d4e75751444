"""« Préparer le contrat suivant »: the successor of a contract, created in preparation from
what the contract leaves — its parties and their representatives, its objectives, the
fiches its final evaluation recommends to carry on (drafts linked to the fiche each one
continues, with their indicators: the last measured value as the new baseline, targets to
set), the last year's budget lines as the starting plan of each new year, the funding
terms and payment schedules — with the final evaluation as its starting diagnostic. The
predecessor is only read: not a row of it changes (tests/pilotage/test_renewal.py compares
them all), except its page cache token, since its dashboard now names its successor."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import escape
from django.utils.translation import gettext as _

from cej.locking import lock_contract
from cej.models import AnnexConvention, Contract, ContractParty, ContractStatus
from cej.page_cache import mark_contract_changed, one_mark_per_contract
from cej.permissions import Decision, works_on_contract
from fiches.indicator_services import record_version as record_indicator_version
from fiches.models import Fiche, FicheStatus, Indicator, IndicatorYear, Objective
from fiches.services import record_version
from financing.models import Advance, BudgetLine, FundingTerms, PaymentSchedule
from financing.services import budget_line_save
from reviews.models import FinalEvaluation, Recommendation

RENEWABLE_STATUSES = (ContractStatus.SIGNED, ContractStatus.EXPIRED)
PERIOD = re.compile(r"(\d{4})\s*[–-]\s*(\d{4})")
COPIED_FICHE_FIELDS = (
    "title",
    "findings",
    "goals",
    "actions",
    "target_public",
    "lead_partner_id",
    "calendar",
    "indicators",
    "budget_note",
)


def can_renew(user, contract) -> Decision:
    """The CDAJE coordination of the contract's territory prepares the next contract, once,
    from a signed (or ended) one."""
    if not user.has_perm("cej.add_contract"):
        return False, _("Seule la coordination de la CDAJE prépare le contrat suivant.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    if contract.status not in RENEWABLE_STATUSES:
        return False, _(
            "Seul un contrat signé prépare son successeur : celui-ci est « %(status)s »."
        ) % {"status": contract.get_status_display()}
    successor = Contract.objects.filter(predecessor_id=contract.pk).order_by("pk").first()
    if successor is not None:
        return False, _("Le contrat suivant est déjà en préparation : « %(title)s ».") % {
            "title": successor.title
        }
    return True, ""


def successor_years(contract) -> tuple[int, int]:
    """The same length, right after: 2014–2017 is followed by 2018–2021."""
    length = contract.end_year - contract.start_year
    return contract.end_year + 1, contract.end_year + 1 + length


def successor_title(contract, start: int, end: int) -> str:
    period = f"{start}–{end}"
    if PERIOD.search(contract.title):
        return PERIOD.sub(period, contract.title, count=1)
    return f"{contract.title} {period}"


def successor_slug(contract, start: int, end: int) -> str:
    """`cej-loire-2014-2017` → `cej-loire-2018-2021` (with a suffix if that one is taken)."""
    stem = re.sub(r"-\d{4}-\d{4}$", "", contract.slug)[:60] or "cej"
    slug = f"{stem}-{start}-{end}"
    candidate, number = slug, 2
    while Contract.objects.filter(slug=candidate).exists():
        candidate, number = f"{slug}-{number}", number + 1
    return candidate


@transaction.atomic
def contract_renew(*, contract: Contract, by) -> Contract:
    """Create `contract`'s successor in preparation, as the module says; return it."""
    allowed, reason = can_renew(by, contract) if by is not None else (True, "")
    if not allowed:
        raise PermissionDenied(reason)
    predecessor = lock_contract(contract.pk)
    if predecessor is None:
        raise ValidationError(_("Ce contrat n'existe plus."))
    # Re-checked under the lock: two coordinators clicking at once make one successor.
    if predecessor.status not in RENEWABLE_STATUSES:
        raise PermissionDenied(_("Seul un contrat signé prépare son successeur."))
    if Contract.objects.filter(predecessor_id=predecessor.pk).exists():
        raise PermissionDenied(_("Le contrat suivant est déjà en préparation."))
    with one_mark_per_contract():
        successor = _successor(predecessor)
        _copy_parties(predecessor, successor)
        annexes = _copy_annex_conventions(predecessor, successor)
        fiches = _copy_fiches(predecessor, successor, by)
        _copy_indicators(predecessor, fiches, by)
        _copy_terms(predecessor, successor)
        _carry_lines(predecessor, successor, fiches, annexes, by)
        mark_contract_changed(successor.pk)
        # Its dashboard names its successor from now on (its rows stay as they were).
        mark_contract_changed(predecessor.pk)
    return successor


def _successor(predecessor) -> Contract:
    start, end = successor_years(predecessor)
    successor = Contract(
        territory_id=predecessor.territory_id,
        slug=successor_slug(predecessor, start, end),
        title=successor_title(predecessor, start, end),
        start_year=start,
        end_year=end,
        annual_envelope=predecessor.annual_envelope,
        status=ContractStatus.DRAFT,
        predecessor=predecessor,
    )
    successor.full_clean()
    successor.save()
    return successor


def _copy_parties(predecessor, successor) -> None:
    """The same partners in the same roles and order. Their representatives are the
    partners' signatories in office (`partners.Signatory`): they carry over with them."""
    for party in ContractParty.objects.filter(contract=predecessor).order_by("order", "pk"):
        ContractParty.objects.create(
            contract=successor, partner_id=party.partner_id, order=party.order, role=party.role
        )


def _copy_annex_conventions(predecessor, successor) -> dict:
    """The annex convention in force in the last year goes on over the whole new period
    (unsigned, like the rest): {old convention id: new convention}."""
    carried = {}
    for annex in AnnexConvention.objects.filter(contract=predecessor).order_by("start_year"):
        if not annex.covers_year(predecessor.end_year):
            continue
        copy = AnnexConvention(
            contract=successor,
            title=annex.title,
            purpose=annex.purpose,
            start_year=successor.start_year,
            end_year=successor.end_year,
        )
        copy.full_clean()
        copy.save()
        carried[annex.pk] = copy
    return carried


def _copy_fiches(predecessor, successor, by) -> dict:
    """Every objective; every fiche not withdrawn that the evaluation does not recommend to
    end, as a draft that continues it, numbered anew in the old order. The evaluation's
    lessons open the new fiche's findings: the starting diagnostic. {old fiche id: new}."""
    objectives = {}
    for objective in Objective.objects.filter(contract=predecessor).order_by("number"):
        objectives[objective.pk] = Objective.objects.create(
            contract=successor, number=objective.number, title=objective.title
        )
    evaluation = FinalEvaluation.objects.filter(contract=predecessor).first()
    notes = {}
    if evaluation is not None:
        notes = {note.fiche_id: note for note in evaluation.fiches.all()}
    period = predecessor.period_label
    copies, number = {}, 0
    old_fiches = (
        Fiche.objects.filter(contract=predecessor)
        .exclude(status=FicheStatus.WITHDRAWN)
        .prefetch_related("associated_partners", "aims")
        .order_by("number")
    )
    for old in old_fiches:
        note = notes.get(old.pk)
        if note is not None and note.recommendation == Recommendation.END:
            continue
        number += 1
        fiche = Fiche(
            objective=objectives[old.objective_id],
            number=number,
            status=FicheStatus.DRAFT,
            continues=old,
            updated_by=by,
            **{field: getattr(old, field) for field in COPIED_FICHE_FIELDS},
        )
        if note is not None and note.lessons.strip():
            fiche.findings = (
                "<p><strong>"
                + escape(_("Évaluation finale %(period)s :") % {"period": period})
                + "</strong> "
                + escape(note.lessons.strip())
                + "</p>"
                + fiche.findings
            )
        fiche.full_clean()
        fiche.save()
        fiche.associated_partners.set(old.associated_partners.all())
        fiche.aims.set(old.aims.all())
        record_version(
            fiche=fiche,
            action=_("Reprise de la fiche n° %(number)s du contrat %(period)s")
            % {"number": old.number, "period": period},
            by=by,
        )
        copies[old.pk] = fiche
    return copies


def _copy_indicators(predecessor, fiches: dict, by) -> None:
    """Each continued fiche keeps measuring what it measured: the indicator's definition,
    with its last measured value as the new baseline. Its targets are the new contract's to
    set (they are contract content, decided with the fiche)."""
    indicators = Indicator.objects.filter(fiche_id__in=list(fiches)).order_by("fiche_id", "number")
    last_actuals = {}
    for row in (
        IndicatorYear.objects.filter(indicator__in=indicators, actual__isnull=False)
        .order_by("indicator_id", "year")
        .values("indicator_id", "year", "actual")
    ):
        last_actuals[row["indicator_id"]] = (row["year"], row["actual"])
    period = predecessor.period_label
    for old in indicators:
        baseline_year, baseline_value = last_actuals.get(
            old.pk, (old.baseline_year, old.baseline_value)
        )
        indicator = Indicator.objects.create(
            fiche=fiches[old.fiche_id],
            number=old.number,
            name=old.name,
            unit=old.unit,
            source=old.source,
            direction=old.direction,
            baseline_year=baseline_year,
            baseline_value=baseline_value,
            updated_by=by,
        )
        record_indicator_version(
            indicator=indicator,
            action=_("Reprise de l'indicateur du contrat %(period)s") % {"period": period},
            by=by,
        )


def _copy_terms(predecessor, successor) -> None:
    """Each funder's terms per instrument, and its payment schedule with its advances."""
    for terms in FundingTerms.objects.filter(contract=predecessor).order_by("pk"):
        copy = FundingTerms(
            contract=successor,
            instrument=terms.instrument,
            funder_id=terms.funder_id,
            share=terms.share,
            rate_new=terms.rate_new,
            rate_continued=terms.rate_continued,
            ceiling=terms.ceiling,
        )
        copy.full_clean()
        copy.save()
    schedules = PaymentSchedule.objects.filter(contract=predecessor).prefetch_related("advances")
    for schedule in schedules.order_by("pk"):
        copy = PaymentSchedule(
            contract=successor,
            funder_id=schedule.funder_id,
            documents_due_day=schedule.documents_due_day,
            documents_due_month=schedule.documents_due_month,
            balance_due_day=schedule.balance_due_day,
            balance_due_month=schedule.balance_due_month,
        )
        copy.full_clean()
        copy.save()
        Advance.objects.bulk_create(
            Advance(
                schedule=copy,
                number=advance.number,
                percent=advance.percent,
                due_day=advance.due_day,
                due_month=advance.due_month,
            )
            for advance in schedule.advances.all()
        )


def _carry_lines(predecessor, successor, fiches, annexes, by) -> None:
    """The last year's lines, each carried to every new year as the starting plan: a line of
    a fiche carried on funds its continuation and is marked continued (*action antérieure*);
    a line of a fiche that ends is not carried; a line of no fiche is carried as a new
    action. Through the budget service, which computes the funders' forecast shares."""
    last_lines = (
        BudgetLine.objects.filter(contract=predecessor, year=predecessor.end_year)
        .select_related("post")
        .order_by("post__instrument", "post__order", "fiche__number", "pk")
    )
    action = _("Plan de départ : budget %(year)s du contrat %(period)s") % {
        "year": predecessor.end_year,
        "period": predecessor.period_label,
    }
    for year in successor.years:
        for line in last_lines:
            fiche = fiches.get(line.fiche_id) if line.fiche_id else None
            if line.fiche_id and fiche is None:
                continue
            annex = annexes.get(line.annex_convention_id) if line.annex_convention_id else None
            if line.annex_convention_id and annex is None:
                continue
            budget_line_save(
                line=BudgetLine(
                    contract=successor,
                    year=year,
                    post=line.post,
                    annex_convention=annex,
                    fiche=fiche,
                    label=line.label,
                    amount=line.amount,
                    other_receipts=line.other_receipts,
                    continued=fiche is not None,
                ),
                by=by,
                action=action,
            )
