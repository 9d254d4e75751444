"""Each contract's objectives and 14 fiches (the Loire demo's texts, moved to the contract's
years), their status, and their version history in the shape the services record it."""

import datetime
import re

from django.utils.translation import gettext as _

from cej.html import sanitize_rich_text
from cej.models import ContractStatus
from demo.fiches_data import FICHES, OBJECTIVES
from demo.scale.budget import ANCHORS
from demo.scale.core import AS_OF, BATCH, moment_of, random_days, spread_days
from demo.scale.state import ContractPlan, TerritoryState
from fiches.models import Fiche, FicheStatus, FicheVersion, Objective
from fiches.services import CONTENT_FIELDS
from fiches.workflow import TRANSITIONS

S = FicheStatus
_GROUPS = {
    "first": ["title", "findings", "goals"],
    "agreed": ["actions", "target_public", "associated_partner_ids", "aim_ids"],
    "last": ["calendar", "indicators", "budget_note"],
}
_REVEALED = list(_GROUPS)
_YEAR = re.compile(r"\b(201[4-7])\b")


def create_objectives(plans: list[ContractPlan]) -> None:
    objectives = []
    for plan in plans:
        for number, title in OBJECTIVES:
            plan.objectives[number] = Objective(contract=plan.contract, number=number, title=title)
            objectives.append(plan.objectives[number])
    Objective.objects.bulk_create(objectives)


def draw_statuses(state: TerritoryState, plan: ContractPlan) -> dict:
    """Fiche number → the status the fiche has reached."""
    if plan.contract.status == ContractStatus.DRAFT:
        return {
            data["number"]: state.rng.choices(
                [S.DRAFT, S.SUBMITTED, S.VALIDATED, S.REOPENED, S.WITHDRAWN],
                weights=[25, 25, 35, 7, 8 if data["number"] not in ANCHORS else 0],
            )[0]
            for data in FICHES
        }
    # A contract goes to signature once the plenary has validated its fiches.
    return {data["number"]: S.VALIDATED for data in FICHES}


def create_fiches(state: TerritoryState, plans: list[ContractPlan]) -> None:
    """Write the fiches (once their statuses are drawn and the budget lines planned, whose
    amounts their notes quote), their aims, associated partners and versions."""
    fiches, histories, before = [], [], None
    for plan in plans:
        for data in FICHES:
            fiche, history = _fiche(state, plan, data)
            plan.fiches[data["number"]] = fiche
            if before is not None:
                # Lineage, as renewal sets it: each fiche carries on its predecessor's.
                fiche.continues = before.fiches[data["number"]]
            histories.append((fiche, history))
        # Contract by contract: a fiche needs the id of the one it continues.
        Fiche.objects.bulk_create(plan.fiches.values(), batch_size=BATCH)
        fiches += plan.fiches.values()
        before = plan
    state.counts.fiches += len(fiches)

    aims, associated, versions = [], [], []
    for fiche, history in histories:
        final = history[-1][0]
        aims += [Fiche.aims.through(fiche_id=fiche.pk, aim_id=pk) for pk in final["aim_ids"]]
        associated += [
            Fiche.associated_partners.through(fiche_id=fiche.pk, partner_id=pk)
            for pk in final["associated_partner_ids"]
        ]
        for number, (snapshot, action, author, moment) in enumerate(history, start=1):
            versions.append(
                FicheVersion(
                    fiche=fiche,
                    number=number,
                    snapshot=snapshot,
                    action=action,
                    author=author,
                    created_at=moment,
                )
            )
    Fiche.aims.through.objects.bulk_create(aims, batch_size=BATCH)
    Fiche.associated_partners.through.objects.bulk_create(associated, batch_size=BATCH)
    FicheVersion.objects.bulk_create(versions, batch_size=BATCH)
    state.counts.fiche_versions += len(versions)


def _fiche_texts(data: dict, start_year: int) -> dict:
    """The demo fiche's texts, its calendar moved to the contract's years, sanitized the way
    Fiche.clean() would (so a later full_clean() changes nothing)."""
    shift = start_year - 2014
    texts = {}
    for name in CONTENT_FIELDS:
        value = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), data[name])
        texts[name] = value if name in ("title", "budget_note") else sanitize_rich_text(value)
    return texts


