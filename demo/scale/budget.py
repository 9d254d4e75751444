"""Each contract's budget: which fiches each post funds, the lines of every year within the
envelope with their financing plan (other receipts, continued actions) and forecast split
(`demo.scale.cycle`), their version history, and (for signed contracts) the commitments
and payments made on them up to AS_OF and the actual figures of their past years."""

import datetime
from types import SimpleNamespace

from cej.models import ContractStatus
from cej.money import format_eur
from demo.scale import cycle
from demo.scale.core import AS_OF, BATCH, eur, moment_of, random_days
from demo.scale.state import ContractPlan, TerritoryState
from fiches.models import FicheStatus
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    Contribution,
    ExecutionEntry,
    ExecutionKind,
    VersionKind,
)
from financing.services import line_label, line_snapshot

# Which fiches (numbers of demo.fiches_data) the budget funds, by post: the CEJ finances
# only coordination and communication, the annex convention the disabled-children scheme.
ALWAYS_FUNDED = {"coordination": 12, "communication": 14, "accueil-enfants-handicapes": 4}
SOMETIMES_FUNDED = {
    "coordination": ([1, 2, 5, 6, 7, 8, 11], (3, 5)),
    "communication": ([3, 9, 10, 13], (2, 3)),
    "accueil-enfants-handicapes": ([5], (0, 1)),
}
GENERAL_LINE_LABELS = {
    "coordination": "Coordination départementale : fonctionnement",
    "communication": "Supports d'information des familles",
    "accueil-enfants-handicapes": "Dispositif départemental d'accueil (hors fiche)",
}
# Fiches whose demo budget note quotes the Loire's amounts; never withdrawn, always funded
# when their post is.
ANCHORS = set(ALWAYS_FUNDED.values())


def draw_funding(state: TerritoryState, plan: ContractPlan) -> dict:
    """Which fiches each post funds in this contract (the same every year, as a CEJ
    funds the same actions throughout), with their weight in the year's budget."""
    rng = state.rng
    usable = {n for n, s in plan.statuses.items() if s != FicheStatus.WITHDRAWN}
    funding = {}
    for code, (pool, (low, high)) in SOMETIMES_FUNDED.items():
        if code == "accueil-enfants-handicapes" and plan.annex is None:
            continue
        chosen = [ALWAYS_FUNDED[code], *rng.sample(pool, rng.randint(low, high))]
        items = [(n, rng.uniform(4, 12)) for n in chosen if n in usable]
        items[0] = (items[0][0], rng.uniform(25, 40) if code == "coordination" else 12)
        if rng.random() < {"coordination": 0.6, "communication": 0.4}.get(code, 0.5):
            items.append((None, rng.uniform(3, 8)))
        funding[code] = items
    return funding


