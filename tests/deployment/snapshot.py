"""What a backup must bring back, read through the application in the process of an
instance (`manage.py shell`): the demo contract's budget per year (planned, committed, paid,
as the budget page sums them), the funders' payments (the money cycle), its fiches and their
versions, the accounts, and each stored document with its recorded SHA-256 and the SHA-256
of the bytes the download path serves.

Run as `manage.py shell --no-imports -c "from tests.deployment.snapshot import main; main()"`;
prints one JSON object."""

import json

DEMO_SLUG = "cej-loire-2014-2017"
COMMAND = "from tests.deployment.snapshot import main; main()"


def snapshot() -> dict:
    from django.contrib.auth import get_user_model

    from cej.documents import DocumentUnavailable, document_read_verified, sha256_of
    from cej.models import Contract, Document
    from fiches.models import Fiche, FicheVersion
    from financing.models import FunderPayment
    from financing.selectors import budget_report

    contract = Contract.objects.get(slug=DEMO_SLUG)
    report = budget_report(contract)

    def figures(f):
        return {"planned": str(f.planned), "committed": str(f.committed), "paid": str(f.paid)}

    documents = []
    for document in Document.objects.filter(contract__slug=DEMO_SLUG).order_by("kind", "title"):
        try:
            served = sha256_of(document_read_verified(document))
        except DocumentUnavailable as refusal:
            served = f"refused: {refusal.outcome}"
        documents.append(
            {
                "kind": document.kind,
                "title": document.title,
                "sealed": document.sealed,
                "size": document.size,
                "sha256": document.sha256,
                "served_sha256": served,
            }
        )
    fiches = Fiche.objects.filter(contract=contract)
    return {
        "contract": {
            "title": contract.title,
            "status": contract.status,
            "signed_on": contract.signed_on.isoformat(),
        },
        "per_year": {f.label: figures(f) for f in report.per_year},
        "total": figures(report.total),
        "funder_payments": [
            [p.funder.short_name, p.year, p.kind, str(p.amount), p.reference]
            for p in FunderPayment.objects.filter(contract=contract)
            .select_related("funder")
            .order_by("funder__short_name", "year", "received_on", "pk")
        ],
        "fiches": fiches.count(),
        "fiche_versions": FicheVersion.objects.filter(fiche__contract=contract).count(),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
        "documents": documents,
    }


def main() -> None:
    print(json.dumps(snapshot(), sort_keys=True))
