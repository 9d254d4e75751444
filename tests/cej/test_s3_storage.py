"""Documents in an S3-compatible bucket, chosen by configuration alone.

The storage settings are read from the environment in a fresh interpreter, exactly as a
deployment would (DOCUMENTS_STORAGE=s3 and the S3_* variables, with a non-AWS endpoint and
path-style addresses, as MinIO or Garage need), then used against a bucket mocked by moto:
sealing, deposits, scoped downloads, `verify_documents` and the budget import's hand-over
between preview and confirmation all go through it."""

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import boto3
import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from moto import mock_aws

from cej.models import Document, DocumentKind
from financing.models import BudgetLine
from tests.factories import PartnerFactory, UserFactory
from tests.pilotage.test_documents import MINIMAL_PDF

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "http://objets.cej.test:9000"
BUCKET = "cej-documents"
PREFIX = "cej-loire/essais"
REGION = "eu-west-3"
S3_ENVIRONMENT = {
    "DOCUMENTS_STORAGE": "s3",
    "S3_BUCKET": BUCKET,
    "S3_ENDPOINT_URL": ENDPOINT,
    "S3_REGION": REGION,
    "S3_ACCESS_KEY_ID": "cle-essai",
    "S3_SECRET_ACCESS_KEY": "secret-essai",
    "S3_PREFIX": f"/{PREFIX}/",
    "S3_ADDRESSING_STYLE": "path",
}


def settings_from_environment(**variables) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DOCUMENTS_STORAGE"} and not key.startswith("S3_")
    }
    environment.update(SECRET_KEY="x" * 50, **variables)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, config.settings as s; "
            "print(json.dumps(s.STORAGES['default'], default=str))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def s3_storage_setting():
    result = settings_from_environment(**S3_ENVIRONMENT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def bucket(settings, s3_storage_setting, monkeypatch):
    """An empty mocked bucket behind a non-AWS endpoint; the documents' storage points at it."""
    monkeypatch.setenv("MOTO_S3_CUSTOM_ENDPOINTS", ENDPOINT)
    with mock_aws():
        client = boto3.client(
            "s3",
            endpoint_url=ENDPOINT,
            region_name=REGION,
            aws_access_key_id="cle-essai",
            aws_secret_access_key="secret-essai",
        )
        client.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        settings.STORAGES = {**settings.STORAGES, "default": s3_storage_setting}
        yield client


@pytest.fixture
def s3_sealed_demo(bucket, sealed_world, demo_world, demo, seal):
    """The session's sealed documents (tests/conftest.py) and the demo's adopted annual
    reviews, their bytes put in the bucket through the S3 storage."""
    sealed_world.apply()
    demo_world.store_documents()
    return demo


def object_bytes(client, name: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=f"{PREFIX}/{name}")["Body"].read()


def object_keys(client) -> set[str]:
    listing = client.list_objects_v2(Bucket=BUCKET)
    return {entry["Key"] for entry in listing.get("Contents", [])}


def signed(contract) -> Document:
    return Document.objects.get(contract=contract, kind=DocumentKind.SIGNED_CONTRACT)


def download_url(document) -> str:
    return reverse("document_download", kwargs={"slug": document.contract.slug, "pk": document.pk})


# --- configuration ---------------------------------------------------------------------------


def test_the_environment_chooses_a_private_s3_bucket(s3_storage_setting):
    assert s3_storage_setting["BACKEND"] == "storages.backends.s3.S3Storage"
    options = s3_storage_setting["OPTIONS"]
    assert {key: options[key] for key in ("bucket_name", "endpoint_url", "region_name")} == {
        "bucket_name": BUCKET,
        "endpoint_url": ENDPOINT,
        "region_name": REGION,
    }
    assert options["location"] == PREFIX  # slashes around the prefix are dropped
    assert options["addressing_style"] == "path"
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False
    assert options["querystring_auth"] is True and options["custom_domain"] is None


def test_local_disk_stays_the_default():
    result = settings_from_environment()
    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout)
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["base_url"] is None


def test_a_bucket_without_acls_can_be_told_to_send_none():
    result = settings_from_environment(**S3_ENVIRONMENT, S3_DEFAULT_ACL="")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["OPTIONS"]["default_acl"] is None


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DOCUMENTS_STORAGE": "s3"}, "DOCUMENTS_STORAGE=s3 demande S3_BUCKET"),
        ({"DOCUMENTS_STORAGE": "ftp"}, "valeurs possibles « local »"),
    ],
)
def test_an_incomplete_storage_configuration_stops_start_up_in_french(variables, message):
    result = settings_from_environment(**variables)
    assert result.returncode != 0
    assert message in result.stderr


# --- documents -------------------------------------------------------------------------------


def test_sealed_documents_are_private_objects_served_identical_through_the_scoped_view(
    client, bucket, demo, seal, demo_user
):
    """The real sealing, writing into the bucket (the other tests replay its result)."""
    from demo.loire import seal_demo_documents

    seal_demo_documents(demo.contract)
    document = signed(demo.contract)
    keys = object_keys(bucket)
    assert f"{PREFIX}/{document.file.name}" in keys
    assert all(key.startswith(f"{PREFIX}/documents/") for key in keys)
    stored = object_bytes(bucket, document.file.name)
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    grants = bucket.get_object_acl(Bucket=BUCKET, Key=f"{PREFIX}/{document.file.name}")
    assert [grant["Permission"] for grant in grants["Grants"]] == ["FULL_CONTROL"]
    assert "URI" not in grants["Grants"][0]["Grantee"]  # the owner, no group (AllUsers…)

    client.force_login(demo_user("partner-caf"))
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response.content == stored


