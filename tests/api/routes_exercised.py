"""The API's writes that the tests of this directory call successfully, for the test that
checks every route of the schema is exercised: (path as in the schema, method). The
financing ones are called with valid payloads by tests/api/test_financing_writes.py (which
asserts this list against what it did), tests/api/test_financing_indicators.py, and by the
authorization matrix
(tests/authz/rows_api_financing.py)."""

WRITE_ROUTES_EXERCISED = (
    ("/api/v1/contracts/{slug}/budget-lines/{id}/actual/", "POST"),
    ("/api/v1/contracts/{slug}/payments/", "POST"),
    ("/api/v1/contracts/{slug}/fiches/{number}/indicators/{indicator}/actual/", "POST"),
)
