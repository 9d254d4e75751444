"""Each contract's evaluation indicators: for every fiche one or two measures (from the list
its *indicateurs* text gives), a baseline the year before the contract, a target for each
year (contract content) and the value actually measured (execution, recorded in the spring
after the year by the fiche's lead partner or the CDAJE staff). Every figure is
illustrative, drawn from the territory's seeded generator, and says so in its source."""

import datetime
from decimal import Decimal
from typing import NamedTuple

from demo.scale.core import AS_OF, BATCH, moment_of, random_days
from demo.scale.state import ContractPlan, TerritoryState
from fiches.models import Indicator, IndicatorDirection, IndicatorYear

UP, DOWN = IndicatorDirection.UP, IndicatorDirection.DOWN
ILLUSTRATIVE = " — données illustratives"


class Measure(NamedTuple):
    """One indicator of a fiche. `kind`: "count" (whole numbers, `step` a share of the
    baseline per year), "rate" (a percentage, `step` in points per year, never above 100),
    "flat" (the same target every year, e.g. meetings held). The baseline is drawn between
    `low` and `high`."""

    name: str
    unit: str
    source: str
    kind: str
    low: float
    high: float
    step: float
    direction: str = UP


M = Measure
# Per fiche number (demo.fiches_data), from the list its *indicateurs* text gives.
DEFINITIONS = {
    1: [
        M("Bassins de vie couverts par le diagnostic", "%", "CDAJE", "rate", 40, 70, 12),
        M(
            "Taux de couverture des besoins d'accueil des moins de 3 ans",
            "%",
            "CAF",
            "rate",
            45,
            65,
            1.5,
        ),
    ],
    2: [
        M(
            "Places d'accueil collectif créées en zone rurale",
            "places",
            "CAF, suivi des projets",
            "count",
            10,
            60,
            0.25,
        ),
        M(
            "Nouveaux assistants maternels agréés sur les territoires prioritaires",
            "assistants maternels",
            "Département, PMI",
            "count",
            20,
            90,
            0.08,
        ),
    ],
    3: [
        M("Places ouvertes avant 7 h ou après 19 h", "places", "CAF", "count", 5, 40, 0.2),
        M(
            "Délai moyen de réponse aux demandes d'urgence",
            "jours",
            "Relais petite enfance",
            "count",
            8,
            20,
            -0.1,
            DOWN,
        ),
    ],
    4: [
        M(
            "Enfants en situation de handicap accueillis en EAJE",
            "enfants",
            "Département, PMI",
            "count",
            20,
            120,
            0.1,
        ),
        M(
            "Professionnels formés à l'accueil du handicap",
            "professionnels",
            "Département",
            "count",
            15,
            80,
            0.15,
        ),
    ],
    5: [
        M(
            "Part des enfants accueillis en EAJE issus de familles à bas revenus",
            "%",
            "CAF",
            "rate",
            12,
            22,
            1,
        ),
    ],
    6: [
        M(
            "Part des communes couvertes par un relais assistants maternels",
            "%",
            "CAF",
            "rate",
            55,
            80,
            4,
        ),
        M(
            "Assistants maternels ayant suivi une formation continue",
            "assistants maternels",
            "Relais assistants maternels",
            "count",
            40,
            300,
            0.1,
        ),
    ],
    7: [M("EAJE engagés dans la démarche qualité", "%", "Département, PMI", "rate", 10, 25, 9)],
    8: [
        M("Maisons d'assistants maternels ouvertes", "MAM", "Département, PMI", "count", 3, 25, 0.2)
    ],
    9: [
        M(
            "Parents participant aux actions de soutien à la parentalité",
            "parents",
            "CAF",
            "count",
            150,
            900,
            0.08,
        ),
    ],
    10: [
        M(
            "Professionnels sensibilisés à la prévention santé",
            "professionnels",
            "Département, PMI",
            "count",
            30,
            200,
            0.1,
        ),
    ],
    11: [
        M("Réunions plénières et groupes de travail tenus", "réunions", "CDAJE", "flat", 5, 9, 0),
        M("Taux de participation des membres de la CDAJE", "%", "CDAJE", "rate", 55, 75, 2),
    ],
    12: [
        M("Comités techniques réunis", "comités", "Département", "flat", 3, 4, 0),
        M("Fiches disposant d'un bilan annuel renseigné", "%", "CDAJE", "rate", 60, 85, 10),
    ],
    13: [
        M("Fiches des structures à jour sur mon-enfant.fr", "%", "CAF", "rate", 55, 80, 5),
        M(
            "Familles reçues ou renseignées",
            "familles",
            "Points d'information",
            "count",
            800,
            5000,
            0.06,
        ),
    ],
    14: [
        M("Guides des modes d'accueil diffusés", "guides", "Département", "count", 1000, 8000, 0.05)
    ],
}
COMMENTS = {
    "over": [
        "Objectif dépassé grâce à l'ouverture de nouvelles structures.",
        "Bonne mobilisation des partenaires sur l'année.",
    ],
    "under": [
        "En deçà de la cible : projets décalés à l'année suivante.",
        "Retard lié aux difficultés de recrutement des professionnels.",
        "Donnée partielle : tous les partenaires n'ont pas transmis leurs chiffres.",
    ],
}
ONE = Decimal("1")
TENTH = Decimal("0.1")