def test_a_partner_of_no_party_gets_404(client, bucket, s3_sealed_demo):
    stranger = UserFactory(partner_user=True, partner=PartnerFactory())
    client.force_login(stranger)
    assert client.get(download_url(signed(s3_sealed_demo.contract))).status_code == 404


def test_a_deposited_scan_goes_to_the_bucket_and_comes_back_identical(
    client, bucket, s3_sealed_demo, demo_user
):
    contract = s3_sealed_demo.contract
    client.force_login(demo_user("cdaje"))
    response = client.post(
        reverse("document_deposit", kwargs={"slug": contract.slug}),
        {
            "kind": DocumentKind.SCANNED_ORIGINAL,
            "title": "Original CAF",
            "dated": "2014-10-01",
            "file": SimpleUploadedFile("original.pdf", MINIMAL_PDF),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(kind=DocumentKind.SCANNED_ORIGINAL)
    assert object_bytes(bucket, document.file.name) == MINIMAL_PDF
    assert client.get(download_url(document)).content == MINIMAL_PDF


def test_verify_documents_reads_the_bucket(bucket, s3_sealed_demo):
    out = io.StringIO()
    call_command("verify_documents", stdout=out)
    # The signed contract, its annex convention and avenant n° 1's act.
    assert out.getvalue().strip() == "6 documents vérifiés, 0 en erreur."

    document = signed(s3_sealed_demo.contract)
    tampered = bytearray(object_bytes(bucket, document.file.name))
    tampered[-100] ^= 0x01
    bucket.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{document.file.name}", Body=bytes(tampered))
    err = io.StringIO()
    with pytest.raises(CommandError, match="6 documents vérifiés, 1 en erreur"):
        call_command("verify_documents", stdout=io.StringIO(), stderr=err)
    assert f"document {document.pk} " in err.getvalue()
    assert f"trouvée {hashlib.sha256(tampered).hexdigest()}" in err.getvalue()

    bucket.delete_object(Bucket=BUCKET, Key=f"{PREFIX}/{document.file.name}")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_documents", stdout=io.StringIO(), stderr=err)
    assert "fichier introuvable sur le stockage" in err.getvalue()


def test_a_tampered_object_is_refused_on_download(client, bucket, s3_sealed_demo, demo_user):
    document = signed(s3_sealed_demo.contract)
    bucket.put_object(Bucket=BUCKET, Key=f"{PREFIX}/{document.file.name}", Body=MINIMAL_PDF)
    client.force_login(demo_user("partner-msa"))
    assert client.get(download_url(document)).status_code == 409


# --- budget import ---------------------------------------------------------------------------

BUDGET = "/contracts/cej-loire-2014-2017/budget/"


def corrected_export(client) -> bytes:
    """The export with the label of row 5 (coordination 2015) corrected: its amounts cannot
    grow (every year of the demo is allocated up to its envelope) nor shrink (every line is
    committed in full)."""
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(BUDGET + "export.xlsx").content))
    sheet = workbook["Lignes budgétaires"]
    sheet["G5"] = "Coordination départementale 2015"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_the_import_waits_in_the_bucket_between_preview_and_confirmation(
    client, bucket, contract_in_preparation, demo_user
):
    """On the contract in preparation: a signed one's lines change only through an avenant."""
    client.force_login(demo_user("finance"))
    content = corrected_export(client)
    preview = client.post(BUDGET + "import/", {"file": SimpleUploadedFile("budget.xlsx", content)})
    assert preview.context["plan"].has_changes
    token = client.session["budget_import"]["token"]
    key = f"{PREFIX}/imports/{token}.upload"
    assert object_bytes(bucket, f"imports/{token}.upload") == content

    response = client.post(
        BUDGET + "import/confirm/", {"fingerprint": preview.context["fingerprint"]}
    )
    assert response.status_code == 302 and response["Location"] == BUDGET
    line = BudgetLine.objects.get(
        contract=contract_in_preparation, year=2015, post__code="coordination"
    )
    assert line.label == "Coordination départementale 2015"
    assert key not in object_keys(bucket)


def test_abandoned_previews_are_swept_from_the_bucket(
    client, bucket, contract_in_preparation, demo_user
):
    day_old = f"{int(time.time()) - 25 * 3600:010d}-{'a' * 32}"
    recent = f"{int(time.time()) - 3600:010d}-{'b' * 32}"
    for token in (day_old, recent):
        default_storage.save(f"imports/{token}.upload", ContentFile(b"x"))
    client.force_login(demo_user("finance"))
    client.post(
        BUDGET + "import/", {"file": SimpleUploadedFile("budget.xlsx", corrected_export(client))}
    )
    pending = {key.rsplit("/", 1)[-1] for key in object_keys(bucket) if "/imports/" in key}
    assert f"{day_old}.upload" not in pending
    assert f"{recent}.upload" in pending
    assert f"{client.session['budget_import']['token']}.upload" in pending


@pytest.mark.admin_templates
def test_the_admin_links_the_scoped_download_never_a_signed_bucket_url(
    client, bucket, s3_sealed_demo, demo_user
):
    document = signed(s3_sealed_demo.contract)
    client.force_login(demo_user("admin"))
    page = client.get(reverse("admin:cej_document_change", args=[document.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<a href="{download_url(document)}">{document.file.name}</a>' in html
    assert "X-Amz-Signature" not in html and ENDPOINT not in html