def _fiche(state: TerritoryState, plan: ContractPlan, data: dict):
    """The fiche as it stands now and its history: one snapshot per saved change, in the
    shape fiches.services.snapshot_of gives them (the history page diffs them)."""
    rng, contract = state.rng, plan.contract
    status = plan.statuses[data["number"]]
    texts = _fiche_texts(data, contract.start_year)
    texts["budget_note"] = plan.notes.get(data["number"], texts["budget_note"])
    edits = rng.randint(0, 2)
    steps = {
        S.VALIDATED: ["create"] + ["modify"] * edits + ["submit", "validate"],
        S.SUBMITTED: ["create"] + ["modify"] * edits + ["submit"],
        S.DRAFT: rng.choice(
            [["create"] + ["modify"] * max(edits, 1), ["create", "submit", "return_to_draft"]]
        ),
        S.REOPENED: ["create", "submit", "validate", "reopen"] + ["revise"] * rng.randint(0, 1),
        S.WITHDRAWN: ["create"] + ["modify"] * min(edits, 1) + ["withdraw"],
    }[status]
    if steps[-1] == "return_to_draft":
        steps.append("modify")
    moments = _step_moments(state, plan, steps)
    content_steps = sum(step in ("create", "modify") for step in steps)
    partners = state.partners
    full = {
        **texts,
        "objective_id": plan.objectives[data["objective"]].pk,
        "lead_partner_id": partners[data["lead"]].pk,
        "associated_partner_ids": sorted(partners[key].pk for key in data["associated"]),
        "aim_ids": sorted(state.shared.aims[n].pk for n in data["aims"]),
    }
    fiche_state = {
        **dict.fromkeys(CONTENT_FIELDS, ""),
        "objective_id": full["objective_id"],
        "lead_partner_id": full["lead_partner_id"],
        "associated_partner_ids": [],
        "aim_ids": [],
        "status": S.DRAFT.value,
        "validated_on": None,
    }
    history, stage = [], 0
    agent, coordinator = state.users["cdaje2"], state.users["cdaje"]
    for step, moment in zip(steps, moments, strict=True):
        author = rng.choice([agent, coordinator])
        if step in ("create", "modify"):
            stage += 1
            # Written in stages: the findings and goals first, the rest as it is agreed.
            for name in _REVEALED[: 3 - content_steps + stage]:
                for key in _GROUPS[name]:
                    fiche_state[key] = full[key]
            action = _("Création") if step == "create" else _("Modification")
        elif step == "revise":
            fiche_state["calendar"] += (
                f"<p><strong>Révision {moment.year}</strong> : calendrier ajusté après le "
                "bilan présenté en plénière.</p>"
            )
            action = _("Modification")
        else:
            transition = TRANSITIONS[step]
            fiche_state["status"] = transition.target.value
            if transition.needs_plenary_date:
                fiche_state["validated_on"] = plan.plenary.isoformat()
                author = coordinator
            elif transition.target != S.VALIDATED:
                fiche_state["validated_on"] = None
            if step == "reopen":
                author = coordinator
            action = str(transition.label)
        history.append(({**fiche_state}, action, author, moment))
    final, _action, last_author, last_moment = history[-1]
    fiche = Fiche(
        contract=contract,
        objective=plan.objectives[data["objective"]],
        number=data["number"],
        lead_partner_id=final["lead_partner_id"],
        status=final["status"],
        validated_on=plan.plenary if final["validated_on"] else None,
        version=len(history),
        created_at=history[0][3],
        updated_at=last_moment,
        updated_by=last_author,
        **{name: final[name] for name in CONTENT_FIELDS},
    )
    return fiche, history


def _step_moments(
    state: TerritoryState, plan: ContractPlan, steps: list[str]
) -> list[datetime.datetime]:
    """Before the plenary, drafting; the validation on the plenary's day; a reopening and
    its revisions afterwards (never after AS_OF)."""
    rng = state.rng
    first = plan.prepared_from + random_days(rng, 0, 30)
    last_day = AS_OF - datetime.timedelta(days=1)
    if "validate" not in steps:
        days = spread_days(rng, len(steps), first, last_day)
    else:
        at = steps.index("validate")
        days = [
            *spread_days(rng, at, first, plan.plenary - datetime.timedelta(days=3)),
            plan.plenary,
            *spread_days(rng, len(steps) - at - 1, plan.plenary + datetime.timedelta(10), last_day),
        ]
    return [moment_of(day, rng) for day in days]
