"""Each contract's final evaluation (*évaluation finale*), adopted on the CDAJE's opinion in
the autumn of its last year — before the next contract's plenary, whose starting diagnostic
it is —, with what was learnt from each fiche and what it recommends: a fiche the next
contract continues is recommended for renewal (as is or adapted); the last contract of a
chain, which the convention territoriale globale followed, may recommend ending some.
No PDF is stored for them, as for the reviews. Texts are illustrative."""

import datetime

from demo.scale.core import BATCH, moment_of, random_days
from demo.scale.state import ContractPlan, TerritoryState
from reviews.models import EvaluationFiche, EvaluationStatus, FinalEvaluation, Recommendation

R = Recommendation
LESSONS = {
    R.CONTINUE: [
        "Les actions ont trouvé leur public ; les partenaires souhaitent les poursuivre.",
        "Objectifs atteints sur la période ; action à reconduire à l'identique.",
    ],
    R.ADAPT: [
        "Résultats en deçà des cibles sur les territoires ruraux : action à recentrer.",
        "Besoin toujours présent, mais le calendrier et les moyens sont à revoir.",
    ],
    R.END: ["Besoin désormais couvert par les dispositifs de droit commun."],
}


def create_evaluations(state: TerritoryState, plans: list[ContractPlan]) -> None:
    rng, users = state.rng, state.users
    evaluations, notes = [], []
    for position, plan in enumerate(plans):
        contract = plan.contract
        renewed = position < len(plans) - 1
        opinion_on = datetime.date(contract.end_year, 9, 15) + random_days(rng, 0, 55)
        adopted = moment_of(opinion_on + random_days(rng, 0, 5), rng)
        evaluations.append(
            FinalEvaluation(
                contract_id=contract.pk,
                status=EvaluationStatus.ADOPTED,
                summary=(
                    f"Évaluation du contrat {contract.period_label} : quatre années de mise "
                    "en œuvre des fiches actions, bilans annuels à l'appui (données "
                    "illustratives)."
                ),
                opinion=(
                    "Avis favorable de la CDAJE ; l'évaluation fonde le diagnostic du contrat "
                    "suivant."
                    if renewed
                    else "Avis favorable de la CDAJE ; les enseignements sont transmis à la "
                    "convention territoriale globale."
                ),
                opinion_on=opinion_on,
                adopted_at=adopted,
                adopted_by_id=users["cdaje"].pk,
                created_at=moment_of(datetime.date(contract.end_year, 3, 1), rng),
                updated_at=adopted,
                updated_by_id=users["cdaje"].pk,
            )
        )
        choices, weights = ([R.CONTINUE, R.ADAPT], [70, 30]) if renewed else (list(R), [50, 30, 20])
        for fiche in plan.fiches.values():
            recommendation = rng.choices(choices, weights=weights)[0]
            notes.append(
                (
                    len(evaluations) - 1,
                    EvaluationFiche(
                        fiche_id=fiche.pk,
                        recommendation=recommendation,
                        lessons=rng.choice(LESSONS[recommendation]),
                    ),
                )
            )
    FinalEvaluation.objects.bulk_create(evaluations, batch_size=BATCH)
    for index, note in notes:
        note.evaluation_id = evaluations[index].pk
    EvaluationFiche.objects.bulk_create([note for _i, note in notes], batch_size=BATCH)
    state.counts.evaluations += len(evaluations)
    state.counts.review_rows += len(notes)
