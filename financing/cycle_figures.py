"""The financing plan as the budget report sums it: per year and for the scope shown
(`financing.figures.PlanFigures`), and « Financement prévisionnel », each funder's PSEJ and
the beneficiary's own share (`financing.figures.Share`). Plain arithmetic on the lines'
plans (`financing.cycle_selectors.LinePlan`), no query."""

from django.utils.translation import gettext as _

from financing.figures import ZERO, PlanFigures, Share


def plan_slices(cycle, lines, year: int | None):
    """(plan per year of the contract, plan of the scope — `year` or the period —, the
    shares of the scope). `lines`: every LineFigures of the contract, with its plan."""
    per_year: dict[int, PlanFigures] = {}
    total = PlanFigures(label=str(year) if year else _("Période"), key=year or "total")
    for line in lines:
        if line.plan is None:
            continue
        if line.year not in per_year:
            per_year[line.year] = PlanFigures(label=str(line.year), key=line.year)
        per_year[line.year].add(line.plan)
        if year is None or line.year == year:
            total.add(line.plan)
    shares = [
        Share(
            label=funder.name,
            short_label=funder.short_name or funder.name,
            forecast=total.forecast.psej.get(funder.pk, ZERO),
            actual=total.actual.psej.get(funder.pk, ZERO) if total.complete else None,
            funder_id=funder.pk,
        )
        for funder in cycle.funders
    ]
    beneficiary = cycle.beneficiary
    shares.append(
        Share(
            label=_("Part du bénéficiaire (%(name)s)") % {"name": beneficiary.name}
            if beneficiary
            else _("Part du bénéficiaire"),
            short_label=_("Part du bénéficiaire"),
            forecast=total.forecast.own_share,
            actual=total.actual.own_share if total.complete else None,
        )
    )
    return [per_year[y] for y in sorted(per_year)], total, shares
