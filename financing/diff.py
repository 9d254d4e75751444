"""Readable differences between two versions of a budget line: field by field, as people
read them (names, amounts in euros). The marking is `cej.versioning`'s."""

from django.utils.translation import gettext as _

from cej.money import format_eur
from cej.versioning import FieldChange, diff_rows


def diff_line_snapshots(before: dict, after: dict) -> list[FieldChange]:
    """Field by field, as people read them (names, amounts in euros). The label's changed
    words are marked; any other value is marked whole (« 30 000,00 € » → « 31 000,00 € »
    changes an amount, not the digits « 30 »)."""

    def money(snapshot, value):
        return format_eur(value) if value is not None and snapshot else ""

    rows = [
        (_("Année"), str(before.get("year", "")), str(after.get("year", "")), False),
        (_("Poste"), before.get("post", ""), after.get("post", ""), False),
        (_("Fiche financée"), before.get("fiche", ""), after.get("fiche", ""), False),
        (_("Libellé"), before.get("label", ""), after.get("label", ""), True),
        (
            _("Montant prévu"),
            money(before, before.get("amount")),
            money(after, after.get("amount")),
            False,
        ),
    ]
    names = {**before.get("partners", {}), **after.get("partners", {})}
    old, new = before.get("contributions", {}), after.get("contributions", {})
    for partner_id, name in sorted(names.items(), key=lambda item: item[1]):
        rows.append(
            (
                _("Contribution %(partner)s") % {"partner": name},
                money(before, old.get(partner_id, "0.00")),
                money(after, new.get(partner_id, "0.00")),
                False,
            )
        )
    return diff_rows(rows)
