"""Authorization matrix rows of issue 21's auditor's dossier: `/contracts/<slug>/dossier.zip`
on the signed Loire contract. The administrator, the CDAJE coordination of the territory
(`cdaje`) and the partners' users (`partner-caf`) take it; the finance officer sees the
contract but is told, in French, who may take its dossier; out of scope is the 404 of a
missing contract. Reading only: each download adds a row to the dossier log, which no row
here observes (a GET that succeeds records it, as it must). The consolidated version in it
is not laid out by WeasyPrint here (`layout=False`): its HTML is rendered for each viewer."""

from django.urls import reverse

from tests.authz.cells import GET, LOGIN, POST, Expect, Scenario

RESERVED = Expect(
    403,
    says=("Le dossier de contrôle est réservé aux administrateurs",),
    label="RESERVED",
)


def _demo_files(world):
    """The matrix's world replays the sealed documents into its storage, not the files the
    session's demo stored (its adopted reviews' PDFs): without them the dossier is refused
    (409), as it must be when a stored document is missing."""
    from tests import conftest

    conftest._WORLD.store_documents()


# fmt: off
MATRIX_ROWS: dict = {
    # row                 method  anon.  cdaje finance   partner outsid. elsew. admin
    ("contract_dossier",  GET):  (LOGIN, 200,  RESERVED, 200,    404,    404,   200),
    ("contract_dossier",  POST): (LOGIN, 405,  405,      405,    405,    405,   405),
}
# fmt: on

SCENARIOS: dict = {
    "contract_dossier": Scenario(
        url=lambda world: reverse("contract_dossier", kwargs={"slug": world.contract.slug}),
        prepare=_demo_files,
        layout=False,
    ),
}
