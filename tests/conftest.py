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


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with no cached page (cej.page_cache), as a fresh process would."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    """Stored documents go to a per-test folder, never to the developer's var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


@pytest.fixture(scope="session")
def seal_certificate(tmp_path_factory):
    """One self-signed development seal for the run (a 3072-bit key takes a moment)."""
    from cej.sealing import create_development_certificate

    folder = tmp_path_factory.mktemp("seal")
    cert, key = folder / "certificate.pem", folder / "key.pem"
    create_development_certificate(cert, key, passphrase="tests", common_name="Sceau de test")
    return cert, key, "tests"


@pytest.fixture
def seal(settings, seal_certificate):
    cert, key, passphrase = seal_certificate
    settings.SEAL_CERTIFICATE_PATH = str(cert)
    settings.SEAL_KEY_PATH = str(key)
    settings.SEAL_KEY_PASSPHRASE = passphrase
    return seal_certificate


@pytest.fixture
def sealed_demo(demo, seal):
    """The Loire demo with its sealed documents, as `load_demo` leaves it."""
    from cej.demo.loire import seal_demo_documents

    seal_demo_documents(demo.contract)
    return demo
