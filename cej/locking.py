"""The one write lock of the house: a contract's row, taken first by every service that writes
anything of the contract (its fiches, budget lines, payments, signatures, documents, parties).

Why the contract row, and why first:
- two writes of one contract are serialised, so a check that spans rows (a year's lines
  against the annual envelope, the last signature sealing the contract, the next fiche
  number) sees the other writer's result, never a half of it;
- every service takes the same row before any other row of the contract, so no two of them
  can hold locks in opposite orders: they cannot deadlock.

Taking it does not mark the contract changed: a service does that explicitly
(`cej.page_cache.mark_contract_changed`) once it has written something. On SQLite, which
locks the whole file for a writing transaction, `SELECT … FOR UPDATE` is a no-op and the
serialisation comes from the file lock."""

from django.db import transaction

from cej.models import Contract


def lock_contract(contract_id: int) -> Contract | None:
    """Lock the contract's row until the end of the current transaction and return it as
    stored then (with its territory), or None if it is gone. Call it inside
    `transaction.atomic`, before reading or writing any other row of the contract."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_contract() must run inside transaction.atomic.")
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("territory")
        .filter(pk=contract_id)
        .first()
    )
