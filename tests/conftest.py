"""Project-wide fixtures and guards."""

import pytest
from django.template import TemplateSyntaxError
from django.utils import translation

from cej.demo.loire import load_loire_demo


class FailOnUnknownTemplateVariable(str):
    """`string_if_invalid` that fails the test on any unknown variable in our templates
    (les-emplois' guard): a typo in a template is a bug, not an empty cell."""

    def __contains__(self, key):
        return key == "%s"

    def __mod__(self, variable):
        raise TemplateSyntaxError(f"Variable de gabarit inconnue : {variable}")


@pytest.fixture(autouse=True)
def _french(settings):
    """Messages are checked in French, the default language."""
    with translation.override("fr"):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    # Hashing "demo" six times per test with PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Static files are not collected in tests: plain storage, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Django's own admin templates rely on missing variables; the guard covers ours.
    if "admin_templates" not in request.keywords:
        settings.TEMPLATES = [
            {
                **settings.TEMPLATES[0],
                "OPTIONS": {
                    **settings.TEMPLATES[0]["OPTIONS"],
                    "string_if_invalid": FailOnUnknownTemplateVariable("%s"),
                },
            }
        ]


@pytest.fixture
def demo(db):
    """The Loire demo, with its accounts."""
    return load_loire_demo(with_accounts=True)


@pytest.fixture
def demo_contract(demo):
    return demo.contract


@pytest.fixture
def demo_user(demo, django_user_model):
    def get(username):
        return django_user_model.objects.get(username=username)

    return get
