"""What comments can be about (`comments.targets`), registered from here because this app
sees every target's app: a fiche (its fields, budget lines and indicators), an avenant (the
fiches it changes) and an annual review (the fiches it reviews)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from cej.models import Amendment
from comments.models import TargetKind
from comments.targets import TargetType, register
from fiches.models import Fiche
from fiches.services import RICH_TEXT_FIELDS
from financing.models import BudgetLine
from reviews.models import AnnualReview


def _find(queryset):
    def find(contract, target_id):
        obj = queryset.filter(contract=contract, pk=target_id).first()
        if obj is not None:
            obj.contract = contract
        return obj

    return find


def _fiche_anchors(fiche) -> list[tuple[str, str]]:
    anchors = [
        (f"field:{name}", str(Fiche._meta.get_field(name).verbose_name).capitalize())
        for name in [*RICH_TEXT_FIELDS, "budget_note"]
    ]
    lines = BudgetLine.objects.filter(fiche=fiche).select_related("post").order_by("year", "pk")
    anchors += [
        (f"line:{line.pk}", _("Ligne budgétaire %(line)s") % {"line": line}) for line in lines
    ]
    anchors += [
        (
            f"indicator:{indicator.pk}",
            _("Indicateur %(number)s — %(name)s")
            % {
                "number": indicator.number,
                "name": indicator.name,
            },
        )
        for indicator in fiche.indicator_set.order_by("number")
    ]
    return anchors


def _fiche_label(fiche) -> str:
    return _("Fiche %(number)s « %(title)s »") % {"number": fiche.number, "title": fiche.title}


def _review_anchors(review) -> list[tuple[str, str]]:
    return [
        (f"fiche:{row.fiche_id}", _fiche_label(row.fiche))
        for row in review.fiches.select_related("fiche").order_by("fiche__number")
    ]


def _amendment_anchors(amendment) -> list[tuple[str, str]]:
    anchors = []
    for change in amendment.fiche_changes.order_by("number", "pk"):
        title = (change.proposed or {}).get("title") or (change.before or {}).get("title", "")
        key = f"fiche:{change.fiche_id}" if change.fiche_id else f"change:{change.pk}"
        anchors.append(
            (key, _("Fiche %(number)s « %(title)s »") % {"number": change.number, "title": title})
        )
    return anchors


def register_targets() -> None:
    register(
        TargetType(
            kind=TargetKind.FICHE,
            find=_find(Fiche.objects.all()),
            url=lambda fiche: reverse(
                "fiche_detail", kwargs={"slug": fiche.contract.slug, "number": fiche.number}
            ),
            label=_fiche_label,
            anchors=_fiche_anchors,
        )
    )
    register(
        TargetType(
            kind=TargetKind.AMENDMENT,
            find=_find(Amendment.objects.all()),
            url=lambda amendment: reverse(
                "amendment_detail",
                kwargs={"slug": amendment.contract.slug, "number": amendment.number},
            ),
            label=lambda amendment: (
                _("Avenant n° %(number)s « %(title)s »")
                % {"number": amendment.number, "title": amendment.title}
            ),
            anchors=_amendment_anchors,
        )
    )
    register(
        TargetType(
            kind=TargetKind.REVIEW,
            find=_find(AnnualReview.objects.all()),
            url=lambda review: reverse(
                "annual_review", kwargs={"slug": review.contract.slug, "year": review.year}
            ),
            label=lambda review: _("Bilan annuel %(year)s") % {"year": review.year},
            anchors=_review_anchors,
        )
    )
