"""Authorization matrix rows of issue 21's JSON API, contract core (api/urls_core.py):
`MATRIX_ROWS` (columns as in tests/test_authorization_matrix.py) and `SCENARIOS`.

Every route reads, as the pages it mirrors: whoever sees the signed Loire contract gets 200;
nobody logged in gets 401 (the API answers, it does not redirect to a login page); out of
scope, the 404 of a contract that does not exist, byte for byte. Nothing here writes: a
POST is 405 for whoever is logged in (DRF refuses the method after authenticating, before
any lookup, so the answer says nothing of the contract). A document's id at the Rhône
contract's address is not found, even by the Rhône's own staff. The download serves the
sealed signed contract, its bytes checked against their SHA-256."""

from django.urls import reverse

from tests.authz.cells import POST, Scenario
from tests.authz.world import RHONE_SLUG

GET = "GET"

READ = (401, 200, 200, 200, 404, 404, 200)
NOT_POST = (401, 405, 405, 405, 405, 405, 405)
NOWHERE = (401, 404, 404, 404, 404, 404, 404)

ROUTES = {
    "api:party_list": {},
    "api:objective_list": {},
    "api:fiche_list": {},
    "api:fiche_detail": {"number": lambda w: w.signed_fiche.number},
    "api:fiche_versions": {"number": lambda w: w.signed_fiche.number},
    "api:indicator_list": {},
    "api:review_list": {},
    "api:review_detail": {"year": lambda w: 2016},
    "api:avenant_list": {},
    "api:avenant_detail": {"number": lambda w: w.amendment.number},
    "api:document_list": {},
    "api:document_detail": {"pk": lambda w: w.document.pk},
    "api:document_download": {"pk": lambda w: w.document.pk},
}


def _url(name, params, slug=None):
    def build(world):
        kwargs = {"slug": slug or world.contract.slug, **{k: v(world) for k, v in params.items()}}
        return reverse(name, kwargs=kwargs)

    return build


MATRIX_ROWS: dict = {}
SCENARIOS: dict = {}
for _name, _params in ROUTES.items():
    MATRIX_ROWS[_name, GET] = READ
    MATRIX_ROWS[_name, POST] = NOT_POST
    SCENARIOS[_name] = Scenario(url=_url(_name, _params))
for _name in ("api:document_detail", "api:document_download"):
    MATRIX_ROWS[f"{_name}[Rhône]", GET] = NOWHERE
    SCENARIOS[f"{_name}[Rhône]"] = Scenario(url=_url(_name, ROUTES[_name], slug=RHONE_SLUG))
