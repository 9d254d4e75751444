"""The Loire demo's calendar: the CDAJE's plenaries 2014–2018 (at least three a year, as
décret 2002-798 asks; the dates of the opinions recorded elsewhere in the demo among them)
and a few deadlines added by hand around the spring 2016 plenary, so that `send_reminders
--date 2016-03-01` tells the partners something true that morning: the CAF's activity data
due within a week, the MSA's figures late, the plenary of 15 March. Dates, places and
titles are illustrative. Written through `agenda.services` as the application itself."""

import datetime

from agenda.models import Deadline, DeadlineVisibility, Plenary
from agenda.services import deadline_close, deadline_save, plenary_save

D = datetime.date
PLACE = "Hôtel du Département, Saint-Étienne"

PLENARIES = [
    # 2014: the fiches' opinion (demo.loire.PLENARY_DATE), then June and November.
    D(2014, 2, 11), D(2014, 6, 17), D(2014, 11, 18),
    # 2015: avenant n° 1 (10 March), the 2014 review (17 March).
    D(2015, 3, 10), D(2015, 3, 17), D(2015, 6, 16), D(2015, 11, 17),
    D(2016, 3, 15), D(2016, 6, 14), D(2016, 11, 15),
    D(2017, 3, 14), D(2017, 6, 13), D(2017, 11, 14),
    D(2018, 3, 13), D(2018, 6, 12), D(2018, 11, 13),
]  # fmt: skip

# (due on, title, description, visibility, responsible partner key, done on)
DEADLINES = [
    (
        D(2016, 2, 15),
        "Communiquer le nombre d'enfants de moins de 3 ans ressortissants du régime agricole",
        "Pour l'état des besoins du bilan 2015, par zone (illustratif).",
        DeadlineVisibility.SHARED,
        "msa",
        D(2016, 3, 4),
    ),
    (
        D(2016, 3, 4),
        "Envoyer aux membres de la CDAJE le dossier de la séance du 15 mars 2016",
        "",
        DeadlineVisibility.STAFF,
        None,
        D(2016, 3, 4),
    ),
    (
        D(2016, 3, 8),
        "Transmettre les données d'activité 2015 des relais d'assistants maternels",
        "Fréquentation et nombre d'assistants maternels accompagnés, pour le bilan 2015 "
        "présenté à la séance du 15 mars (illustratif).",
        DeadlineVisibility.SHARED,
        "caf",
        D(2016, 3, 7),
    ),
    (
        D(2017, 6, 30),
        "Lancer l'évaluation finale du contrat : cahier des charges",
        "",
        DeadlineVisibility.SHARED,
        "cg",
        D(2017, 6, 20),
    ),
]


def load_agenda(contract, partners) -> int:
    """Idempotent: a plenary of an existing day, a deadline of an existing title are left as
    they are. The number of rows created."""
    created = 0
    existing = set(
        Plenary.objects.filter(territory_id=contract.territory_id).values_list("held_on", flat=True)
    )
    for day in PLENARIES:
        if day not in existing:
            plenary_save(contract=contract, held_on=day, place=PLACE, by=None, system=True)
            created += 1
    titles = set(Deadline.objects.filter(contract=contract).values_list("title", flat=True))
    for due_on, title, description, visibility, key, done_on in DEADLINES:
        if title in titles:
            continue
        deadline = deadline_save(
            contract=contract,
            due_on=due_on,
            title=title,
            description=description,
            visibility=visibility,
            responsible=partners[key] if key else None,
            by=None,
            system=True,
        )
        deadline_close(contract=contract, deadline=deadline, done_on=done_on, by=None, system=True)
        created += 1
    return created
