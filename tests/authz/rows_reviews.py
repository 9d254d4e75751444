"""Authorization matrix rows of issue 19's reviews pages: `MATRIX_ROWS` (the expected outcome
per viewer, columns as in tests/test_authorization_matrix.py) and `SCENARIOS` (URL, payload,
effect; see tests/authz/scenarios.py). Merged into the matrix there.

The signed Loire contract's reviews, as the demo leaves them: 2014–2016 adopted (their PDFs
stored), 2017 in preparation. A review is execution: it is written on the signed contract
directly (no avenant), by the CDAJE staff of the territory; the CDAJE coordination adopts
it. Partners and finance officers read every review of a contract they see."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.authz.cells import DONE, GET, LOGIN, POST, Scenario

# Rendered PDFs are laid out for the CDAJE agent only (tests/authz/cells.py, `layout`).
ONE_LAYOUT = ("cdaje",)


def _review(world, year=2017):
    from reviews.models import AnnualReview

    return AnnualReview.objects.get(contract=world.contract, year=year)


def _url(name, year=2017):
    def build(world):
        kwargs = {"slug": world.contract.slug}
        if year is not None:
            kwargs["year"] = year
        return reverse(name, kwargs=kwargs)

    return build


def _state(year=2017):
    def effect(world, client, viewer):
        review = _review(world, year)
        return (review.status, review.version, review.document_id)

    return effect


def _reviews(world, client, viewer):
    from reviews.models import AnnualReview

    return sorted(
        AnnualReview.objects.filter(contract=world.contract).values_list("year", flat=True)
    )


def _no_2017(world):
    _review(world).delete()


def _submitted(world):
    from reviews.models import AnnualReview, ReviewStatus

    AnnualReview.objects.filter(contract=world.contract, year=2017).update(
        status=ReviewStatus.SUBMITTED
    )


def _stored_documents(world):
    from tests import conftest

    conftest._WORLD.store_documents()


def _edit(world, viewer):
    review = _review(world)
    data = {"version": review.version, "summary": f"Synthèse par {viewer}"}
    for row in review.fiches.all():
        data[f"state_{row.fiche_id}"] = "done"
        data[f"narrative_{row.fiche_id}"] = row.narrative
    return data


def _needs(world, viewer):
    return {
        "version": _review(world).version,
        "rows": 1,
        "name_0": "Roannais",
        "children_0": 4000,
        "collective_0": 700,
    }


def _csv(world, viewer):
    content = "Zone;Enfants de moins de 3 ans;Accueil collectif\r\nForez;6000;800\r\n"
    return {
        "version": _review(world).version,
        "file": SimpleUploadedFile("besoins.csv", content.encode(), content_type="text/csv"),
    }


def _adopt(world, viewer):
    return {"opinion": "Avis favorable de la CDAJE.", "opinion_on": datetime.date(2018, 3, 13)}


READ = (LOGIN, 200, 200, 200, 404, 404, 200)
NOT_GET = (LOGIN, 405, 405, 405, 405, 405, 405)
STAFF = (LOGIN, DONE, 403, 403, 404, 404, DONE)
REFUSED = (LOGIN, 403, 403, 403, 404, 404, 403)

# fmt: off
MATRIX_ROWS: dict = {
    # row                                  method  anon. cdaje finance partner outsid. elsew. admin
    ("annual_review_list",                 GET):  READ,
    ("annual_review_list",                 POST): READ,
    ("annual_review_open",                 GET):  NOT_GET,
    ("annual_review_open",                 POST): STAFF,
    ("annual_review",                      GET):  READ,
    ("annual_review",                      POST): STAFF,
    # Adopted: its document is kept as it is, nobody edits it any more.
    ("annual_review[adopted]",             GET):  READ,
    ("annual_review[adopted]",             POST): REFUSED,
    ("annual_review_pdf",                  GET):  READ,
    ("annual_review_pdf",                  POST): READ,
    ("annual_review_pdf[adopted]",         GET):  READ,
    ("annual_review_pdf[adopted]",         POST): READ,
    ("annual_review_needs",                GET):  NOT_GET,
    ("annual_review_needs",                POST): STAFF,
    ("annual_review_needs_import",         GET):  NOT_GET,
    ("annual_review_needs_import",         POST): STAFF,
    ("annual_review_submit",               GET):  NOT_GET,
    ("annual_review_submit",               POST): STAFF,
    ("annual_review_return",               GET):  NOT_GET,
    ("annual_review_return",               POST): STAFF,
    ("annual_review_adopt",                GET):  NOT_GET,
    # The CDAJE coordination (the `cdaje` account holds it) adopts.
    ("annual_review_adopt",                POST): STAFF,
}
# fmt: on

SCENARIOS: dict = {
    "annual_review_list": Scenario(url=_url("annual_review_list", None)),
    "annual_review_open": Scenario(
        url=_url("annual_review_open", None),
        prepare=_no_2017,
        data=lambda w, v: {"year": 2017},
        effect=_reviews,
    ),
    "annual_review": Scenario(url=_url("annual_review"), data=_edit, effect=_state()),
    "annual_review[adopted]": Scenario(
        url=_url("annual_review", 2016),
        data=lambda w, v: {"version": _review(w, 2016).version, "summary": "Réécrit"},
        effect=_state(2016),
    ),
    "annual_review_pdf": Scenario(url=_url("annual_review_pdf"), layout=ONE_LAYOUT),
    "annual_review_pdf[adopted]": Scenario(
        url=_url("annual_review_pdf", 2016), prepare=_stored_documents, layout=False
    ),
    "annual_review_needs": Scenario(url=_url("annual_review_needs"), data=_needs, effect=_state()),
    "annual_review_needs_import": Scenario(
        url=_url("annual_review_needs_import"), data=_csv, effect=_state()
    ),
    "annual_review_submit": Scenario(url=_url("annual_review_submit"), effect=_state()),
    "annual_review_return": Scenario(
        url=_url("annual_review_return"), prepare=_submitted, effect=_state()
    ),
    "annual_review_adopt": Scenario(
        url=_url("annual_review_adopt"),
        prepare=_submitted,
        data=_adopt,
        effect=_state(),
        # Adoption renders, seals and stores the PDF: laid out for real (a mock's bytes
        # cannot be sealed).
        layout=("cdaje", "admin"),
    ),
}

# The admin rows (merged into ADMIN_MODELS): reviews change through their pages and
# services; the admin only shows them.
# fmt: off
ADMIN_MODELS: dict = {
    # model                          changelist add   change delete history
    "reviews.annualreview":          (200,      403,  200,   403,   200),
    "reviews.needsplaces":           (200,      403,  200,   403,   200),
    "reviews.annualreviewversion":   (200,      403,  200,   403,   200),
}
# fmt: on
