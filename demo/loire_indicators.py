"""The Loire demo's evaluation indicators: two for each of the 14 fiches of 2014–2017 and
one for fiche n° 15 (added by avenant n° 1, measured from 2015), each with its baseline
(2013, the last year of the first contract), its targets 2014–2017 as agreed in the signed
contract, and its actual values 2014–2016 entered each spring after the year (taken up at
once: one version, « Reprise du réalisé »); 2017 is partial — some of its figures are not in
yet. (A target of the signed contract changes only
through an avenant: the open avenant n° 2 lists the indicators whose targets it may change.)

ALL FIGURES ARE ILLUSTRATIVE: the seed article says nothing of the indicators' values. Each
indicator's `source` says so (« données illustratives »), as the pages show it.

Written through `fiches.indicator_services` as the application itself (`system=True` and
the reprise `indicator_actuals_load`: the demo is loaded with no one logged in): every
indicator has its versions, dated when they were made. Idempotent: a fiche that has
indicators already is left as it is."""

import datetime
from decimal import Decimal

from django.utils import timezone

from fiches.indicator_services import indicator_actuals_load, indicator_create
from fiches.models import Fiche, Indicator, IndicatorDirection, IndicatorVersion

ILLUSTRATIVE = "données illustratives"
YEARS = (2014, 2015, 2016, 2017)
UP, DOWN = IndicatorDirection.UP, IndicatorDirection.DOWN

# fiche number → [(name, unit, source, direction, baseline 2013, targets 2014–2017,
#                  actuals 2014–2017 (None: not in yet), comment on the last actual)]
# fmt: off
INDICATORS = {
    1: [
        ('Bassins de vie couverts par le diagnostic', '%',
         'CDAJE, observatoire', UP, '40',
         ('60', '80', '100', '100'), ('55', '85', '100', '100'),
         'Diagnostic étendu aux quatre bassins du Roannais en 2016.'),
        ("Taux de couverture des besoins d'accueil des moins de 3 ans", '%',
         'CAF de la Loire, SIAM', UP, '52.4',
         ('53', '54', '55', '56'), ('53.1', '54.2', '54.8', None),
         'Le taux 2017 sera connu avec les données CAF de juin 2018.'),
    ],
    2: [
        ("Places d'accueil collectif créées en zone rurale", 'places',
         'PMI, agréments', UP, '0',
         ('20', '45', '70', '90'), ('18', '41', '72', '84'),
         'Deux micro-crèches ouvertes dans les monts du Forez.'),
        ('Nouveaux assistants maternels agréés sur les territoires prioritaires', 'personnes',
         'PMI, agréments', UP, '35',
         ('40', '45', '50', '50'), ('38', '47', '44', '49'),
         ''),
    ],
    3: [
        ('Places ouvertes avant 7 h ou après 19 h', 'places',
         'CAF, enquête EAJE', UP, '12',
         ('18', '25', '30', '35'), ('16', '24', '31', '33'),
         ''),
        ("Délai moyen de réponse aux demandes d'urgence", 'jours',
         "Relais d'urgence", DOWN, '12',
         ('10', '8', '6', '5'), ('11', '8', '6', None),
         "Le relais d'urgence de Saint-Étienne répond en six jours en moyenne."),
    ],
    4: [
        ('Enfants en situation de handicap accueillis en EAJE', 'enfants',
         "CAF, dispositif d'aide aux crèches", UP, '28',
         ('35', '42', '50', '55'), ('37', '44', '49', '56'),
         ''),
        ("Professionnels formés à l'accueil du handicap", 'personnes',
         'Département, PMI', UP, '0',
         ('30', '60', '90', '120'), ('25', '64', '95', '118'),
         ''),
    ],
    5: [
        ('Part des enfants accueillis en EAJE issus de familles à bas revenus', '%',
         'CAF, FILOUE', UP, '14',
         ('15', '16', '17', '18'), ('14.6', '16.1', '17.3', None),
         ''),
        ('Places réservées aux parents en insertion', 'places',
         'CAF, conventions AVIP', UP, '0',
         ('10', '20', '30', '40'), ('8', '22', '31', '36'),
         ''),
    ],
    6: [
        ('Part des communes couvertes par un RAM', '%',
         'CAF, RAM', UP, '68',
         ('72', '76', '80', '85'), ('71', '77', '81', '84'),
         ''),
        ('Assistants maternels en formation continue', 'personnes',
         'IPERIA, RAM', UP, '120',
         ('150', '180', '210', '240'), ('142', '186', '205', '231'),
         ''),
    ],
    7: [
        ('EAJE engagés dans la démarche qualité', '%',
         'PMI, démarche qualité', UP, '0',
         ('15', '30', '40', '50'), ('12', '28', '43', '51'),
         ''),
        ("Participants aux journées d'échanges", 'personnes',
         'CDAJE', UP, '0',
         ('80', '100', '120', '120'), ('95', '104', '131', '118'),
         ''),
    ],
    8: [
        ('MAM ouvertes', 'MAM',
         'PMI, agréments', UP, '9',
         ('13', '17', '21', '25'), ('12', '18', '22', '24'),
         ''),
        ('Part des MAM en lien avec un RAM', '%',
         'CAF, RAM', UP, '40',
         ('50', '60', '70', '80'), ('48', '63', '71', None),
         ''),
    ],
    9: [
        ("Lieux d'accueil proposant des actions parentalité", 'lieux',
         'CAF, REAAP', UP, '18',
         ('22', '26', '30', '34'), ('21', '27', '29', '35'),
         ''),
        ('Parents participants', 'parents',
         'CAF, REAAP', UP, '600',
         ('700', '800', '900', '1000'), ('720', '810', '940', None),
         ''),
    ],
    10: [
        ('Sessions de prévention organisées', 'sessions',
         'PMI', UP, '6',
         ('10', '12', '14', '16'), ('9', '13', '14', '15'),
         ''),
        ('Taux de satisfaction des participants', '%',
         'PMI, questionnaires', UP, '80',
         ('85', '85', '88', '90'), ('87', '89', '90', None),
         ''),
    ],
    11: [
        ('Réunions plénières et groupes de travail tenus', 'réunions',
         'CDAJE', UP, '5',
         ('6', '7', '7', '7'), ('6', '7', '8', '7'),
         ''),
        ('Taux de participation des membres', '%',
         'CDAJE, feuilles de présence', UP, '62',
         ('65', '70', '72', '75'), ('66', '69', '74', '73'),
         ''),
    ],
    12: [
        ('Comités techniques réunis', 'comités',
         'Département', UP, '2',
         ('4', '4', '4', '4'), ('4', '4', '3', '4'),
         ''),
        ("Part des fiches disposant d'un bilan annuel renseigné", '%',
         'CDAJE', UP, '0',
         ('100', '100', '100', '100'), ('86', '100', '100', None),
         ''),
    ],
    13: [
        ('Taux de mise à jour des fiches des structures sur mon-enfant.fr', '%',
         'CAF, mon-enfant.fr', UP, '45',
         ('60', '70', '80', '90'), ('58', '73', '82', '88'),
         ''),
        ('Familles reçues ou renseignées', 'familles',
         "Points d'information", UP, '1800',
         ('2000', '2200', '2400', '2600'), ('2050', '2310', '2380', None),
         ''),
    ],
    14: [
        ('Guides diffusés', 'exemplaires',
         'Département, service communication', UP, '0',
         ('5000', '3000', '3000', '3000'), ('5200', '2900', '3100', '2800'),
         ''),
        ("Lettres d'information publiées", 'lettres',
         'Département', UP, '0',
         ('2', '2', '2', '2'), ('2', '2', '2', '1'),
         'La seconde lettre 2017 paraît en janvier 2018.'),
    ],
    15: [
        ('Familles accompagnées par le pôle ressource handicap', 'familles',
         'Pôle ressource handicap', UP, None,
         (None, '20', '40', '60'), (None, '12', '38', None),
         'Pôle préfiguré en 2015, ouvert en 2016.'),
    ],
}
# fmt: on


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))


