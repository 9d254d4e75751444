"""The Loire's annual reviews (*bilans annuels*) 2014–2017: 2014, 2015 and 2016 adopted on
the CDAJE's opinion, with their stored PDFs; 2017 in preparation. Written through
`reviews.services` as the application's own writes (no one logged in).

Everything here is illustrative (the seed article says nothing of the reviews): the state
of each fiche's actions, the narratives, the CDAJE's opinions and plenary dates, and the
needs and supply figures per area of the Loire — « données illustratives », plausible
orders of magnitude (about 25 000 children under three in the département, a coverage rate
near the national average), not official statistics."""

import datetime
from dataclasses import replace

from django.utils import timezone

from fiches.models import Fiche
from reviews import services
from reviews.models import AnnualReview, ReviewStatus
from reviews.services import AreaFigures

D = datetime.date
DONE, IN_PROGRESS, POSTPONED, ABANDONED = "done", "in_progress", "postponed", "abandoned"

# Illustrative: the plenaries at which the CDAJE gave its opinion on each year's review.
OPINIONS = {
    2014: (
        D(2015, 3, 17),
        "La CDAJE prend acte d'une première année consacrée à la mise en place du contrat : "
        "l'observatoire est lancé, les actions de développement de l'offre sont engagées "
        "dans les territoires ruraux. Elle émet un avis favorable au bilan 2014 et demande "
        "que le pôle ressource handicap soit préfiguré en 2015.",
    ),
    2015: (
        D(2016, 3, 15),
        "Avis favorable. La CDAJE relève la progression des places en micro-crèches et en "
        "maisons d'assistants maternels, et le retard pris par le pôle ressource handicap, "
        "dont l'ouverture est reportée à 2016 ; elle demande un point d'étape à mi-année.",
    ),
    2016: (
        D(2017, 3, 14),
        "Avis favorable. Le taux de couverture progresse dans chaque zone ; l'écart entre le "
        "Roannais et Saint-Étienne Métropole se réduit. La CDAJE recommande de préparer dès "
        "2017 l'évaluation finale du contrat et le diagnostic du contrat suivant.",
    ),
}

SUMMARIES = {
    2014: "Année de lancement (contrat signé le 1er octobre 2014) : observatoire, premiers "
    "projets de micro-crèches, réseau des relais d'assistants maternels. (Texte illustratif.)",
    2015: "Deuxième année : l'offre progresse dans le Forez et le Roannais, la démarche "
    "qualité est engagée dans vingt établissements ; le pôle ressource handicap prend du "
    "retard. (Texte illustratif.)",
    2016: "Troisième année : la plupart des actions sont réalisées ou en cours ; le pôle "
    "ressource handicap ouvre en septembre. (Texte illustratif.)",
    2017: "Dernière année du contrat : achèvement des actions, préparation de l'évaluation "
    "finale et du contrat 2018–2021. Bilan en cours de rédaction. (Texte illustratif.)",
}

# fiche number → state per year 2014, 2015, 2016, 2017 (illustrative).
STATES = {
    1: (IN_PROGRESS, DONE, DONE, IN_PROGRESS),
    2: (IN_PROGRESS, IN_PROGRESS, IN_PROGRESS, IN_PROGRESS),
    3: (POSTPONED, IN_PROGRESS, IN_PROGRESS, IN_PROGRESS),
    4: (IN_PROGRESS, POSTPONED, IN_PROGRESS, DONE),
    5: (IN_PROGRESS, IN_PROGRESS, DONE, IN_PROGRESS),
    6: (IN_PROGRESS, IN_PROGRESS, DONE, DONE),
    7: (POSTPONED, IN_PROGRESS, IN_PROGRESS, IN_PROGRESS),
    8: (IN_PROGRESS, DONE, DONE, DONE),
    9: (IN_PROGRESS, IN_PROGRESS, IN_PROGRESS, IN_PROGRESS),
    10: (POSTPONED, POSTPONED, IN_PROGRESS, IN_PROGRESS),
    11: (DONE, DONE, DONE, IN_PROGRESS),
    12: (IN_PROGRESS, IN_PROGRESS, IN_PROGRESS, IN_PROGRESS),
    13: (IN_PROGRESS, DONE, DONE, IN_PROGRESS),
    14: (IN_PROGRESS, IN_PROGRESS, ABANDONED, ABANDONED),
}

