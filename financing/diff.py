"""Readable differences between two versions of a budget line: field by field, as people
read them (names, amounts in euros). The marking is `cej.versioning`'s.

A version saved before the financing plan existed lacks its keys: its other receipts were
none and its action new (the fields' defaults), its actual figures undeclared. Its
`contributions` were then typed per partner; since, they are the forecast shares computed
from the contract's terms, named here as such."""

from django.utils.translation import gettext as _

from cej.money import format_eur
from cej.versioning import FieldChange, diff_rows
from financing.line_selectors import share_label

# Keys added with the financing plan, and what a version saved before them stands for.
PLAN_DEFAULTS = {"other_receipts": "0.00", "continued": False}


def diff_line_snapshots(before: dict, after: dict, *, beneficiary_id=None) -> list[FieldChange]:
    """Field by field, as people read them (names, amounts in euros). The label's changed
    words are marked; any other value is marked whole (« 30 000,00 € » → « 31 000,00 € »
    changes an amount, not the digits « 30 »). `beneficiary_id`: the contract's beneficiary,
    whose share is its own part rather than a PSEJ."""

    def value(snapshot, key):
        return snapshot.get(key, PLAN_DEFAULTS.get(key))

    def money(snapshot, amount):
        return format_eur(amount) if amount is not None and snapshot else ""

    def money_row(label, key):
        return (label, money(before, value(before, key)), money(after, value(after, key)), False)

    def yes_no(snapshot):
        if not snapshot:
            return ""
        return _("oui") if value(snapshot, "continued") else _("non")

    rows = [
        (_("Année"), str(before.get("year", "")), str(after.get("year", "")), False),
        (_("Poste"), before.get("post", ""), after.get("post", ""), False),
        (_("Fiche financée"), before.get("fiche", ""), after.get("fiche", ""), False),
        (_("Libellé"), before.get("label", ""), after.get("label", ""), True),
        money_row(_("Montant prévu"), "amount"),
        money_row(_("Autres recettes prévues"), "other_receipts"),
        (_("Action antérieure"), yes_no(before), yes_no(after), False),
    ]
    names = {**before.get("partners", {}), **after.get("partners", {})}
    old, new = before.get("contributions", {}), after.get("contributions", {})
    beneficiary = None if beneficiary_id is None else str(beneficiary_id)
    # The funders first (by name), then the beneficiary's own share.
    for partner_id, name in sorted(names.items(), key=lambda i: (i[0] == beneficiary, i[1])):
        share = share_label(name, beneficiary=partner_id == beneficiary)
        rows.append(
            (
                _("Financement prévisionnel : %(share)s") % {"share": share},
                money(before, old.get(partner_id, "0.00")),
                money(after, new.get(partner_id, "0.00")),
                False,
            )
        )
    rows += [
        money_row(_("Dépenses réalisées"), "actual_expenses"),
        money_row(_("Autres recettes réalisées"), "actual_receipts"),
    ]
    return diff_rows(rows)
