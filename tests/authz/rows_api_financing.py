"""Authorization matrix rows of the financing API (issue 21): `MATRIX_ROWS` (columns as in
tests/test_authorization_matrix.py) and `SCENARIOS` (tests/authz/scenarios.py).

The API answers in JSON: nobody logged in gets 401 (no redirect to a login page); out of
scope, the same 404 as a contract that does not exist; a method the route does not take,
405. The budget, its plan and the funders' positions are read by whoever sees the contract.
The writes are the pages' and follow their rules: the actual figures of a line by the
territory's finance officers (and the administrator) once the contract is signed, refused
on the contract in preparation; a payment received by the funder's own finance officers
(`partner`, the CAF's) and the administrator. Each write is checked for its effect. This
module imports nothing of tests/authz/scenarios.py at load time (that module imports this
one)."""

from django.urls import reverse

from tests.authz.cells import GET, POST, Expect, Scenario
from tests.authz.world import RHONE_SLUG

NOBODY = Expect(401, label="401")
SAVED = Expect(200, done=True, label="SAVED")
CREATED = Expect(201, done=True, label="CREATED")
REFERENCE = "MANDAT-MATRICE-API"

# fmt: off
MATRIX_ROWS: dict = {
    # row, method                                 (anonymous, cdaje, finance, partner, outsider,
    #                                              elsewhere, admin)
    ("api:budget_line_list", GET):                (NOBODY, 200, 200, 200, 404, 404, 200),
    ("api:budget_line_list", POST):               (NOBODY, 405, 405, 405, 405, 405, 405),
    ("api:budget_line_detail", GET):              (NOBODY, 200, 200, 200, 404, 404, 200),
    ("api:budget_line_detail", POST):             (NOBODY, 405, 405, 405, 405, 405, 405),
    ("api:budget_line_detail[Rhône]", GET):       (NOBODY, 404, 404, 404, 404, 404, 404),
    ("api:budget_line_versions", GET):            (NOBODY, 200, 200, 200, 404, 404, 200),
    ("api:budget_line_versions", POST):           (NOBODY, 405, 405, 405, 405, 405, 405),
    ("api:budget_line_versions[Rhône]", GET):     (NOBODY, 404, 404, 404, 404, 404, 404),
    ("api:financing_plan", GET):                  (NOBODY, 200, 200, 200, 404, 404, 200),
    ("api:financing_plan", POST):                 (NOBODY, 405, 405, 405, 405, 405, 405),
    # Execution of the signed contract: actual figures by its finance officers…
    ("api:budget_line_actual", GET):              (NOBODY, 405, 405, 405, 405, 405, 405),
    ("api:budget_line_actual", POST):             (NOBODY, 403, SAVED, 403, 404, 404, SAVED),
    ("api:budget_line_actual[Rhône]", POST):      (NOBODY, 404, 404, 404, 404, 404, 404),
    # … never before it is signed
    ("api:budget_line_actual[preparation]", POST): (NOBODY, 403, 403, 403, 404, 404, 403),
    # … payments received by the funder's own finance officers
    ("api:funder_payments", GET):                 (NOBODY, 200, 200, 200, 404, 404, 200),
    ("api:funder_payments", POST):                (NOBODY, 403, 403, CREATED, 404, 404, CREATED),
    ("api:funder_payments[preparation]", POST):   (NOBODY, 403, 403, 403, 404, 404, 403),
    # … an indicator's actual value by CDAJE staff and the fiche's lead partner (n° 1: the CAF)
    ("api:indicator_actual", GET):                (NOBODY, 405, 405, 405, 405, 405, 405),
    ("api:indicator_actual", POST):               (NOBODY, SAVED, 403, SAVED, 404, 404, SAVED),
    ("api:indicator_actual[not lead]", POST):     (NOBODY, SAVED, 403, 403, 404, 404, SAVED),
    ("api:indicator_actual[preparation]", POST):  (NOBODY, 403, 403, 403, 404, 404, 403),
    ("api:indicator_actual[Rhône]", POST):        (NOBODY, 404, 404, 404, 404, 404, 404),
}
# fmt: on


def _signed(world):
    return world.contract


def _preparing(world):
    return world.preparation


def _url(name: str, on=_signed, line=None, slug=None):
    def build(world):
        kwargs = {"slug": slug or on(world).slug}
        if line is not None:
            kwargs["pk"] = line(world).pk
        return reverse(name, kwargs=kwargs)

    return build


def _signed_line(world):
    return world.signed_line


def _preparation_line(world):
    return world.line


def _actuals(line_of):
    def data(world, viewer):
        from financing.models import BudgetLine

        line = BudgetLine.objects.get(pk=line_of(world).pk)
        return {
            "version": line.version,
            "actual_expenses": "36512.40",
            "actual_receipts": "2950.00",
        }

    return data