def create_indicators(state: TerritoryState, plans: list[ContractPlan]) -> None:
    """The indicators of every fiche of every contract, then their years, in two bulk
    inserts (the years need their indicator's id)."""
    rng = state.rng
    users = state.users
    by_lead = {
        state.cd.pk: users["cg"],
        state.caf.pk: users["caf"],
        state.msa.pk: state.partner_users[-1],
    }
    indicators, years = [], []
    for plan in plans:
        contract = plan.contract
        for number, fiche in plan.fiches.items():
            created = moment_of(plan.plenary - random_days(rng, 5, 30), rng)
            for position, measure in enumerate(DEFINITIONS[number], start=1):
                baseline = _value(measure.kind, rng.uniform(measure.low, measure.high))
                indicator = Indicator(
                    contract_id=contract.pk,
                    fiche_id=fiche.pk,
                    number=position,
                    name=measure.name,
                    unit=measure.unit,
                    source=measure.source + ILLUSTRATIVE,
                    direction=measure.direction,
                    baseline_year=contract.start_year - 1,
                    baseline_value=baseline,
                    created_at=created,
                    updated_at=created,
                    updated_by_id=users["cdaje2"].pk,
                )
                recorder = by_lead.get(fiche.lead_partner_id, users["cdaje2"])
                rows = _years(state, contract, measure, baseline, recorder)
                recorded = [row.actual_recorded_at for row in rows if row.actual_recorded_at]
                indicator.updated_at = max([created, *recorded])
                indicators.append(indicator)
                years += [(indicator, row) for row in rows]
    Indicator.objects.bulk_create(indicators, batch_size=BATCH)
    for indicator, row in years:
        row.indicator_id = indicator.pk  # now that it has one
    IndicatorYear.objects.bulk_create([row for _i, row in years], batch_size=BATCH)
    state.counts.indicators += len(indicators)
    state.counts.indicator_years += len(years)


def _value(kind: str, raw: float) -> Decimal:
    if kind == "rate":
        return min(Decimal(raw).quantize(TENTH), Decimal(100))
    return Decimal(max(round(raw), 0)).quantize(ONE)


def _years(state, contract, measure: Measure, baseline: Decimal, recorder) -> list[IndicatorYear]:
    """A target per year moving from the baseline by the definition's step, and the actual
    value measured, recorded in the spring of the next year (all of them past AS_OF's year:
    every generated contract has ended)."""
    rng, kind, step, direction = state.rng, measure.kind, measure.step, measure.direction
    rows = []
    for offset, year in enumerate(contract.years, start=1):
        if kind == "rate":
            target = _value(kind, float(baseline) + step * offset)
        elif kind == "flat":
            target = baseline
        else:
            target = _value(kind, float(baseline) * (1 + step * offset))
        row = IndicatorYear(year=year, target=target)
        recorded_on = datetime.date(year + 1, 1, 20) + random_days(rng, 0, 90)
        if recorded_on < AS_OF and rng.random() > 0.03:  # now and then, never measured
            # Up indicators land around their target, more often a little below it.
            reached = rng.uniform(0.8, 1.12)
            actual = _value(kind, float(target) * (reached if direction == UP else 2 - reached))
            row.actual = actual
            row.actual_recorded_at = moment_of(recorded_on, rng)
            row.actual_recorded_by_id = recorder.pk
            good = actual >= target if direction == UP else actual <= target
            if rng.random() < 0.3:
                row.comment = rng.choice(COMMENTS["over" if good else "under"])
        rows.append(row)
    return rows