def plan_lines(state: TerritoryState, plans: list[ContractPlan]) -> None:
    """Per contract and year, the lines and their amounts in cents: the year's total stays
    within the envelope (fully used some years, a remainder shown others), the annex
    convention takes its share only in the years it covers."""
    rng = state.rng
    for plan in plans:
        contract = plan.contract
        envelope = int(contract.annual_envelope * 100)
        plan.lines = []
        for year in contract.years:
            annexed = plan.annex is not None and plan.annex.covers_year(year)
            if contract.status == ContractStatus.DRAFT and year > contract.start_year:
                used = rng.uniform(0.55, 0.9)  # later years of a draft are still open
            elif rng.random() < 0.4:
                used = 1.0
            else:
                used = rng.uniform(0.85, 0.99)
            if plan.annex is not None and not annexed:
                # Outside the annex convention's years its share stays unallocated; a
                # contract without one gives the CEJ the whole envelope.
                used *= rng.uniform(0.78, 0.92)
            total = int(envelope * used) // 10000 * 10000  # whole hundreds of euros
            items = [
                (code, number, weight * rng.uniform(0.9, 1.1))
                for code, entries in plan.funding.items()
                if code != "accueil-enfants-handicapes" or annexed
                for number, weight in entries
            ]
            weights = sum(w for _c, _n, w in items)
            amounts = [int(total * w / weights) // 1000 * 1000 for _c, _n, w in items]
            amounts[0] += total - sum(amounts)  # the rounding goes to the main line
            plan.lines += [
                (year, code, number, cents)
                for (code, number, _w), cents in zip(items, amounts, strict=True)
            ]
        plan.notes = _budget_notes(state, plan)


def _budget_notes(state: TerritoryState, plan: ContractPlan) -> dict:
    """What each funded fiche's *budget indicatif* says: « Financé par le CEJ, poste
    « Coordination » : 42 300,00 € par an en moyenne sur 4 ans. »"""
    posts, notes, by_fiche = state.shared.posts, {}, {}
    for _year, code, number, cents in plan.lines:
        if number is not None:
            by_fiche.setdefault(number, {}).setdefault(code, []).append(cents)
    for number, per_post in by_fiche.items():
        parts = []
        for code, amounts in per_post.items():
            average = eur(sum(amounts) // len(amounts))
            annex = code == "accueil-enfants-handicapes"
            instrument = "la convention annexe" if annex else "le CEJ"
            years = len(amounts)
            parts.append(
                f"Financé par {instrument}, poste « {posts[code].label} » : "
                f"{format_eur(average)} par an en moyenne sur {years} "
                f"{'an' if years == 1 else 'ans'}."
            )
        notes[number] = " ".join(parts)
    for number in ANCHORS:
        # The demo's note quotes the Loire's own amounts: not true of this contract.
        notes.setdefault(number, "Pas de financement CEJ pour ce contrat : crédits propres.")
    return notes


def create_budget(state: TerritoryState, plans: list[ContractPlan]) -> dict:
    """Write the planned lines (after the fiches, which they name) with their financing plan
    and forecast split (`demo.scale.cycle`), their versions, the commitments and payments of
    signed contracts, and the actual figures of their past years (paid = actual expenses
    once the balance is paid). Returns, per (contract id, year), each line's forecast and
    actual PSEJ by funder, for the funders' payments."""
    rng, posts = state.rng, state.shared.posts
    finance = state.users["finance"]
    partners = {p.pk: p for p in (state.cd, state.caf, state.msa)}
    lines, rows = [], []
    for plan in plans:
        contract = plan.contract
        for year, code, number, cents in plan.lines:
            line_created = moment_of(
                min(plan.plenary - random_days(rng, 5, 40), AS_OF - datetime.timedelta(1)), rng
            )
            line = BudgetLine(
                contract=contract,
                year=year,
                post=posts[code],
                annex_convention=plan.annex if code == "accueil-enfants-handicapes" else None,
                fiche=plan.fiches[number] if number else None,
                label="" if number else GENERAL_LINE_LABELS[code],
                amount=eur(cents),
                other_receipts=eur(_other_receipts(rng, code, cents)),
                continued=contract.predecessor_id is not None
                and (code == "coordination" or rng.random() < 0.4),
                created_at=line_created,
                updated_at=line_created,
                updated_by=finance,
            )
            split = cycle.forecast_split(plan, line)
            history = []
            if rng.random() < 0.12:
                # First planned lower, raised once the partners agreed: a second version.
                earlier_cents = int(cents * rng.uniform(0.8, 0.97)) // 1000 * 1000
                earlier = _copy(line, amount=eur(earlier_cents))
                earlier.other_receipts = min(line.other_receipts, earlier.amount)
                history.append((earlier, cycle.forecast_split(plan, earlier), line_created, ""))
                line.updated_at = min(
                    line_created + random_days(rng, 20, 120), moment_of(AS_OF, rng)
                )
            history.append((_copy(line), split, line.updated_at, ""))
            entries = _execution(state, plan, line) if plan.executed else []
            if declared := _declare_actuals(state, plan, line, entries):
                line.updated_at = max(line.updated_at, declared)
                history.append((_copy(line), split, line.updated_at, "Réalisé déclaré"))
            line.version = len(history)
            lines.append(line)
            rows.append((plan, line, split, history, entries))
    BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
    state.counts.budget_lines += len(lines)

    contributions, versions, all_entries, years = [], [], [], {}
    for plan, line, split, history, entries in rows:
        contributions += [
            Contribution(line=line, partner_id=pid, amount=amount) for pid, amount in split.items()
        ]
        for number, (planned, shares, moment, action) in enumerate(history, start=1):
            kind = VersionKind.CREATED if number == 1 else VersionKind.CHANGED
            versions.append(
                BudgetLineVersion(
                    line=line,
                    line_ref=line.pk,
                    contract=line.contract,
                    label=line_label(planned),
                    number=number,
                    snapshot=line_snapshot(
                        planned, {partners[pid]: amount for pid, amount in shares.items()}
                    ),
                    kind=kind,
                    action=action or str(VersionKind(kind).label),
                    author=finance,
                    created_at=moment,
                )
            )
        for entry in entries:
            entry.line = line  # its id, now that the line has one
        all_entries += entries
        if plan.executed:
            forecast = {pid: a for pid, a in split.items() if pid != plan.terms.beneficiary_id}
            actual = cycle.actual_psej(plan, line, forecast) if line.actuals_declared else None
            years.setdefault((line.contract_id, line.year), []).append((forecast, actual))
    Contribution.objects.bulk_create(contributions, batch_size=BATCH)
    BudgetLineVersion.objects.bulk_create(versions, batch_size=BATCH)
    ExecutionEntry.objects.bulk_create(all_entries, batch_size=BATCH)
    state.counts.contributions += len(contributions)
    state.counts.line_versions += len(versions)
    state.counts.execution_entries += len(all_entries)
    return years


def _other_receipts(rng, code: str, cents: int) -> int:
    """Forecast receipts other than the PSEJ (families, other partners), in whole euros."""
    low, high = {"coordination": (0.0, 0.06), "communication": (0.04, 0.12)}.get(code, (0.05, 0.15))
    if code == "coordination" and rng.random() < 0.7:
        return 0
    return int(cents * rng.uniform(low, high)) // 100 * 100


def _copy(line: BudgetLine, **changes) -> SimpleNamespace:
    """The line as one of its versions shows it: what line_snapshot and line_label read (a
    plain object: a model instance per version would cost a third of the run)."""
    fields = {
        name: getattr(line, name)
        for name in (
            "year",
            "post",
            "post_id",
            "annex_convention_id",
            "fiche",
            "fiche_id",
            "label",
            "amount",
            "other_receipts",
            "continued",
            "actual_expenses",
            "actual_receipts",
        )
    }
    return SimpleNamespace(**(fields | changes))


def _declare_actuals(state, plan, line, entries) -> datetime.datetime | None:
    """The actual figures of a past year of a signed contract, declared with the supporting
    documents in the spring of N+1: the expenses paid once the balance is paid, else a
    little below the forecast. Returns when they were declared, or None."""
    if not plan.executed or line.year >= AS_OF.year:
        return None
    rng = state.rng
    paid = [e for e in entries if e.kind == ExecutionKind.PAYMENT]
    if paid and paid[-1].reference.endswith("-S"):
        expenses = sum((e.amount for e in paid), eur(0))
    else:
        expenses = eur(int(int(line.amount * 100) * rng.uniform(0.85, 1.0)))
    receipts = eur(int(int(line.other_receipts * 100) * rng.uniform(0.8, 1.1)))
    line.actual_expenses, line.actual_receipts = expenses, min(receipts, expenses)
    declared = plan.schedule.documents_due(line.year) - random_days(rng, 0, 40)
    return moment_of(min(declared, AS_OF), rng)


def _execution(state: TerritoryState, plan: ContractPlan, line: BudgetLine) -> list[ExecutionEntry]:
    """Commitments then payments of a year, as far as AS_OF: committed once the year's
    budget is voted (after the signature in the first year), a 70 % advance in the
    summer, the balance the next spring; some lines end below plan, some are committed
    in two steps, some balances are not paid in full."""
    rng, contract = state.rng, plan.contract
    planned = int(line.amount * 100)
    year = line.year
    commit_on = max(
        datetime.date(year, 2, 10) + random_days(rng, 0, 35),
        contract.signed_on + random_days(rng, 10, 25),
    )
    if planned == 0 or commit_on > AS_OF:
        return []
    committed = planned if rng.random() < 0.8 else int(planned * rng.uniform(0.85, 0.99))
    parts = [(commit_on, committed)]
    if rng.random() < 0.25:
        first = committed * 6 // 10
        second_on = datetime.date(year, 9, 10) + random_days(rng, 0, 40)
        if second_on <= AS_OF and second_on > commit_on:
            parts = [(commit_on, first), (second_on, committed - first)]
        else:
            parts = [(commit_on, first)]
    committed = sum(amount for _day, amount in parts)
    state.reference += 1
    ref = f"{state.dep.code}-{year}-{state.reference:05d}"
    entries = [
        _entry(state, line, ExecutionKind.COMMITMENT, day, amount, f"ENG-{ref}-{n}")
        for n, (day, amount) in enumerate(parts, start=1)
    ]
    advance_on = max(
        datetime.date(year, 7, 1) + random_days(rng, 0, 30),
        commit_on + random_days(rng, 20, 40),
    )
    if advance_on > AS_OF:
        return entries
    advance = parts[0][1] * 7 // 10
    if advance == 0:
        return entries
    entries.append(_entry(state, line, ExecutionKind.PAYMENT, advance_on, advance, f"MAN-{ref}-A"))
    balance_on = datetime.date(year + 1, 5, 15) + random_days(rng, 0, 45)
    if balance_on > AS_OF:
        return entries
    balance = committed - advance
    note = ""
    if rng.random() < 0.1:
        balance = int(balance * rng.uniform(0.6, 0.95))
        note = "Solde réduit : dépenses réalisées inférieures à l'engagement."
    entries.append(
        _entry(state, line, ExecutionKind.PAYMENT, balance_on, balance, f"MAN-{ref}-S", note)
    )
    return entries


def _entry(state: TerritoryState, line, kind, day, cents, reference, note="") -> ExecutionEntry:
    return ExecutionEntry(
        line=line,
        kind=kind,
        date=day,
        amount=eur(cents),
        reference=reference,
        note=note,
        created_by=state.users["finance"],
        created_at=moment_of(min(day + random_days(state.rng, 0, 5), AS_OF), state.rng),
    )
