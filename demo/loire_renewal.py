"""The end of the Loire 2014–2017 contract in the demo: its final evaluation, in draft, and the
next contract « Contrat enfance jeunesse départemental de la Loire 2018–2021 » prepared from
it by « Préparer le contrat suivant » (`pilotage.renewal`), in preparation, with draft fiches
a new user can edit freely (cdaje / demo).

The evaluation's words and recommendations are illustrative (the real evaluation is not
public): written as the CDAJE might, one fiche recommended not to be renewed (n° 8, the
maisons d'assistants maternels, whose support moves to the ordinary RAM work) to show that
renewal leaves it out."""

from cej.models import Contract
from pilotage.renewal import contract_renew
from reviews.evaluation_services import evaluation_save
from reviews.models import FinalEvaluation, Recommendation

SUMMARY = (
    "Données illustratives. Sur les quatre années, l'offre d'accueil a progressé dans les "
    "territoires ruraux déficitaires et les horaires atypiques sont mieux couverts ; la "
    "coordination départementale et la communication ont tenu leur budget. L'observatoire des "
    "besoins (fiche 1) et le pôle ressource handicap (fiche 15) sont les acquis à consolider. "
    "Les maisons d'assistants maternels se sont développées sans qu'un soutien propre reste "
    "nécessaire."
)
# fiche number: (recommendation, lessons) — illustrative.
NOTES = {
    1: (Recommendation.CONTINUE, "L'observatoire est devenu la référence des partenaires."),
    2: (Recommendation.CONTINUE, "Places créées en zone rurale, en deçà de la cible en 2016."),
    3: (
        Recommendation.ADAPT,
        "Les horaires atypiques restent peu couverts hors agglomération : élargir aux "
        "micro-crèches.",
    ),
    8: (
        Recommendation.END,
        "Les MAM se sont multipliées ; leur accompagnement relève désormais des RAM.",
    ),
    12: (Recommendation.CONTINUE, "Coordination indispensable à la tenue des plénières."),
    14: (Recommendation.ADAPT, "Recentrer la communication sur le site des familles."),
    15: (Recommendation.CONTINUE, "Pôle ressource prefiguré en 2015, à pérenniser."),
}


def load_renewal(contract: Contract) -> int:
    """The draft evaluation, then the successor made from it; rows created (0 if both are
    there already: load_demo stays idempotent)."""
    created = 0
    if not FinalEvaluation.objects.filter(contract=contract).exists():
        fiches = {f.number: f.pk for f in contract.fiches.all()}
        evaluation_save(
            contract=contract,
            changes={"summary": SUMMARY, "opinion": "", "opinion_on": None},
            notes={
                fiches[number]: (lessons, recommendation)
                for number, (recommendation, lessons) in NOTES.items()
                if number in fiches
            },
            by=None,
        )
        created += 1
    if not Contract.objects.filter(predecessor=contract).exists():
        successor = contract_renew(contract=contract, by=None)
        created += 1 + successor.fiches.count() + successor.budget_lines.count()
    return created
