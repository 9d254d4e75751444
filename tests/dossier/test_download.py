"""`/contracts/<slug>/dossier.zip`: who may take it (and who is told why not), the refusal
of an altered scan, the record of each download, the link on the documents page. The
consolidated version's layout is left out here (WeasyPrint is tested with the dossier
read back in test_contents.py)."""

import hashlib
import io
import json
import logging
import zipfile
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cej.documents import document_store
from cej.log_format import JsonLineFormatter
from cej.models import DocumentKind
from dossier.build import Dossier, DossierRefused
from dossier.models import DossierChannel, DossierDownload
from dossier.permissions import can_download_dossier
from tests.authz.cells import CSRF_TOKEN
from tests.factories import TerritoryFactory, UserFactory
from tests.pdftools import minimal_pdf

pytestmark = pytest.mark.django_db

SLUG = "cej-loire-2014-2017"
URL = reverse("contract_dossier", kwargs={"slug": SLUG})


@pytest.fixture
def quick_layout(monkeypatch):
    """The consolidated version rendered as a one-page PDF: what these tests check is around
    it, not its layout (seconds per dossier)."""
    monkeypatch.setattr("dossier.contents.render_pdf", lambda template, context: minimal_pdf())


@pytest.fixture
def security_events():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("cej.security")
    logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("admin", True),
        ("cdaje", True),  # the CDAJE coordination of the Loire
        ("partner-cg", True),
        ("partner-caf", True),
        ("partner-msa", True),  # a funder's finance officer, member of a party
        ("finance", False),
    ],
)
def test_who_may_take_the_dossier(demo, demo_user, username, allowed):
    decision = can_download_dossier(demo_user(username), demo.contract)
    assert decision[0] is allowed
    # The pages' shortcut, for a viewer known to see the contract, agrees.
    assert can_download_dossier(demo_user(username), demo.contract, seen=True) == decision
    if not allowed:
        assert decision[1] == (
            "Le dossier de contrôle est réservé aux administrateurs, à la coordination CDAJE du "
            "territoire et aux utilisateurs des partenaires du contrat."
        )


def test_a_cdaje_writer_who_is_not_coordinator_is_refused_in_french(client, demo):
    writer = UserFactory(cdaje_writer=True, territory=demo.contract.territory)
    client.force_login(writer)
    response = client.get(URL)
    assert response.status_code == 403
    assert "réservé aux administrateurs" in response.content.decode()
    assert can_download_dossier(writer, demo.contract)[0] is False


def test_out_of_scope_is_the_404_of_a_missing_contract(client, demo):
    coordinator_elsewhere = UserFactory(cdaje=True, territory=TerritoryFactory())
    client.force_login(coordinator_elsewhere)
    response = client.get(URL)
    missing = client.get(reverse("contract_dossier", kwargs={"slug": "aucun-contrat"}))
    assert can_download_dossier(coordinator_elsewhere, demo.contract) == (
        False,
        "Ce contrat n'est pas dans votre périmètre.",
    )
    assert response.status_code == missing.status_code == 404
    # The same page, but for the address it shows.
    assert CSRF_TOKEN.sub(b"", response.content).replace(SLUG.encode(), b"<slug>") == (
        CSRF_TOKEN.sub(b"", missing.content).replace(b"aucun-contrat", b"<slug>")
    )


def test_anonymous_goes_to_log_in_and_post_is_not_allowed(client, demo, demo_user):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    client.force_login(demo_user("cdaje"))
    assert client.post(URL).status_code == 405


