"""Small helpers shared by the admin modules."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from cej.locking import lock_contract
from cej.models import FROZEN_STATUSES, Contract
from cej.money import format_eur
from cej.page_cache import mark_contract_changed
from cej.permissions import content_change_refusal, frozen_refusal
from cej.versioning import VersionConflict


def eur_column(field: str, description: str):
    """A changelist column showing a money field the French way (`198 000,00 €`)."""

    @admin.display(description=description, ordering=field)
    def column(obj):
        return format_eur(getattr(obj, field))

    column.__name__ = f"{field}_eur"
    return column


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records written only by the application's services (versions, signatures, the
    download log): the admin lists and shows them, and never adds, changes or deletes one."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefusalsAsMessages:
    """An admin whose writes may be refused once the change is under way (by a service, or by
    the contract's state read under its lock): the view runs in one transaction, undone on
    a refusal, which comes back as an error message on the page it was made from.
    `refusals` are the exceptions shown so. A page that is only read writes nothing: what it
    raises stays what it is (Django's own PermissionDenied of a page the admin does not
    offer, an add form where nothing is added here, is a 403, not a redirect to itself)."""

    refusals: tuple[type[Exception], ...] = (ValidationError, PermissionDenied, VersionConflict)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusals_as_messages(
            request, super().changeform_view, request, object_id, form_url, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusals_as_messages(
            request, super().delete_view, request, object_id, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        # The « delete selected » action too.
        return self._refusals_as_messages(request, super().changelist_view, request, extra_context)

    def _refusals_as_messages(self, request, view, *args):
        if request.method in ("GET", "HEAD"):
            return view(*args)
        try:
            with transaction.atomic():
                return view(*args)
        except self.refusals as refusal:
            self.message_user(request, refusal_message(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent and written only by the application's services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContractRefused(PermissionDenied):
    """A change of a contract's row that the contract's state forbids: a signed contract's
    content changes only through an avenant, an expired or terminated one not at all."""


class ContractDataAdmin(RefusalsAsMessages, admin.ModelAdmin):
    """The admin of rows that belong to a contract (the contract itself, its parties, annex
    conventions, objectives, documents): a save or deletion takes the contract's lock first
    and marks the contract changed, as the services do (`cej.locking`, `cej.page_cache`) —
    the admin's change and delete views each run in one transaction.

    It also refuses what the services refuse. The rows are the contract's content
    (`contract_content`): once it is signed they change only through an avenant
    (`cej.permissions.content_change_refusal`, whose reason names the avenant's page); an
    expired or terminated contract is frozen entirely, its documents included. The refusal
    is read on the contract as stored, under its lock, before anything is written; it undoes
    the whole change (inlines included) and is shown as an error message.

    Models with a service of their own (fiches, budget lines, payments) save through it
    instead (`ThroughServicesAdmin`). `contract_field` is the row's path to its contract's
    id."""

    contract_field = "contract_id"
    # False for rows kept beside the contract rather than agreed in it (its documents): only
    # a frozen contract refuses them.
    contract_content = True
    refusals = (ContractRefused,)

    def contract_ids(self, obj, form=None) -> list[int]:
        """The contract the row belongs to, and the one it belonged to before this change."""
        ids = {getattr(obj, self.contract_field, None)}
        if form is not None and self.contract_field == "contract_id":
            ids.add(getattr(form.initial.get("contract"), "pk", form.initial.get("contract")))
        return sorted(i for i in ids if i)

    def change_refusal(self, contract, form=None) -> str:
        """Why a change of this row of `contract` (as stored) is refused, or "". `form` is
        the row's own form when the row itself is saved; None for its deletion, or for a
        change made in its inlines."""
        if self.contract_content:
            return content_change_refusal(contract)
        return frozen_refusal(contract) if contract.status in FROZEN_STATUSES else ""

    def delete_refusal(self, contract) -> str:
        return self.change_refusal(contract)

    def _lock(self, contract_ids, check) -> dict:
        """Lock the contracts, in one order (ascending ids); refuse if `check` (a function of
        a stored contract) gives a reason. Returns the contracts as stored."""
        stored = {}
        for contract_id in contract_ids:
            contract = lock_contract(contract_id)
            if contract is None:
                continue
            if refusal := check(contract):
                raise ContractRefused(refusal)
            stored[contract_id] = contract
        return stored

    def save_model(self, request, obj, form, change):
        before = self.contract_ids(obj, form)
        unchanged = change and not form.has_changed()
        # Kept with the form: its inlines are checked against the contract as it was before
        # this very save (which may end it: signed → terminated).
        form.cej_contracts_before = self._lock(
            before, lambda contract: "" if unchanged else self.change_refusal(contract, form)
        )
        super().save_model(request, obj, form, change)
        for contract_id in sorted({*before, *self.contract_ids(obj)}):
            mark_contract_changed(contract_id)

    def save_formset(self, request, form, formset, change):
        if formset.has_changed():
            for contract in getattr(form, "cej_contracts_before", {}).values():
                if refusal := self.change_refusal(contract):
                    raise ContractRefused(refusal)
        super().save_formset(request, form, formset, change)
        for contract_id in self.contract_ids(form.instance):
            mark_contract_changed(contract_id)

    def delete_view(self, request, object_id, extra_context=None):
        """A row the contract's state keeps is not offered for deletion: back to its page,
        with the reason (checked again under the lock if the deletion is posted anyway)."""
        obj = self.get_object(request, unquote(object_id))
        contracts = Contract.objects.filter(pk__in=self.contract_ids(obj)) if obj else []
        for contract in contracts:
            if refusal := self.delete_refusal(contract):
                self.message_user(request, refusal, messages.ERROR)
                opts = self.opts
                return HttpResponseRedirect(
                    reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_change",
                        args=[quote(obj.pk)],
                        current_app=self.admin_site.name,
                    )
                )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        contract_ids = self.contract_ids(obj)
        self._lock(contract_ids, self.delete_refusal)
        super().delete_model(request, obj)
        for contract_id in contract_ids:
            mark_contract_changed(contract_id)

    def delete_queryset(self, request, queryset):
        contract_ids = sorted({i for obj in queryset for i in self.contract_ids(obj)})
        with transaction.atomic():
            self._lock(contract_ids, self.delete_refusal)
            super().delete_queryset(request, queryset)
            for contract_id in contract_ids:
                mark_contract_changed(contract_id)


class ThroughServicesAdmin(RefusalsAsMessages, admin.ModelAdmin):
    """The admin of a record written by a service of its own (a fiche, a budget line, a
    payment): `save_model` and `save_related` call the service, with its lock, its version
    check, its rules and its history, instead of saving the form. The form checks the
    version and the rules first, so a refusal keeps what was typed; a refusal that only the
    service can see (someone saved in the very same instant) undoes everything and comes
    back as an error message on the form's page."""


def refusal_message(refusal) -> str:
    if isinstance(refusal, VersionConflict):
        return gettext(
            "%(who)s a enregistré une autre version entre-temps : rien n'a été enregistré. "
            "Voici la version enregistrée ; reportez-y vos modifications."
        ) % {"who": refusal.who}
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    return str(refusal) or gettext("Vous n'avez pas le droit de faire cette modification.")


class VersionedAdminForm(forms.ModelForm):
    """The admin form of a versioned record (`cej.models.versioning.Versioned`):
    `base_version` is the version the administrator started from; a record saved by someone
    else since, or deleted, is refused here, with what was typed kept on the form."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            stored = (
                type(self.instance)
                .objects.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if stored is None or cleaned.get("base_version") != stored:
                raise ValidationError(
                    gettext(
                        "« %(record)s » a été modifié ou supprimé depuis l'ouverture de ce "
                        "formulaire (version enregistrée : %(number)s) : rien n'a été "
                        "enregistré. Rechargez la page pour partir de la version enregistrée."
                    )
                    % {"record": self.instance, "number": stored or "—"}
                )
        return cleaned
