"""Reads of the contract domain: chainable, scoped querysets."""

from django.db import models
from django.db.models import Q


def contract_scope_q(user) -> Q:
    """Contracts a user may see: those of the territories they work for (CDAJE and finance
    staff) and those their partner is party to (partner users). What the user belongs to is
    read once per request (`load_viewer`), so the condition joins no table of users."""
    from cej.auth_backends import load_viewer
    from cej.models import ContractParty

    load_viewer(user)
    scope = Q(territory_id__in=sorted(user._cej_territory_ids))
    if user._cej_partner_ids:
        parties = ContractParty.objects.filter(partner_id__in=sorted(user._cej_partner_ids))
        scope |= Q(pk__in=parties.values("contract_id"))
    return scope


def user_sees_everything(user) -> bool:
    return user.is_active and user.is_superuser


class ContractQuerySet(models.QuerySet):
    def for_user(self, user):
        """Contracts in the user's scope; anything else is simply absent (so views answer 404)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user_sees_everything(user):
            return self
        return self.filter(contract_scope_q(user))

    def with_territory(self):
        return self.select_related("territory", "predecessor")


class ScopedByContractQuerySet(models.QuerySet):
    """For models that hang off a contract through `contract_path` (e.g. `"contract__"`)."""

    contract_path = "contract__"

    def for_user(self, user):
        from cej.models import Contract

        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user_sees_everything(user):
            return self
        contracts = Contract.objects.for_user(user).values("pk")
        return self.filter(**{f"{self.contract_path}in": contracts})


class DocumentQuerySet(ScopedByContractQuerySet):
    def with_download_count(self):
        """`download_count`: downloads actually served (refusals are not counted)."""
        from cej.models import DownloadOutcome

        return self.annotate(
            download_count=models.Count(
                "downloads", filter=Q(downloads__outcome=DownloadOutcome.SERVED)
            )
        )
