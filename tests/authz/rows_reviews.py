"""Authorization matrix rows of issue 19's reviews pages: `MATRIX_ROWS` (the expected outcome
per viewer, columns as in tests/test_authorization_matrix.py) and `SCENARIOS` (URL, payload,
effect; see tests/authz/scenarios.py). Merged into the matrix there."""

from tests.authz.cells import Scenario  # noqa: F401

# fmt: off
MATRIX_ROWS: dict = {
    # row                            method  anon.   cdaje   finance partner outsid. elsew.  admin
}
# fmt: on

SCENARIOS: dict = {}
