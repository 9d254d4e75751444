"""Authorization matrix rows of issue 19's indicators pages: `MATRIX_ROWS` (the expected outcome
per viewer, columns as in tests/test_authorization_matrix.py) and `SCENARIOS` (URL, payload,
effect; see tests/authz/scenarios.py). Merged into the matrix there.

Indicators are read by whoever sees the contract. Their definition and targets are contract
content: written by CDAJE staff on the contract in preparation, refused on the signed one
(AVENANT), where an avenant proposes new targets (`amendment_indicator_edit`, on its open
avenant n° 2, leaving the signed targets as they are). Their actual values are execution:
entered on the signed contract by CDAJE staff and by the users of the fiche's lead partner
(fiche n° 1 is led by the CAF, `partner` in the matrix; n° 4 by the Département), never on
a contract not yet signed. This module imports nothing of tests/authz/scenarios.py at load
time (that module imports this one)."""

from django.urls import reverse

from tests.authz.cells import AVENANT, DONE, LOGIN, POST, Scenario
from tests.authz.world import RHONE_SLUG

GET = "GET"

# fmt: off
MATRIX_ROWS: dict = {
    # row                            method  anon.   cdaje   finance partner outsid. elsew.  admin
    ("fiche_indicators",             GET):  (LOGIN,  200,    200,    200,    404,    404,    200),
    ("fiche_indicators",             POST): (LOGIN,  200,    200,    200,    404,    404,    200),
    # Definitions and targets: on the contract in preparation, by CDAJE staff
    ("indicator_create",             GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("indicator_create",             POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("indicator_edit",               GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("indicator_edit",               POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    # … and on the signed one, only through an avenant
    ("indicator_create[signed]",     GET):  (LOGIN, AVENANT, 403,    403,    404,    404, AVENANT),
    ("indicator_create[signed]",     POST): (LOGIN, AVENANT, 403,    403,    404,    404, AVENANT),
    ("indicator_edit[signed]",       GET):  (LOGIN, AVENANT, 403,    403,    404,    404, AVENANT),
    ("indicator_edit[signed]",       POST): (LOGIN, AVENANT, 403,    403,    404,    404, AVENANT),
    ("amendment_indicator_edit",     GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("amendment_indicator_edit",     POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("amendment_indicator_edit[Rhône]", POST): (LOGIN, 404,  404,    404,    403,    404,    404),
    ("amendment_change_cancel[indicator]", POST):
                                            (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    # Actuals: execution of the signed contract, by CDAJE staff and the fiche's lead partner
    ("indicator_actual",             GET):  (LOGIN,  200,    403,    200,    404,    404,    200),
    ("indicator_actual",             POST): (LOGIN,  DONE,   403,    DONE,   404,    404,    DONE),
    ("indicator_actual[not lead]",   GET):  (LOGIN,  200,    403,    403,    404,    404,    200),
    ("indicator_actual[not lead]",   POST): (LOGIN,  DONE,   403,    403,    404,    404,    DONE),
    ("indicator_actual[preparation]", POST): (LOGIN, 403,    403,    403,    404,    404,    403),
    ("indicator_actual[Rhône]",      POST): (LOGIN,  404,    404,    404,    404,    404,    404),
}
# fmt: on


def _signed(world):
    return world.contract


def _preparing(world):
    return world.preparation


def _url(name: str, on, **params):
    def build(world):
        kwargs = {"slug": on(world).slug, **{k: v(world) for k, v in params.items()}}
        return reverse(name, kwargs=kwargs)

    return build


def _indicator(on, fiche_number, number=1):
    def get(world):
        from fiches.models import Indicator

        return Indicator.objects.get(
            contract=on(world), fiche__number=fiche_number(world), number=number
        )

    return get


def _signed_fiche(number):
    return lambda world: number


def _preparation_fiche(world):
    return world.fiche.number


# --- definitions ---------------------------------------------------------------------------


def _new_indicator(world, viewer):
    return {"version": 1, "name": "Indicateur de la matrice", "unit": "places", "direction": "up"}


def _indicators_of(on, fiche_number):
    def effect(world, client, viewer):
        from fiches.models import Indicator

        rows = Indicator.objects.filter(contract=on(world), fiche__number=fiche_number(world))
        return sorted(rows.values_list("number", "name", "version"))

    return effect


def _an_indicator_in_preparation(world):
    """The fiche in preparation gets an indicator, as the CDAJE defines it."""
    from fiches.indicator_services import indicator_create
    from fiches.models import Fiche

    indicator_create(
        fiche=Fiche.objects.select_related("contract").get(pk=world.fiche.pk),
        changes={"name": "Indicateur à modifier", "unit": "places", "direction": "up"},
        targets={world.preparation.start_year: 10},
        by=world.users["cdaje"],
    )


def _renamed(on, fiche_number):
    def data(world, viewer):
        indicator = _indicator(on, fiche_number)(world)
        return {
            "version": indicator.version,
            "name": "Renommé par la matrice",
            "unit": indicator.unit,
            "direction": indicator.direction,
        }

    return data


# --- actuals -------------------------------------------------------------------------------


def _actual_form(on, fiche_number):
    def data(world, viewer):
        indicator = _indicator(on, fiche_number)(world)
        return {"version": indicator.version, "actual": "42", "comment": "Saisi par la matrice"}

    return data


def _actual_of(on, fiche_number, year):
    def effect(world, client, viewer):
        from fiches.models import IndicatorYear

        indicator = _indicator(on, fiche_number)(world)
        row = IndicatorYear.objects.filter(indicator=indicator, year=year(world)).first()
        return (indicator.version, row.actual if row else None, row.comment if row else None)

    return effect


def actual(on, fiche_number, year, *, prepare=None) -> Scenario:
    return Scenario(
        url=_url(
            "indicator_actual",
            on,
            number=fiche_number,
            indicator=lambda w: 1,
            year=year,
        ),
        prepare=prepare,
        data=_actual_form(on, fiche_number),
        effect=_actual_of(on, fiche_number, year),
    )


# --- the avenant ---------------------------------------------------------------------------


def _open(world):
    return world.open_amendment.number


def _urgent(world):
    """Fiche 3's second indicator of the signed contract (a delay, in days)."""
    return _indicator(_signed, _signed_fiche(3), 2)(world)


def _targets_form(world, viewer):
    """The signed targets as they are, but the last year's lowered to 1."""
    from fiches.indicator_services import targets_of

    stored = targets_of(_urgent(world))
    data = {f"target_{year}": "" if t is None else str(t) for year, t in stored.items()}
    return data | {f"target_{world.contract.end_year}": "1"}


def _indicator_proposals(world, client, viewer):
    from pilotage.models import AmendmentIndicatorChange

    return sorted(AmendmentIndicatorChange.objects.values_list("amendment", "indicator", "version"))


def _signed_targets(world):
    """The signed contract's targets, and its other content: no proposal moves them."""
    from fiches.models import IndicatorYear
    from tests.authz.scenarios import _signed_content

    targets = IndicatorYear.objects.filter(indicator__contract=world.contract)
    return sorted(targets.values_list("indicator", "year", "target")), _signed_content(world)


def _targets_proposed(world):
    from pilotage.amendment_indicators import amendment_indicator_propose

    amendment_indicator_propose(
        amendment=world.open_amendment,
        indicator=_urgent(world),
        targets={world.contract.end_year: 1},
        by=world.users["cdaje"],
    )


def _proposal_pk(world):
    from pilotage.models import AmendmentIndicatorChange

    return AmendmentIndicatorChange.objects.get(amendment=world.open_amendment).pk


def _rhone_avenant(world):
    from tests.authz.scenarios import _rhone_avenant as open_it

    open_it(world)


def _rhone(world):
    from cej.models import Contract

    return Contract.objects.get(slug=RHONE_SLUG)


SCENARIOS: dict = {
    "fiche_indicators": Scenario(url=_url("fiche_indicators", _signed, number=_signed_fiche(1))),
    "indicator_create": Scenario(
        url=_url("indicator_create", _preparing, number=_preparation_fiche),
        data=_new_indicator,
        effect=_indicators_of(_preparing, _preparation_fiche),
    ),
    "indicator_edit": Scenario(
        url=_url("indicator_edit", _preparing, number=_preparation_fiche, indicator=lambda w: 1),
        prepare=_an_indicator_in_preparation,
        data=_renamed(_preparing, _preparation_fiche),
        effect=_indicators_of(_preparing, _preparation_fiche),
    ),
    "indicator_create[signed]": Scenario(
        url=_url("indicator_create", _signed, number=_signed_fiche(3)),
        data=_new_indicator,
        effect=_indicators_of(_signed, _signed_fiche(3)),
    ),
    "indicator_edit[signed]": Scenario(
        url=_url("indicator_edit", _signed, number=_signed_fiche(3), indicator=lambda w: 1),
        data=_renamed(_signed, _signed_fiche(3)),
        effect=_indicators_of(_signed, _signed_fiche(3)),
    ),
    "amendment_indicator_edit": Scenario(
        url=_url(
            "amendment_indicator_edit",
            _signed,
            number=_open,
            indicator_pk=lambda w: _urgent(w).pk,
        ),
        data=_targets_form,
        effect=_indicator_proposals,
        kept=_signed_targets,
    ),
    "amendment_indicator_edit[Rhône]": Scenario(
        url=_url(
            "amendment_indicator_edit",
            _rhone,
            number=_open,
            indicator_pk=lambda w: _urgent(w).pk,
        ),
        prepare=_rhone_avenant,
        data=_targets_form,
        effect=_indicator_proposals,
        kept=_signed_targets,
    ),
    "amendment_change_cancel[indicator]": Scenario(
        url=_url(
            "amendment_change_cancel",
            _signed,
            number=_open,
            kind=lambda w: "indicator",
            pk=_proposal_pk,
        ),
        prepare=_targets_proposed,
        effect=_indicator_proposals,
        kept=_signed_targets,
    ),
    "indicator_actual": actual(_signed, _signed_fiche(1), lambda w: w.contract.end_year),
    "indicator_actual[not lead]": actual(_signed, _signed_fiche(4), lambda w: w.contract.end_year),
    "indicator_actual[preparation]": actual(
        _preparing,
        _preparation_fiche,
        lambda w: w.preparation.start_year,
        prepare=_an_indicator_in_preparation,
    ),
    "indicator_actual[Rhône]": Scenario(
        url=_url(
            "indicator_actual",
            _rhone,
            number=_signed_fiche(1),
            indicator=lambda w: 1,
            year=lambda w: 2016,
        ),
        data=_actual_form(_signed, _signed_fiche(1)),
        effect=_actual_of(_signed, _signed_fiche(1), lambda w: 2016),
    ),
}
