"""The forecast financing of an avenant's lines, computed, never stored with the proposal: a
proposed line carries its forecast expenses, its other receipts and whether the action is
carried over from the previous contract; each funder's PSEJ and the beneficiary's own share
follow from the contract's terms by `financing.psej`, as `financing.services.forecast_shares`
computes them when the line is saved. And the comparison of a line before and after the
avenant, row by row as people read it (amounts in euros, the PSEJ of each funder)."""

from decimal import Decimal

from django.utils.html import escape
from django.utils.translation import gettext as _

from cej.money import ZERO, format_eur, round_money
from cej.versioning import FieldChange, diff_rows, whole_diff
from financing.psej import Plan, plan
from financing.terms import ContractTerms


def proposed_plan(proposed, terms: ContractTerms) -> Plan:
    """The financing plan the line would have once the avenant is signed (`proposed`: a
    `ProposedLine`): the funders' terms of its *poste*'s instrument."""
    return plan(
        expenses=proposed.amount,
        receipts=proposed.other_receipts,
        continued=proposed.continued,
        terms=terms.by_instrument.get(proposed.post.instrument, ()),
    )


def plan_shares(financing: Plan, terms: ContractTerms) -> dict[int, Decimal]:
    """Each party's forecast share, by partner id, as the line's `Contribution` rows would
    store it: each funder's PSEJ, then the beneficiary's own share."""
    shares = dict(financing.psej)
    if terms.beneficiary_id is not None:
        shares[terms.beneficiary_id] = financing.own_share
    return shares


def shares_label(shares: dict[int, Decimal], terms: ContractTerms, names: dict[int, str]) -> str:
    """« PSEJ CAF 12 150,00 € · PSEJ MSA 1 350,00 € · part du bénéficiaire (Département)
    11 500,00 € »."""
    return " · ".join(
        f"{label}\u00a0{format_eur(amount)}"
        for label, amount in _labelled(
            {str(k): v for k, v in shares.items()}, terms, names, keep_zero=True
        )
    )


def snapshot(proposed, shares: dict[int, Decimal], *, fiche: str) -> dict:
    """A proposed line in the shape of `financing.services.line_snapshot`, to compare."""
    return {
        "year": proposed.year,
        "post": str(proposed.post),
        "fiche": fiche,
        "label": proposed.label,
        "amount": str(round_money(proposed.amount)),
        "other_receipts": str(round_money(proposed.other_receipts)),
        "continued": bool(proposed.continued),
        "contributions": {str(k): str(v) for k, v in shares.items()},
    }


def stored_snapshot(line) -> dict:
    """A stored line (its fiche, post and forecast shares read already) in the same shape."""
    return {
        "year": line.year,
        "post": str(line.post),
        "fiche": str(line.fiche) if line.fiche_id else "",
        "label": line.label,
        "amount": str(round_money(line.amount)),
        "other_receipts": str(round_money(line.other_receipts or 0)),
        "continued": bool(line.continued),
        "contributions": {str(c.partner_id): str(c.amount) for c in line.contributions.all()},
    }


def _labelled(shares: dict[str, object], terms: ContractTerms, names, *, keep_zero=False):
    """(label, amount) of each share: the funders' PSEJ in the terms' order, the beneficiary's
    own share, then any other party's (a line saved before the roles existed)."""
    result = []
    for key in sorted(shares, key=lambda k: _position(k, terms)):
        amount = Decimal(str(shares[key]))
        if not amount and not keep_zero:
            continue
        result.append((_share_label(int(key), terms, names), amount))
    return result


def _position(key, terms: ContractTerms) -> tuple[int, int]:
    order = [*terms.funder_ids, terms.beneficiary_id]
    partner_id = int(key)
    return (order.index(partner_id) if partner_id in order else len(order), partner_id)


def _share_label(partner_id: int, terms: ContractTerms, names) -> str:
    name = names.get(partner_id, "?")
    if partner_id in terms.funder_ids:
        return _("PSEJ %(funder)s") % {"funder": name}
    if partner_id == terms.beneficiary_id:
        return _("part du bénéficiaire (%(name)s)") % {"name": name}
    return _("contribution %(partner)s") % {"partner": name}


def compare(before: dict, after: dict, terms: ContractTerms, names) -> list[FieldChange]:
    """The rows that differ between two snapshots (empty: no line on that side), then every
    party's forecast share before and after. Snapshots kept before lines had other receipts
    and a continued flag read as 0,00 € and a new action."""

    def money(snap, key):
        return format_eur(Decimal(snap.get(key) or "0.00")) if snap else ""

    def net(snap):
        if not snap:
            return ""
        cost = Decimal(snap.get("amount") or "0") - Decimal(snap.get("other_receipts") or "0")
        return format_eur(max(cost, ZERO))

    def continued(snap):
        if not snap:
            return ""
        return _("oui (action antérieure)") if snap.get("continued") else _("non (action nouvelle)")

    rows = [
        (_("Année"), str(before.get("year", "")), str(after.get("year", "")), False),
        (_("Poste"), before.get("post", ""), after.get("post", ""), False),
        (_("Fiche financée"), before.get("fiche", ""), after.get("fiche", ""), False),
        (_("Libellé"), before.get("label", ""), after.get("label", ""), True),
        (_("Dépenses prévues"), money(before, "amount"), money(after, "amount"), False),
        (
            _("Autres recettes prévues"),
            money(before, "other_receipts"),
            money(after, "other_receipts"),
            False,
        ),
        (_("Reste à charge"), net(before), net(after), False),
        (_("Action reconduite du contrat précédent"), continued(before), continued(after), False),
    ]
    changes = diff_rows(rows)
    # Each party's share, shown even when the change leaves it alone (a PSEJ held at its
    # ceiling): the financing is what the parties read the line for.
    old, new = before.get("contributions", {}), after.get("contributions", {})
    for key in sorted({*old, *new}, key=lambda k: _position(k, terms)):
        label = _share_label(int(key), terms, names)
        was = format_eur(Decimal(old.get(key, "0.00"))) if before else ""
        now = format_eur(Decimal(new.get(key, "0.00"))) if after else ""
        marked = whole_diff(was, now) if was != now else (escape(was), escape(now))
        changes.append(FieldChange(label[:1].upper() + label[1:], *marked))
    return changes
