"""Who may write and adopt the final evaluation, and when. Predicates answer (allowed,
reason); views and templates ask the same ones."""

from django.utils.translation import gettext as _

from cej.models import FROZEN_STATUSES, ContractStatus
from cej.permissions import Decision, frozen_refusal, works_on_contract
from reviews.models import EvaluationStatus


def evaluation_open(contract, evaluation) -> Decision:
    """Whether the evaluation may still change, whoever asks (the demo writes as nobody)."""
    if contract.status in FROZEN_STATUSES:
        return False, frozen_refusal(contract)
    if contract.status != ContractStatus.SIGNED:
        return False, _(
            "Le contrat n'est pas encore signé : son évaluation finale se prépare dans sa "
            "dernière année d'exécution."
        )
    if evaluation is not None and evaluation.status == EvaluationStatus.ADOPTED:
        return False, _("L'évaluation finale est adoptée : elle ne change plus.")
    return True, ""


def can_edit_evaluation(user, contract, evaluation) -> Decision:
    """The CDAJE staff of the territory writes it, while the contract is signed and it is
    not adopted."""
    if not user.has_perm("reviews.change_finalevaluation"):
        return False, _("Seule l'équipe CDAJE rédige l'évaluation finale.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    return evaluation_open(contract, evaluation)


def can_adopt_evaluation(user, contract, evaluation) -> Decision:
    """The CDAJE coordination adopts it on the CDAJE's opinion in plenary."""
    if not user.has_perm("reviews.adopt_annualreview"):
        return False, _("Seule la coordination de la CDAJE adopte l'évaluation finale.")
    if not works_on_contract(user, contract):
        return False, _("Vous ne travaillez pas sur les contrats de ce territoire.")
    allowed, reason = evaluation_open(contract, evaluation)
    if not allowed:
        return allowed, reason
    if evaluation is None:
        return False, _("L'évaluation finale n'est pas encore rédigée.")
    return True, ""
