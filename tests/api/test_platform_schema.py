"""The OpenAPI schema is valid, generated without a warning, and true: every documented route
is called by a test. Each GET is called here, with real values from the demo world, by a
partner's token, and answers 200 with the fields its schema documents; each write is called
by the tests of its owner, which list it in `tests/api/routes_exercised.py`
(`ROUTES_EXERCISED` or `WRITE_ROUTES_EXERCISED`, pairs of the schema's path and method).

The values of a route's parameters are found by their name, not by the route: `slug` is the
demo contract's; any other is read from the first item of the collection just above it
(`/fiches/{number}/` → the `number` of the first fiche listed by `/fiches/`, `{pk}` or
`{id}` → its `id`), so routes added later are walked with no change here."""

import re

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from demo.loire import DEMO_SLUG
from tests.api.platform_helpers import token_for

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
PARAMETER = re.compile(r"\{(\w+)\}")
# A route that answers something other than 200 to a partner with the demo world, and why.
DOCUMENTED_NON_200: dict[tuple[str, str], tuple[int, str]] = {}
# A parameter whose value the collection above cannot give: "<path up to it>{name}" → value.
FIXED_VALUES: dict[str, object] = {}


def generate() -> tuple[dict, list[str]]:
    """The schema as `/api/v1/schema/` serves it, and what drf-spectacular warned about."""
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    return schema, problems


@pytest.fixture(scope="module")
def schema():
    return generate()


def operations(schema) -> list[tuple[str, str]]:
    return [
        (path, method.upper())
        for path, item in schema[0]["paths"].items()
        for method in item
        if method.upper() in ("GET", *WRITE_METHODS)
    ]


def test_the_schema_is_valid_and_generated_without_warnings(schema):
    document, problems = schema
    validate_schema(document)
    assert problems == []
    assert document["info"]["title"] == "CEJ Loire — API"
    assert "jetonPersonnel" in document["components"]["securitySchemes"]
    # Every operation says what it is, in French.
    for path, method in operations(schema):
        operation = document["paths"][path][method.lower()]
        assert operation.get("summary"), f"{method} {path}: no summary"


def test_the_schema_and_the_docs_pages_answer(client, demo):
    served = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    assert served.json()["paths"].keys() == generate()[0]["paths"].keys()
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "fonts.googleapis.com" not in html and "https://" not in html
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    policy = docs["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    nonce = re.search(r'data-nonce="([^"]+)"', html)[1]
    assert f"'nonce-{nonce}'" in policy


def _resolve(ref: dict, components: dict) -> dict:
    while "$ref" in ref:
        ref = components[ref["$ref"].rsplit("/", 1)[-1]]
    return ref


def _documented_fields(operation: dict, components: dict) -> tuple[set, bool] | None:
    """The properties of a 200 response's JSON object, and whether it is a page of them."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    body = content.get("application/json", {}).get("schema")
    if body is None:
        return None
    body = _resolve(body, components)
    paginated = "results" in body.get("properties", {})
    if paginated:
        body = _resolve(body["properties"]["results"]["items"], components)
    if body.get("type") == "array":
        return _resolve(body["items"], components).get("properties", {}).keys(), True
    return set(body.get("properties", {})), paginated


class Walker:
    """Fills a route's parameters from the demo world, through the API itself."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def url(self, path: str) -> str:
        while match := PARAMETER.search(path):
            name, above = match[1], path[: match.start()]
            path = path[: match.start()] + str(self.value(above, name)) + path[match.end() :]
        return path

    def value(self, above: str, name: str):
        if above + "{" + name + "}" in FIXED_VALUES:
            return FIXED_VALUES[above + "{" + name + "}"]
        if name == "slug":
            return DEMO_SLUG
        response = self.client.get(above, {"page_size": 1}, **self.headers)
        assert response.status_code == 200, (
            f"{above}{{{name}}}: no value — the collection {above} answers "
            f"{response.status_code}; add the value to FIXED_VALUES"
        )
        data = response.json()
        items = data["results"] if isinstance(data, dict) and "results" in data else data
        assert items, f"{above}{{{name}}}: {above} lists nothing in the demo world"
        key = "id" if name in ("pk", "id") and "id" in items[0] else name
        assert key in items[0], f"{above}{{{name}}}: the items of {above} have no « {key} »"
        return items[0][key]


def test_every_documented_read_answers_with_what_it_documents(
    client, sealed_demo, demo_user, schema
):
    """With the demo's sealed documents stored, so that a document's download is served."""
    document = schema[0]
    components = document["components"]["schemas"]
    _token, headers = token_for(demo_user("partner-caf"))
    walker = Walker(client, headers)
    reads = [path for path, method in operations(schema) if method == "GET"]
    assert "/api/v1/contracts/" in reads and "/api/v1/contracts/{slug}/" in reads
    problems = []
    for path in reads:
        url = walker.url(path)
        response = client.get(url, **headers)
        expected, _why = DOCUMENTED_NON_200.get((path, "GET"), (200, ""))
        if response.status_code != expected:
            problems.append(f"GET {path} ({url}): {response.status_code}, expected {expected}")
            continue
        documented = _documented_fields(document["paths"][path]["get"], components)
        if expected != 200 or documented is None:
            continue
        fields, paginated = documented
        data = response.json()
        items = (data["results"] if paginated and isinstance(data, dict) else data) or []
        sample = items[0] if isinstance(items, list) and items else data
        if isinstance(sample, dict) and set(sample) != set(fields):
            problems.append(
                f"GET {path}: answers {sorted(set(sample) ^ set(fields))} unlike its schema"
            )
    assert not problems, "\n".join(problems)


def test_every_documented_write_is_exercised(schema):
    writes = {(path, method) for path, method in operations(schema) if method in WRITE_METHODS}
    try:
        from tests.api import routes_exercised
    except ImportError:
        listed = ()
    else:
        listed = getattr(routes_exercised, "ROUTES_EXERCISED", None) or getattr(
            routes_exercised, "WRITE_ROUTES_EXERCISED", ()
        )
    exercised = {(path, method.upper()) for path, method in listed}
    missing = sorted(writes - exercised)
    assert not missing, (
        "Documented writes no test calls (list each one a test calls successfully in "
        "WRITE_ROUTES_EXERCISED, tests/api/routes_exercised.py): "
        + ", ".join(f"{method} {path}" for path, method in missing)
    )
    unknown = sorted(exercised - writes)
    assert not unknown, f"ROUTES_EXERCISED names routes the schema does not document: {unknown}"


def test_no_docstring_is_published(schema):
    """A view's docstring is for its maintainers, in English: the documentation says only
    what `extend_schema` gives it, in French."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from drf_spectacular.plumbing import get_doc

    def views(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry.url_patterns)
            elif isinstance(entry, URLPattern) and hasattr(entry.callback, "cls"):
                yield entry.callback.cls

    docstrings = {get_doc(c) for view in views(get_resolver().url_patterns) for c in view.__mro__}
    docstrings.discard("")
    published = {
        operation.get("description", "")
        for item in schema[0]["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
    }
    assert not published & docstrings


def test_every_operation_is_in_a_french_section(schema):
    from api.schema import TAGS

    sections = {
        tag
        for item in schema[0]["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    assert sections and sections <= set(TAGS.values()), sections - set(TAGS.values())
    # In the order the settings give them (SPECTACULAR_SETTINGS["TAGS"]), each listed once.
    ordered = [tag["name"] for tag in schema[0]["tags"]]
    assert sorted(ordered) == sorted(set(TAGS.values()))
