"""What the financing API tests share: the demo's addresses, a client with a personal access
token (`Authorization: Bearer …`), the state a refused write must leave as it was."""

from django.test import Client

from financing.models import BudgetLine, BudgetLineVersion, FunderPayment
from tests.api.platform_helpers import client_with_token

SLUG = "cej-loire-2014-2017"
BASE = f"/api/v1/contracts/{SLUG}/"


def line_url(line_or_pk, suffix: str = "", slug: str = SLUG) -> str:
    pk = getattr(line_or_pk, "pk", line_or_pk)
    return f"/api/v1/contracts/{slug}/budget-lines/{pk}/{suffix}"


def token_client(user, *, read_only: bool = False) -> Client:
    """A client that authenticates as a program does: by its token, no session. Read-write
    unless asked: these tests push the execution."""
    return client_with_token(user, read_only=read_only, name="SI du partenaire")


def money_state(contract):
    """Everything the writes could change."""
    return (
        sorted(
            BudgetLine.objects.filter(contract=contract).values_list(
                "pk", "version", "actual_expenses", "actual_receipts"
            )
        ),
        BudgetLineVersion.objects.filter(contract=contract).count(),
        sorted(
            FunderPayment.objects.filter(contract=contract).values_list(
                "pk", "funder_id", "year", "kind", "amount", "reference", "note"
            )
        ),
    )
