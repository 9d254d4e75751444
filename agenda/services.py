"""Every change to what the calendar stores: the plenaries of a territory, the deadlines
added by hand to a contract, a person's feed token. Each is atomic and checks its predicate;
deadlines take the contract's lock first (`cej.locking`) and mark it changed; a plenary marks
every contract of its territory changed (their pages name it)."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Deadline, FeedToken, Plenary
from agenda.permissions import can_manage_deadlines, can_manage_plenaries
from cej.locking import lock_contract
from cej.models import Contract
from cej.page_cache import mark_contract_changed, mark_contracts_changed


def _require(decision) -> None:
    allowed, reason = decision
    if not allowed:
        raise PermissionDenied(reason)


def _territory_changed(territory_id: int) -> None:
    mark_contracts_changed(Contract.objects.filter(territory_id=territory_id))


@transaction.atomic
def plenary_save(
    *,
    contract: Contract,
    held_on: datetime.date,
    place: str = "",
    note: str = "",
    plenary: Plenary | None = None,
    by,
    system: bool = False,
) -> Plenary:
    """Add a plenary to the territory of `contract` (whose page the coordinator is on), or
    change `plenary` (of that territory)."""
    if not system:  # the application itself writes (the demo), as no one
        _require(can_manage_plenaries(by, contract))
    if plenary is None:
        plenary = Plenary(territory_id=contract.territory_id)
    elif plenary.territory_id != contract.territory_id:
        raise PermissionDenied(_("Cette séance n'est pas celle de ce territoire."))
    plenary.held_on, plenary.place, plenary.note = held_on, place.strip(), note.strip()
    if (
        Plenary.objects.filter(territory_id=plenary.territory_id, held_on=held_on)
        .exclude(pk=plenary.pk)
        .exists()
    ):
        raise ValidationError(
            {"held_on": _("Une séance est déjà prévue ce jour-là dans ce territoire.")}
        )
    plenary.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            plenary.save()
    except IntegrityError as error:  # the same day added at once by someone else
        raise ValidationError(
            {"held_on": _("Une séance est déjà prévue ce jour-là dans ce territoire.")}
        ) from error
    _territory_changed(plenary.territory_id)
    return plenary


@transaction.atomic
def plenary_delete(*, contract: Contract, plenary: Plenary, by) -> None:
    _require(can_manage_plenaries(by, contract))
    if plenary.territory_id != contract.territory_id:
        raise PermissionDenied(_("Cette séance n'est pas celle de ce territoire."))
    plenary.delete()
    _territory_changed(contract.territory_id)


@transaction.atomic
def deadline_save(
    *,
    contract: Contract,
    due_on: datetime.date,
    title: str,
    description: str = "",
    visibility: str,
    responsible=None,
    deadline: Deadline | None = None,
    by,
    system: bool = False,
) -> Deadline:
    """Add a deadline to `contract`, or change `deadline` (of that contract). A responsible
    organisation must be party to the contract: its users are reminded."""
    contract = lock_contract(contract.pk)
    if not system:  # the application itself writes (the demo), as no one
        _require(can_manage_deadlines(by, contract))
    if deadline is None:
        deadline = Deadline(contract=contract, created_by=by)
    elif deadline.contract_id != contract.pk:
        raise PermissionDenied(_("Cette échéance n'est pas celle de ce contrat."))
    if responsible is not None and not contract.parties.filter(partner=responsible).exists():
        raise ValidationError({"responsible": _("Cet organisme n'est pas partie au contrat.")})
    deadline.due_on, deadline.title = due_on, title.strip()
    deadline.description, deadline.visibility = description.strip(), visibility
    deadline.responsible = responsible
    deadline.full_clean(exclude=["contract", "created_by"])
    deadline.save()
    mark_contract_changed(contract.pk)
    return deadline


@transaction.atomic
def deadline_close(
    *,
    contract: Contract,
    deadline: Deadline,
    done_on: datetime.date | None,
    by,
    system: bool = False,
) -> Deadline:
    """Mark the deadline done on `done_on` (no more reminders), or reopen it with None."""
    contract = lock_contract(contract.pk)
    if not system:  # the application itself writes (the demo), as no one
        _require(can_manage_deadlines(by, contract))
    if deadline.contract_id != contract.pk:
        raise PermissionDenied(_("Cette échéance n'est pas celle de ce contrat."))
    deadline.done_on = done_on
    deadline.save(update_fields=["done_on"])
    mark_contract_changed(contract.pk)
    return deadline


@transaction.atomic
def deadline_delete(*, contract: Contract, deadline: Deadline, by) -> None:
    contract = lock_contract(contract.pk)
    _require(can_manage_deadlines(by, contract))
    if deadline.contract_id != contract.pk:
        raise PermissionDenied(_("Cette échéance n'est pas celle de ce contrat."))
    deadline.delete()
    mark_contract_changed(contract.pk)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_token_create(*, user) -> str:
    """A new secret for the person's feed, returned once (only its hash is kept); any
    earlier address of theirs stops working."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Connectez-vous pour obtenir un lien d'agenda."))
    feed_token_revoke(user=user)
    token = secrets.token_urlsafe(32)
    FeedToken.objects.create(user=user, token_hash=token_hash(token))
    return token


@transaction.atomic
def feed_token_revoke(*, user) -> int:
    """End every live address of the person's feed; returns how many were live."""
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
