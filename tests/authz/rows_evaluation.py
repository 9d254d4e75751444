"""Authorization matrix rows of issue 19's evaluation pages: `MATRIX_ROWS` (the expected outcome
per viewer, columns as in tests/test_authorization_matrix.py) and `SCENARIOS` (URL, payload,
effect; see tests/authz/scenarios.py). Merged into the matrix there.

The final evaluation is the signed contract's (the demo's, in draft): read by whoever sees
the contract, written by the CDAJE staff, adopted by its coordination; on the contract in
preparation there is nothing to evaluate yet (`[preparation]`). « Préparer le contrat
suivant » is the coordination's, once per contract: the demo's contract has its successor
already (`[renewed]`), so the row that proves who may renew detaches it first."""

from tests.authz.cells import DONE, GET, LOGIN, POST, Expect, Scenario

UNSIGNED = Expect(403, says=("Le contrat n'est pas encore signé",), label="UNSIGNED")
RENEWED = Expect(403, says=("Le contrat suivant est déjà en préparation",), label="RENEWED")

# fmt: off
MATRIX_ROWS: dict = {
    # row                            method  anon.  cdaje   finance partner outsid. elsew. admin
    ("final_evaluation",              GET):  (LOGIN, 200,    200,    200,    404,    404,   200),
    ("final_evaluation",              POST): (LOGIN, DONE,   403,    403,    404,    404,   DONE),
    ("final_evaluation[preparation]", POST):
                                             (LOGIN, UNSIGNED, 403, 403, 404, 404, UNSIGNED),
    ("final_evaluation_adopt",        GET):  (LOGIN, 405,    405,    405,    405,    405,   405),
    ("final_evaluation_adopt",        POST): (LOGIN, DONE,   403,    403,    404,    404,   DONE),
    ("final_evaluation_pdf",          GET):  (LOGIN, 200,    200,    200,    404,    404,   200),
    ("final_evaluation_pdf",          POST): (LOGIN, 200,    200,    200,    404,    404,   200),
    ("final_evaluation_pdf[adopted]", GET):  (LOGIN, 200,    200,    200,    404,    404,   200),
    ("contract_renew",                GET):  (LOGIN, 405,    405,    405,    405,    405,   405),
    ("contract_renew",                POST): (LOGIN, DONE,   403,    403,    404,    404,   DONE),
    ("contract_renew[renewed]",       POST): (LOGIN, RENEWED, 403,   403,    404,    404,  RENEWED),
    ("contract_renew[preparation]",   POST): (LOGIN, 403,    403,    403,    404,    404,   403),
}
# fmt: on


def _signed(world):
    return world.contract


def _preparing(world):
    return world.preparation


def page(url_name: str, *, on=_signed):
    """The URL of `url_name` on a Loire contract (tests/authz/scenarios.py imports this
    module: its own helper cannot be imported here)."""

    def build(world):
        from django.urls import reverse

        return reverse(url_name, kwargs={"slug": on(world).slug})

    return build


def _evaluation_form(on):
    def data(world, viewer):
        from fiches.models import Fiche
        from reviews.models import FinalEvaluation

        contract = on(world)
        evaluation = FinalEvaluation.objects.filter(contract=contract).first()
        notes = {n.fiche_id: n for n in evaluation.fiches.all()} if evaluation else {}
        payload = {
            "version": evaluation.version if evaluation else 0,
            "summary": "Synthèse écrite par la matrice",
            "opinion": "",
            "opinion_on": "",
        }
        for fiche in Fiche.objects.filter(contract=contract).exclude(status="withdrawn"):
            note = notes.get(fiche.pk)
            payload[f"lessons_{fiche.pk}"] = note.lessons if note else ""
            payload[f"recommendation_{fiche.pk}"] = note.recommendation if note else "continue"
        return payload

    return data


def _evaluation(on):
    def state(world, client, viewer):
        from reviews.models import FinalEvaluation

        evaluation = FinalEvaluation.objects.filter(contract=on(world)).first()
        if evaluation is None:
            return None
        return evaluation.version, evaluation.status, evaluation.summary, evaluation.document_id

    return state


def _adopted(world):
    """The evaluation adopted, its PDF stored (a small one: the row is about who reads it)."""
    from django.utils import timezone

    from cej.documents import document_store
    from reviews.models import FinalEvaluation
    from tests.pdftools import minimal_pdf

    document = document_store(
        contract=world.contract,
        kind="final_evaluation",
        title="Évaluation finale du contrat 2014–2017",
        content=minimal_pdf(),
        filename="evaluation-finale.pdf",
    )
    FinalEvaluation.objects.filter(contract=world.contract).update(
        status="adopted",
        opinion_on=timezone.localdate().replace(year=2017, month=12, day=12),
        adopted_at=timezone.now(),
        document=document,
    )


def _successors(world, client, viewer):
    from cej.models import Contract

    successors = Contract.objects.filter(predecessor=world.contract)
    return sorted(successors.values_list("slug", flat=True))


def _detached(world):
    """The demo's successor no longer follows the signed contract: it may be renewed."""
    from cej.models import Contract

    Contract.objects.filter(pk=world.preparation.pk).update(predecessor=None)


def _preparation_successors(world, client, viewer):
    from cej.models import Contract

    return Contract.objects.filter(predecessor=world.preparation).count()


SCENARIOS: dict = {
    "final_evaluation": Scenario(
        url=page("final_evaluation"),
        data=_evaluation_form(_signed),
        effect=_evaluation(_signed),
    ),
    "final_evaluation[preparation]": Scenario(
        url=page("final_evaluation", on=_preparing),
        data=_evaluation_form(_preparing),
        effect=_evaluation(_preparing),
    ),
    "final_evaluation_adopt": Scenario(
        url=page("final_evaluation_adopt"),
        data=lambda w, v: {"opinion_on": "2017-12-12"},
        effect=_evaluation(_signed),
    ),
    "final_evaluation_pdf": Scenario(url=page("final_evaluation_pdf"), layout=False),
    "final_evaluation_pdf[adopted]": Scenario(url=page("final_evaluation_pdf"), prepare=_adopted),
    "contract_renew": Scenario(url=page("contract_renew"), prepare=_detached, effect=_successors),
    "contract_renew[renewed]": Scenario(url=page("contract_renew"), effect=_successors),
    "contract_renew[preparation]": Scenario(
        url=page("contract_renew", on=_preparing), effect=_preparation_successors
    ),
}