def load_loire_indicators(contract) -> int:
    """Idempotent. The number of indicators created."""
    created = 0
    fiches = {f.number: f for f in Fiche.objects.filter(contract=contract)}
    for number, rows in INDICATORS.items():
        fiche = fiches.get(number)
        if fiche is None or fiche.indicator_set.exists():
            continue
        for name, unit, source, direction, baseline, targets, actuals, comment in rows:
            indicator = indicator_create(
                fiche=fiche,
                changes={
                    "name": name,
                    "unit": unit,
                    "source": f"{source} — {ILLUSTRATIVE}",
                    "direction": direction,
                    "baseline_year": 2013 if baseline is not None else None,
                    "baseline_value": _decimal(baseline),
                },
                targets={year: _decimal(t) for year, t in zip(YEARS, targets, strict=True) if t},
                by=None,
                system=True,
                action="Reprise du contrat signé",
            )
            _dated(indicator, _at(contract.signed_on or datetime.date(2014, 10, 1)))
            years = [y for y, a in zip(YEARS, actuals, strict=True) if a is not None]
            # Each year entered with its activity figures, the next spring; taken up at once.
            indicator = indicator_actuals_load(
                indicator=indicator,
                actuals={
                    year: (
                        Decimal(value),
                        comment if year == years[-1] else "",
                        _at(datetime.date(year + 1, 3, 15)),
                    )
                    for year, value in zip(YEARS, actuals, strict=True)
                    if value is not None
                },
            )
            _dated(indicator, _at(datetime.date(years[-1] + 1, 3, 15)))
            created += 1
    return created


def _dated(indicator: Indicator, when: datetime.datetime) -> None:
    """The version just recorded, dated when it was made rather than on the day of the load."""
    IndicatorVersion.objects.filter(indicator=indicator, number=indicator.version).update(
        created_at=when
    )
    Indicator.objects.filter(pk=indicator.pk).update(updated_at=when)
