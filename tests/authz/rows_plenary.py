"""Authorization matrix rows of issue 20's plenary pack: `MATRIX_ROWS` (the expected outcome
per viewer, columns as in tests/test_authorization_matrix.py) and `SCENARIOS` (see
tests/authz/scenarios.py). Merged into the matrix there.

A plenary belongs to a territory: whoever sees a contract of the Loire reads its plenaries'
agenda and pack (the CDAJE agent, the finance officer, a partner party to a Loire contract);
for the Rhône's agent and partner a Loire plenary does not exist. Both pages only read: any
other method is refused."""

import datetime

from django.urls import reverse

from tests.authz.cells import GET, LOGIN, POST, Scenario

# The pack is laid out for the CDAJE agent only (tests/authz/cells.py, `layout`).
ONE_LAYOUT = ("cdaje",)
HELD_ON = datetime.date(2018, 3, 13)


def _plenary(world):
    from agenda.models import Plenary

    plenary, _created = Plenary.objects.get_or_create(
        territory=world.contract.territory, held_on=HELD_ON, defaults={"place": "Saint-Étienne"}
    )
    return plenary


def _url(name):
    return lambda world: reverse(name, kwargs={"pk": _plenary(world).pk})


READ = (LOGIN, 200, 200, 200, 404, 404, 200)
NOT_GET = (LOGIN, 405, 405, 405, 405, 405, 405)

# fmt: off
MATRIX_ROWS: dict = {
    # row                                  method  anon. cdaje finance partner outsid. elsew. admin
    ("plenary_detail",                     GET):  READ,
    ("plenary_detail",                     POST): NOT_GET,
    ("plenary_pack_pdf",                   GET):  READ,
    ("plenary_pack_pdf",                   POST): NOT_GET,
}
# fmt: on

SCENARIOS: dict = {
    "plenary_detail": Scenario(url=_url("plenary_detail")),
    "plenary_pack_pdf": Scenario(url=_url("plenary_pack_pdf"), layout=ONE_LAYOUT),
}
