"""The run: which départements to generate and which to leave alone, one transaction per
territory, its parts in order, and the timestamps the rows keep."""

import random
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.core.files.storage import default_storage
from django.db import transaction

from cej.models import Contract, Document, DocumentDownload, Signature, Territory
from cej.money import format_number
from demo.scale import (
    budget,
    contracts,
    cycle,
    documents,
    evaluations,
    fiches,
    indicators,
    people,
    plenaries,
    reviews,
)
from demo.scale.core import (
    DEFAULT_SEED,
    DEMO_TERRITORY_CODE,
    MAX_TERRITORIES,
    ScaleResult,
    check_arguments,
    msa_group,
)
from demo.scale.departements import DEPARTEMENTS
from demo.scale.state import Shared, TerritoryState
from fiches.models import Fiche, FicheVersion, Indicator
from financing.models import (
    BudgetLine,
    BudgetLineVersion,
    ExecutionEntry,
    FunderPayment,
    SupportingDocument,
)
from reviews.models import AnnualReview, FinalEvaluation


def generate_scale_data(
    *,
    territories: int = MAX_TERRITORIES,
    contracts_per_territory: int = 3,
    password: str | None = None,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] | None = None,
) -> ScaleResult:
    """Generate the first `territories` départements (in code order) with
    `contracts_per_territory` successive contracts each. Accounts get `password` (hashed once
    for all of them) or, without one, an unusable password. Returns the counts."""
    check_arguments(territories, contracts_per_territory)
    log = log or (lambda message: None)
    started = time.monotonic()
    result = ScaleResult()
    with transaction.atomic():
        shared = Shared.load(password)
    existing = {t.code: t for t in Territory.objects.all()}
    existing_names = {t.name for t in existing.values()}
    selected = list(enumerate(DEPARTEMENTS))[:territories]
    for position, (index, dep) in enumerate(selected, start=1):
        label = f"{dep.code} {dep.name}"
        if dep.code == DEMO_TERRITORY_CODE and dep.code not in existing:
            result.skipped_reserved.append(label)
            log(f"[{position}/{len(selected)}] {label} : réservé à la démonstration, laissé vide.")
            continue
        if dep.code in existing or dep.name in existing_names:
            territory = existing.get(dep.code)
            generated = territory and territory.contracts.filter(
                slug__startswith=f"scale-{dep.code.lower()}-"
            )
            if generated and generated.exists():
                result.skipped_generated.append(label)
                log(f"[{position}/{len(selected)}] {label} : déjà généré, rien à ajouter.")
            else:
                result.skipped_existing.append(label)
                log(f"[{position}/{len(selected)}] {label} : territoire existant, laissé intact.")
            continue
        territory_started = time.monotonic()
        state = TerritoryState(
            shared=shared,
            dep=dep,
            index=index,
            rng=random.Random(f"{seed}-{dep.code}"),
            msa_rng=random.Random(f"{seed}-msa-{msa_group(index)}"),
            contract_count=contracts_per_territory,
        )
        counts = generate_territory(state)
        result.add(counts)
        log(
            f"[{position}/{len(selected)}] {label} : {counts.contracts} contrats, "
            f"{counts.fiches} fiches, {counts.indicators} indicateurs, {counts.reviews} bilans, "
            f"{counts.budget_rows} lignes, contributions et écritures "
            f"({format_number(time.monotonic() - territory_started, decimals=1)} s)"
        )
    result.elapsed = time.monotonic() - started
    return result


def generate_territory(state: TerritoryState) -> ScaleResult:
    """Build one département's rows in memory, then insert them model by model (parents
    first, so that children get their ids), all in one transaction. The parts draw from
    the territory's generator in this order: changing it changes every seed's data."""
    try:
        with transaction.atomic(), _historical_timestamps():
            people.create_partners(state)
            people.create_accounts(state)
            plans = contracts.create_contracts(state)
            fiches.create_objectives(plans)
            for plan in plans:
                plan.statuses = fiches.draw_statuses(state, plan)
                plan.funding = budget.draw_funding(state, plan)
            # Budget notes state what the generated budget gives each fiche, so plan it first.
            budget.plan_lines(state, plans)
            fiches.create_fiches(state, plans)
            cycle.create_terms(state, plans)
            years = budget.create_budget(state, plans)
            cycle.create_payments(state, plans, years)
            indicators.create_indicators(state, plans)
            reviews.create_reviews(state, plans)
            evaluations.create_evaluations(state, plans)
            documents.create_originals(state, plans)
            # Last, from a generator of their own: the territory's other rows stay the same.
            plenaries.create_plenaries(state, plans)
    except BaseException:
        # The rows are rolled back; the files written for them must go too.
        for name in state.stored_files:
            default_storage.delete(name)
        raise
    return state.counts


@contextmanager
def _historical_timestamps():
    """Let bulk inserts keep the dates we give them. auto_now/auto_now_add would stamp every
    generated row with the time of the run, flattening years of history (version lists,
    downloads, entries) into one instant. The flags are restored afterwards; the command is
    single-threaded, so no other write sees them off."""
    fields = [
        model._meta.get_field(name)
        for model, names in [
            (Contract, ["created_at", "updated_at"]),
            (Signature, ["recorded_at"]),
            (Fiche, ["created_at", "updated_at"]),
            (FicheVersion, ["created_at"]),
            (Indicator, ["created_at", "updated_at"]),
            (AnnualReview, ["created_at", "updated_at"]),
            (FinalEvaluation, ["created_at", "updated_at"]),
            (BudgetLine, ["created_at", "updated_at"]),
            (BudgetLineVersion, ["created_at"]),
            (ExecutionEntry, ["created_at"]),
            (FunderPayment, ["recorded_at"]),
            (SupportingDocument, ["recorded_at"]),
            (Document, ["created_at"]),
            (DocumentDownload, ["downloaded_at"]),
        ]
        for name in names
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