def _line_state(line_of):
    def effect(world, client, viewer):
        from financing.models import BudgetLine, BudgetLineVersion

        line = BudgetLine.objects.get(pk=line_of(world).pk)
        versions = BudgetLineVersion.objects.filter(line_ref=line.pk).count()
        return line.version, line.actual_expenses, line.actual_receipts, versions

    return effect


def _payment(on):
    def data(world, viewer):
        contract = on(world)
        return {
            "funder": "caf42",
            "year": contract.start_year,
            "kind": "advance",
            "amount": "1000.00",
            "received_on": f"{contract.start_year}-07-15",
            "reference": REFERENCE,
            "note": "",
        }

    return data


def _payments(on):
    def effect(world, client, viewer):
        from financing.models import FunderPayment

        return sorted(
            FunderPayment.objects.filter(contract=on(world)).values_list(
                "pk", "amount", "reference", "recorded_by"
            )
        )

    return effect


def _indicator(on, fiche_number):
    def get(world):
        from fiches.models import Indicator

        return Indicator.objects.get(
            contract=on(world), fiche__number=fiche_number(world), number=1
        )

    return get


def _indicator_url(on, fiche_number, slug=None):
    def build(world):
        kwargs = {
            "slug": slug or on(world).slug,
            "number": fiche_number(world),
            "indicator": 1,
        }
        return reverse("api:indicator_actual", kwargs=kwargs)

    return build


def _indicator_value(on, fiche_number, year):
    def data(world, viewer):
        indicator = _indicator(on, fiche_number)(world)
        return {
            "version": indicator.version,
            "year": year(world),
            "actual": "42",
            "comment": "Saisi par la matrice (API)",
        }

    return data


def _indicator_state(on, fiche_number, year):
    def effect(world, client, viewer):
        from fiches.models import IndicatorYear

        indicator = _indicator(on, fiche_number)(world)
        row = IndicatorYear.objects.filter(indicator=indicator, year=year(world)).first()
        return indicator.version, row.actual if row else None, row.comment if row else None

    return effect


def _indicator_row(on, fiche_number, year, *, slug=None, prepare=None) -> Scenario:
    return Scenario(
        url=_indicator_url(on, fiche_number, slug),
        data=_indicator_value(on, fiche_number, year),
        effect=_indicator_state(on, fiche_number, year),
        prepare=prepare,
    )


def _an_indicator_in_preparation(world):
    from tests.authz.rows_indicators import _an_indicator_in_preparation as prepare

    prepare(world)


def _fiche(number):
    return lambda world: number


def _end_year(world):
    return world.contract.end_year


SCENARIOS = {
    "api:budget_line_list": Scenario(url=_url("api:budget_line_list")),
    "api:budget_line_detail": Scenario(url=_url("api:budget_line_detail", line=_signed_line)),
    "api:budget_line_detail[Rhône]": Scenario(
        url=_url("api:budget_line_detail", line=_signed_line, slug=RHONE_SLUG)
    ),
    "api:budget_line_versions": Scenario(url=_url("api:budget_line_versions", line=_signed_line)),
    "api:budget_line_versions[Rhône]": Scenario(
        url=_url("api:budget_line_versions", line=_signed_line, slug=RHONE_SLUG)
    ),
    "api:financing_plan": Scenario(url=_url("api:financing_plan")),
    "api:budget_line_actual": Scenario(
        url=_url("api:budget_line_actual", line=_signed_line),
        data=_actuals(_signed_line),
        effect=_line_state(_signed_line),
    ),
    "api:budget_line_actual[Rhône]": Scenario(
        url=_url("api:budget_line_actual", line=_signed_line, slug=RHONE_SLUG),
        data=_actuals(_signed_line),
        effect=_line_state(_signed_line),
    ),
    "api:budget_line_actual[preparation]": Scenario(
        url=_url("api:budget_line_actual", on=_preparing, line=_preparation_line),
        data=_actuals(_preparation_line),
        effect=_line_state(_preparation_line),
    ),
    "api:funder_payments": Scenario(
        url=_url("api:funder_payments"), data=_payment(_signed), effect=_payments(_signed)
    ),
    "api:funder_payments[preparation]": Scenario(
        url=_url("api:funder_payments", on=_preparing),
        data=_payment(_preparing),
        effect=_payments(_preparing),
    ),
    "api:indicator_actual": _indicator_row(_signed, _fiche(1), _end_year),
    "api:indicator_actual[not lead]": _indicator_row(_signed, _fiche(4), _end_year),
    "api:indicator_actual[preparation]": _indicator_row(
        _preparing,
        lambda world: world.fiche.number,
        lambda world: world.preparation.start_year,
        prepare=_an_indicator_in_preparation,
    ),
    "api:indicator_actual[Rhône]": _indicator_row(_signed, _fiche(1), _end_year, slug=RHONE_SLUG),
}
