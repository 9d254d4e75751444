"""The annual reviews on a plenary's agenda (`agenda.plenary_pack`): which were submitted in
the window and await the CDAJE's opinion, and what changed in each — its synthesis, and per
fiche the state of its actions and what was done — since it was last sent back, or else
since the previous year's review."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from cej.dates import format_date_long
from cej.versioning import FieldChange, diff_rows, word_diff
from reviews.models import ActionState, AnnualReview, AnnualReviewVersion, ReviewStatus


@dataclass
class ReviewFicheRow:
    """One fiche in a review on the agenda: the state of its actions now and at the
    comparison point, and its narrative's changes."""

    number: int
    title: str
    state: str
    before: str
    narrative: FieldChange | None = None

    @property
    def changed(self) -> bool:
        return self.state != self.before or self.narrative is not None


@dataclass
class ReviewOnAgenda:
    """What the pack shows of one review; `since` says in words what the changes compare
    against."""

    review_id: int
    contract_id: int
    year: int
    submitted_at: datetime.datetime
    since: str
    changes: list[FieldChange] = field(default_factory=list)
    rows: list[ReviewFicheRow] = field(default_factory=list)


def reviews_on_agenda(
    contracts: dict, fiches: dict, start, cutoff, held_on
) -> list[ReviewOnAgenda]:
    """Reviews submitted in the window and awaiting the opinion on the plenary's day:
    submitted still, or adopted on an opinion given that day or later. Read from the review's
    own dates (`submitted_at`, cleared by a return and set again by the next submission;
    `opinion_on`) rather than its versions': the demo loader dates the first, not the second,
    as an import of reviews kept before the application would. The versions give what it
    said then, and what changed since it was last sent back."""
    reviews = AnnualReview.objects.filter(contract__in=list(contracts), submitted_at__lt=cutoff)
    reviews = reviews.filter(
        Q(status=ReviewStatus.SUBMITTED) | Q(status=ReviewStatus.ADOPTED, opinion_on__gte=held_on)
    )
    if start is not None:
        reviews = reviews.filter(submitted_at__gte=start)
    found = {
        pk: (contract_id, year, submitted_at)
        for pk, contract_id, year, submitted_at in reviews.values_list(
            "pk", "contract_id", "year", "submitted_at"
        )
    }
    if not found:
        return []
    versions = defaultdict(list)
    for version in (
        AnnualReviewVersion.objects.filter(review_id__in=found)
        .order_by("review_id", "number")
        .only("review", "number", "snapshot", "created_at")
    ):
        versions[version.review_id].append(version)
    pending = {}
    for review_id in found:
        history = versions.get(review_id, [])
        submitted = [
            i for i, v in enumerate(history) if v.snapshot.get("status") == ReviewStatus.SUBMITTED
        ]
        if not submitted:
            continue  # no version says what was submitted
        # As it stood before the plenary; else (versions dated after it) as last submitted.
        before = [i for i in submitted if history[i].created_at < cutoff]
        index = before[-1] if before else submitted[-1]
        returned = next(
            (
                history[i]
                for i in range(index - 1, 0, -1)
                if history[i].snapshot.get("status") == ReviewStatus.DRAFT
                and history[i - 1].snapshot.get("status") == ReviewStatus.SUBMITTED
            ),
            None,
        )
        pending[review_id] = (history[index], returned)
    # The previous year's review of each, as it stood before the plenary (or as it ended).
    wanted = {(found[pk][0], found[pk][1] - 1) for pk in pending}
    previous, previous_before = {}, {}
    for contract_id, year, snapshot, created_at in (
        AnnualReviewVersion.objects.filter(
            review__contract__in=list(contracts), review__year__in={y for _c, y in wanted}
        )
        .order_by("review_id", "number")
        .values_list("review__contract_id", "review__year", "snapshot", "created_at")
    ):
        previous[(contract_id, year)] = snapshot  # the last one wins
        if created_at < cutoff:
            previous_before[(contract_id, year)] = snapshot
    previous.update(previous_before)
    items = []
    for review_id, (now, returned) in pending.items():
        contract_id, year, submitted_at = found[review_id]
        if returned is not None:
            baseline = returned.snapshot
            since = _("Modifications depuis son renvoi en préparation le %(date)s.") % {
                "date": format_date_long(returned.created_at)
            }
        elif (last_year := previous.get((contract_id, year - 1))) is not None:
            baseline = last_year
            since = _("Comparé au bilan %(year)s.") % {"year": year - 1}
        else:
            baseline = {}
            since = _("Premier bilan du contrat : rien à comparer.")
        items.append(
            ReviewOnAgenda(
                review_id=review_id,
                contract_id=contract_id,
                year=year,
                submitted_at=submitted_at,
                since=since,
                changes=diff_rows(
                    [
                        (
                            _("Synthèse de l'année"),
                            baseline.get("summary", ""),
                            now.snapshot.get("summary"),
                            True,
                        )
                    ]
                ),
                rows=_review_rows(now.snapshot, baseline, fiches),
            )
        )
    return items


def _state_label(state) -> str:
    try:
        return str(ActionState(state).label) if state else ""
    except ValueError:
        return str(state)


def _review_rows(snapshot: dict, baseline: dict, fiches: dict) -> list[ReviewFicheRow]:
    before_fiches = baseline.get("fiches", {})
    rows = []
    for fiche_id, now in snapshot.get("fiches", {}).items():
        _contract, number, title = fiches.get(int(fiche_id), (None, 0, ""))
        before = before_fiches.get(fiche_id, {})
        narrative = None
        if before.get("narrative", "") != now.get("narrative", ""):
            narrative = FieldChange(
                str(_("Ce qui a été fait")),
                *word_diff(before.get("narrative", ""), now.get("narrative", "")),
            )
        rows.append(
            ReviewFicheRow(
                number=number,
                title=title,
                state=_state_label(now.get("state")),
                before=_state_label(before.get("state")),
                narrative=narrative,
            )
        )
    return sorted(rows, key=lambda row: row.number)