def test_each_download_is_recorded_with_its_manifest_hash_and_logged(
    client, sealed_demo, demo_user, quick_layout, security_events
):
    user = demo_user("partner-caf")
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(f'attachment; filename="dossier-{SLUG}-')
    assert not DossierDownload.objects.exists()  # nothing written before the body is sent
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        manifest = archive.read("manifest.json")
    [record] = DossierDownload.objects.all()
    assert (record.contract, record.user, record.username) == (
        sealed_demo.contract,
        user,
        "partner-caf",
    )
    assert record.manifest_sha256 == hashlib.sha256(manifest).hexdigest()
    assert record.size == len(body)
    assert record.files == len(json.loads(manifest)["files"])
    assert record.channel == DossierChannel.WEB
    events = [e for e in security_events() if e["event"] == "dossier_download"]
    assert [e["outcome"] for e in events] == ["started", "served"]
    assert events[1]["manifest_sha256"] == record.manifest_sha256
    assert events[1]["user"] == "partner-caf" and events[1]["size"] == len(body)

    # The next dossier lists this one in its log of dossiers.
    body = b"".join(client.get(URL).streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        log = archive.read("06-journaux/journal-des-dossiers-de-controle.csv").decode()
    assert record.manifest_sha256 in log and ";partner-caf;web;" in log


@pytest.fixture
def tampered_scan(sealed_demo, demo_user):
    """A scanned original deposited, then changed on the storage behind the application."""
    scan = document_store(
        contract=sealed_demo.contract,
        kind=DocumentKind.SCANNED_ORIGINAL,
        title="Original signé numérisé — contrat",
        content=minimal_pdf(),
        filename="original.pdf",
        by=demo_user("cdaje"),
    )
    with default_storage.open(scan.file.name, "wb") as handle:
        handle.write(minimal_pdf().replace(b"595", b"596"))
    return scan


def test_an_altered_scan_refuses_the_dossier_clearly(
    client, demo_user, tampered_scan, security_events
):
    client.force_login(demo_user("cdaje"))
    response = client.get(URL)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Le dossier de contrôle n&#x27;est pas produit" in page
    assert f"(document {tampered_scan.pk}) : son contenu ne correspond plus" in page
    assert tampered_scan.sha256 in page
    assert not DossierDownload.objects.exists()
    [event] = [e for e in security_events() if e["event"] == "dossier_download"]
    assert event["outcome"] == "refused_integrity"


def test_export_dossier_refuses_an_altered_scan_and_leaves_no_file(tampered_scan, tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "dossier.zip"
    with pytest.raises(CommandError) as refusal:
        call_command("export_dossier", SLUG, str(target), stdout=StringIO())
    assert f"(document {tampered_scan.pk}) : son contenu ne correspond plus" in str(refusal.value)
    assert list((tmp_path / "out").iterdir()) == []


def test_a_scan_altered_while_the_dossier_is_written_stops_it(tampered_scan, quick_layout):
    """Past the check before the first byte (a file changed in between): the copy checks
    again, and the stream stops rather than carry the altered bytes."""
    with pytest.raises(DossierRefused, match="ne correspond plus à l'empreinte"):
        for _chunk in Dossier(tampered_scan.contract, user=None).stream():
            pass
    assert not DossierDownload.objects.exists()


def test_export_dossier_writes_the_file_and_records_it(sealed_demo, tmp_path, quick_layout):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "dossier.zip"
    out = StringIO()
    call_command("export_dossier", SLUG, str(target), "--user", "admin", stdout=out)
    [record] = DossierDownload.objects.all()
    with zipfile.ZipFile(target) as archive:
        assert hashlib.sha256(archive.read("manifest.json")).hexdigest() == record.manifest_sha256
        assert json.loads(archive.read("manifest.json"))["produced_by"]["username"] == "admin"
    assert record.channel == DossierChannel.COMMAND and record.size == target.stat().st_size
    assert f"Empreinte SHA-256 du manifeste : {record.manifest_sha256}." in out.getvalue()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["dossier.zip"]


def test_export_dossier_names_an_unknown_contract(demo, tmp_path):
    with pytest.raises(CommandError, match="Aucun contrat ne porte l'identifiant « nulle-part »"):
        call_command("export_dossier", "nulle-part", str(tmp_path / "d.zip"))


@pytest.mark.parametrize(
    ("username", "shown"), [("cdaje", True), ("partner-msa", True), ("finance", False)]
)
def test_the_documents_page_links_the_dossier_for_those_who_may_take_it(
    client, demo, demo_user, username, shown
):
    client.force_login(demo_user(username))
    page = client.get(reverse("contract_documents", kwargs={"slug": SLUG})).content.decode()
    assert ("Dossier de contrôle (ZIP)" in page) is shown
    assert (f'href="{URL}"' in page) is shown


def test_building_the_dossier_costs_the_same_queries_whatever_the_history(
    sealed_demo, quick_layout
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cej.models import Contract
    from tests.factories import FunderPaymentFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            contract = Contract.objects.get(pk=sealed_demo.contract.pk)
            for _chunk in Dossier(contract, user=None).stream():
                pass
        return len(queries)

    before = count()
    from partners.models import Partner

    funder = (
        Partner.objects.filter(funder_payments__contract=sealed_demo.contract)
        .distinct()
        .order_by("pk")
        .first()
    )
    FunderPaymentFactory.create_batch(20, contract=sealed_demo.contract, funder=funder)
    assert count() == before
