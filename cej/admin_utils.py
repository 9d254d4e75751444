"""Small helpers shared by the admin modules."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext

from cej.locking import lock_contract
from cej.money import format_eur
from cej.page_cache import mark_contract_changed
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


class ContractDataAdmin(admin.ModelAdmin):
    """The admin of rows that belong to a contract (the contract itself, its parties, annex
    conventions, amendments, objectives, documents): a save or deletion takes the contract's
    lock first and marks the contract changed, as the services do (`cej.locking`,
    `cej.page_cache`) — the admin's change and delete views each run in one transaction.
    Models with a service of their own (fiches, budget lines, payments) save through it
    instead. `contract_field` is the row's path to its contract's id."""

    contract_field = "contract_id"

    def contract_ids(self, obj, form=None) -> list[int]:
        """The contract the row belongs to, and the one it belonged to before this change."""
        ids = {getattr(obj, self.contract_field, None)}
        if form is not None and self.contract_field == "contract_id":
            ids.add(getattr(form.initial.get("contract"), "pk", form.initial.get("contract")))
        return sorted(i for i in ids if i)

    def save_model(self, request, obj, form, change):
        before = self.contract_ids(obj, form)
        for contract_id in before:
            lock_contract(contract_id)
        super().save_model(request, obj, form, change)
        for contract_id in sorted({*before, *self.contract_ids(obj)}):
            mark_contract_changed(contract_id)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for contract_id in self.contract_ids(form.instance):
            mark_contract_changed(contract_id)

    def delete_model(self, request, obj):
        contract_ids = self.contract_ids(obj)
        for contract_id in contract_ids:
            lock_contract(contract_id)
        super().delete_model(request, obj)
        for contract_id in contract_ids:
            mark_contract_changed(contract_id)

    def delete_queryset(self, request, queryset):
        contract_ids = sorted({i for obj in queryset for i in self.contract_ids(obj)})
        with transaction.atomic():
            for contract_id in contract_ids:  # in one order: ascending ids
                lock_contract(contract_id)
            super().delete_queryset(request, queryset)
            for contract_id in contract_ids:
                mark_contract_changed(contract_id)


class ThroughServicesAdmin(admin.ModelAdmin):
    """The admin of a record written by a service of its own (a fiche, a budget line, a
    payment): `save_model` and `save_related` call the service, with its lock, its version
    check, its rules and its history, instead of saving the form. The form checks the
    version and the rules first, so a refusal keeps what was typed; a refusal that only the
    service can see (someone saved in the very same instant) undoes everything and comes
    back as an error message on the form's page."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusals_as_messages(
            request, super().changeform_view, request, object_id, form_url, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusals_as_messages(
            request, super().delete_view, request, object_id, extra_context
        )

    def changelist_view(self, request, extra_context=None):
        # The « delete selected » action calls the services too.
        return self._refusals_as_messages(request, super().changelist_view, request, extra_context)

    def _refusals_as_messages(self, request, view, *args):
        try:
            with transaction.atomic():
                return view(*args)
        except (ValidationError, PermissionDenied, VersionConflict) as refusal:
            self.message_user(request, refusal_message(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


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
