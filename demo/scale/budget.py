"""Each contract's budget: which fiches each post funds, the lines of every year within the
envelope, their split into partner contributions, their version history, and (for signed
contracts) the commitments and payments made on them up to AS_OF."""

import datetime

from cej.models import ContractStatus
from cej.money import format_eur
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
            if not annexed:
                used *= rng.uniform(0.78, 0.92)  # the annex share stays unallocated
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


def create_budget(state: TerritoryState, plans: list[ContractPlan]) -> None:
    """Write the planned lines (after the fiches, which they name), their contributions and
    versions, and the commitments and payments of signed contracts."""
    rng, posts = state.rng, state.shared.posts
    finance = state.users["finance"]
    caf_share = rng.uniform(0.45, 0.60)
    # At least 7 % left for the MSA when it takes part.
    cd_share = rng.uniform(0.30, 0.93 - caf_share)
    lines, splits = [], []
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
                created_at=line_created,
                updated_at=line_created,
                updated_by=finance,
            )
            # Most lines split three ways; the MSA stays out of some.
            with_msa = rng.random() < 0.85
            split = _split(state, cents, caf_share, cd_share, with_msa)
            earlier = None
            if rng.random() < 0.12:
                # First planned lower, raised once the partners agreed: a second version.
                earlier_cents = int(cents * rng.uniform(0.8, 0.97)) // 1000 * 1000
                earlier = (
                    earlier_cents,
                    _split(state, earlier_cents, caf_share, cd_share, with_msa),
                )
                line.version = 2
                line.updated_at = min(
                    line_created + random_days(rng, 20, 120), moment_of(AS_OF, rng)
                )
            lines.append(line)
            splits.append((plan, line, split, earlier))
    BudgetLine.objects.bulk_create(lines, batch_size=BATCH)
    state.counts.budget_lines += len(lines)

    contributions, versions, entries = [], [], []
    for plan, line, split, earlier in splits:
        contributions += [
            Contribution(line=line, partner=partner, amount=eur(cents))
            for partner, cents in split.items()
        ]
        history = [(earlier, VersionKind.CREATED, line.created_at)] if earlier else []
        history.append(
            (
                (int(line.amount * 100), split),
                VersionKind.CHANGED if earlier else VersionKind.CREATED,
                line.updated_at,
            )
        )
        for number, ((cents, parts), kind, moment) in enumerate(history, start=1):
            planned = BudgetLine(
                pk=line.pk,
                contract=line.contract,
                year=line.year,
                post=line.post,
                annex_convention=line.annex_convention,
                fiche=line.fiche,
                label=line.label,
                amount=eur(cents),
            )
            versions.append(
                BudgetLineVersion(
                    line=line,
                    line_ref=line.pk,
                    contract=line.contract,
                    label=line_label(planned),
                    number=number,
                    snapshot=line_snapshot(planned, {p: eur(c) for p, c in parts.items()}),
                    kind=kind,
                    action=str(VersionKind(kind).label),
                    author=state.users["finance"],
                    created_at=moment,
                )
            )
        if plan.executed:
            entries += _execution(state, plan, line)
    Contribution.objects.bulk_create(contributions, batch_size=BATCH)
    BudgetLineVersion.objects.bulk_create(versions, batch_size=BATCH)
    ExecutionEntry.objects.bulk_create(entries, batch_size=BATCH)
    state.counts.contributions += len(contributions)
    state.counts.line_versions += len(versions)
    state.counts.execution_entries += len(entries)


def _split(state: TerritoryState, cents, caf_share, cd_share, with_msa) -> dict:
    """Contributions in cents that add up exactly to `cents`: CAF and département by
    their shares (rounded to the cent), the MSA the remainder — or, without the MSA, the
    département takes what the CAF does not."""
    caf = round(cents * caf_share)
    if not with_msa:
        return {state.caf: caf, state.cd: cents - caf}
    cd = round(cents * cd_share)
    return {state.caf: caf, state.cd: cd, state.msa: cents - caf - cd}


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
