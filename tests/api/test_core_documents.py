"""The contract's documents through the API: their metadata, and the download through the
same guarded read as the documents page — the bytes checked against their SHA-256, each
download recorded and logged, an altered file refused in French (409)."""

import hashlib
import logging

import pytest
from django.core.files.storage import default_storage

from cej.models import Document, DocumentDownload, DocumentKind, DownloadOutcome
from tests.api.core_support import api_url, bearer_client, results


@pytest.fixture
def sealed(sealed_demo, demo_user):
    document = Document.objects.get(
        contract=sealed_demo.contract, kind=DocumentKind.SIGNED_CONTRACT
    )
    return bearer_client(demo_user("partner-caf")), document


def _events(caplog, name):
    return [r.security for r in caplog.records if getattr(r, "security", {}).get("event") == name]


def test_the_metadata_of_each_document(sealed):
    client, document = sealed
    documents = results(client.get(api_url("document_list")))
    first = documents[0]
    assert first["id"] == document.pk and first["kind"] == "signed_contract"
    assert first["sealed"] is True and first["dated"] == "2014-10-01"
    assert first["sha256"] == document.sha256 and first["size"] == document.size
    assert first["filename"] == document.filename and first["download_count"] == 0
    assert client.get(first["api_url"]).json() == first
    assert {d["kind"] for d in documents} >= {"signed_contract", "amendment", "annual_review"}
    reviews = results(client.get(f"{api_url('document_list')}?kind=annual_review"))
    assert [d["kind"] for d in reviews] == ["annual_review"] * 3
    assert client.get(f"{api_url('document_list')}?kind=pdf").status_code == 400


def test_the_download_is_checked_recorded_and_logged(sealed, caplog):
    client, document = sealed
    with caplog.at_level(logging.INFO, logger="cej.security"):
        response = client.get(api_url("document_download", pk=document.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response["ETag"] == f'"{document.sha256}"'
    download = DocumentDownload.objects.get()
    assert (download.username, download.outcome) == ("partner-caf", DownloadOutcome.SERVED)
    [event] = _events(caplog, "document_download")
    assert (event["user"], event["document"], event["outcome"]) == (
        "partner-caf",
        document.pk,
        "served",
    )
    assert event["sha256"] == document.sha256
    # The same tag again: 304, no body (the download is still checked and recorded).
    again = client.get(
        api_url("document_download", pk=document.pk), HTTP_IF_NONE_MATCH=response["ETag"]
    )
    assert again.status_code == 304 and again.content == b""
    # Whatever the client accepts.
    assert (
        client.get(
            api_url("document_download", pk=document.pk), HTTP_ACCEPT="application/pdf"
        ).status_code
        == 200
    )


def test_an_altered_file_is_refused_in_french(sealed, caplog):
    client, document = sealed
    with default_storage.open(document.file.name, "rb") as handle:
        altered = bytearray(handle.read())
    altered[len(altered) // 2] ^= 0x01
    with open(default_storage.path(document.file.name), "wb") as handle:
        handle.write(altered)
    with caplog.at_level(logging.INFO, logger="cej.security"):
        response = client.get(
            api_url("document_download", pk=document.pk), HTTP_ACCEPT="application/pdf"
        )
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert "ne correspond plus à l'empreinte enregistrée" in response.json()["detail"]
    assert DocumentDownload.objects.get().outcome == DownloadOutcome.REFUSED_INTEGRITY
    [event] = _events(caplog, "document_download")
    assert event["outcome"] == DownloadOutcome.REFUSED_INTEGRITY


def test_a_missing_file_is_refused(sealed):
    client, document = sealed
    default_storage.delete(document.file.name)
    response = client.get(api_url("document_download", pk=document.pk))
    assert response.status_code == 409 and "introuvable" in response.json()["detail"]


def test_a_document_of_another_contract_is_not_found(sealed, demo_user):
    client, document = sealed
    successor = "cej-loire-2018-2021"
    for name in ("document_detail", "document_download"):
        response = client.get(api_url(name, slug=successor, pk=document.pk))
        assert response.status_code == 404
        assert response.json() == {"detail": "Aucun document à cette adresse."}