# What a narrative says per state (illustrative), completed with the fiche's title.
NARRATIVES = {
    DONE: "Actions prévues pour {year} réalisées : « {title} ».",
    IN_PROGRESS: "Actions de « {title} » engagées en {year}, à poursuivre l'an prochain.",
    POSTPONED: "Actions de « {title} » reportées : calendrier revu avec le pilote en {year}.",
    ABANDONED: "Actions de « {title} » abandonnées en {year} : reprises par le plan "
    "départemental de communication.",
}

# Illustrative needs and supply per area of the Loire for 2014: children under three,
# unmet requests, places per kind of care (collective, micro-crèches, family crèches,
# childminders, home care, preschool at two).
AREAS_2014 = [
    ("Roannais", 4100, 80, (620, 60, 40, 1900, 30, 110)),
    ("Forez", 6300, 140, (780, 120, 60, 2700, 40, 150)),
    ("Saint-Étienne Métropole", 10900, 310, (2150, 180, 120, 3500, 160, 420)),
    ("Gier-Ondaine-Pilat", 3800, 95, (430, 40, 20, 1500, 20, 90)),
]
CARE_TYPES = (
    "collective",
    "micro_creche",
    "family_creche",
    "childminders",
    "home_care",
    "preschool",
)


def needs_of(year: int) -> list[AreaFigures]:
    """Each year a little more supply (micro-crèches most), slightly fewer births."""
    step = year - 2014
    areas = []
    for name, children, unmet, places in AREAS_2014:
        growth = (1 + 0.02 * step, 1 + 0.25 * step, 1, 1 + 0.01 * step, 1, 1 - 0.03 * step)
        figures = AreaFigures(
            name=name,
            children_under_3=round(children * (1 - 0.01 * step)),
            unmet_requests=round(unmet * (1 - 0.08 * step)),
            places={
                care: round(count * factor)
                for care, count, factor in zip(CARE_TYPES, places, growth, strict=True)
            },
        )
        areas.append(replace(figures))
    return areas


def _at(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(17)))


def load_reviews(contract) -> int:
    """Idempotent: a year whose review exists is left as it is. The number of reviews
    created. Renders the PDFs of the three adopted reviews (and only those)."""
    created = 0
    fiches = {f.number: f for f in Fiche.objects.filter(contract=contract)}
    for index, year in enumerate(contract.years):
        if AnnualReview.objects.filter(contract=contract, year=year).exists():
            continue
        review = services.review_create(contract=contract, year=year, by=None, system=True)
        states = {
            fiches[number].pk: (
                states[index],
                NARRATIVES[states[index]].format(year=year, title=fiches[number].title),
            )
            for number, states in STATES.items()
            if number in fiches
        }
        review = services.review_update(
            review=review,
            summary=SUMMARIES[year],
            fiche_states=states,
            expected_version=review.version,
            by=None,
            system=True,
        )
        review = services.needs_save(
            review=review,
            areas=needs_of(year),
            expected_version=review.version,
            by=None,
            system=True,
        )
        if year in OPINIONS:
            opinion_on, opinion = OPINIONS[year]
            review = services.review_submit(review=review, by=None, system=True)
            review = services.review_adopt(
                review=review, opinion=opinion, opinion_on=opinion_on, by=None, system=True
            )
            # Submitted a month before the plenary, adopted on its day, not on the load's.
            AnnualReview.objects.filter(pk=review.pk, status=ReviewStatus.ADOPTED).update(
                submitted_at=_at(opinion_on - datetime.timedelta(days=30)),
                adopted_at=_at(opinion_on),
            )
        created += 1
    return created
