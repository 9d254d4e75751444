"""A dossier read back: the manifest complete and true, every stored document copied byte
for byte, every seal valid, a French README naming every file, built in constant memory."""

import hashlib
import json
import tracemalloc

import pytest

from dossier.build import MANIFEST, MANIFEST_TEXT, README, SELF_DESCRIBING
from dossier.tables import csv_pieces
from dossier.verify import load_certificate, verify_dossier
from dossier.zipstream import ZipStream

pytestmark = pytest.mark.django_db


def manifest_of(archive) -> dict:
    return json.loads(archive.read(MANIFEST))


def test_the_manifest_lists_every_file_with_its_true_hash_and_nothing_more(built):
    with built.archive() as archive:
        manifest = manifest_of(archive)
        names = {n for n in archive.namelist() if not n.endswith("/")}
        listed = {item["path"]: item for item in manifest["files"]}
        assert names - set(listed) == set(SELF_DESCRIBING)
        assert set(listed) <= names
        for name, item in listed.items():
            content = archive.read(name)
            assert hashlib.sha256(content).hexdigest() == item["sha256"], name
            assert len(content) == item["size"], name
            assert item["produced_by"] == "cdaje" and item["application_version"]
            assert item["produced_at"]
    assert manifest["contract"]["slug"] == "cej-loire-2014-2017"
    assert manifest["produced_by"] == {"username": "cdaje", "name": "Sophie Durand"}
    assert manifest["application"]["version"]
    # Each kind of content is there.
    folders = {name.split("/")[0] for name in listed}
    assert {
        "01-actes-scelles",
        "03-version-consolidee",
        "04-budget-et-versements",
        "05-historiques",
        "06-journaux",
    } <= folders
    for expected in (
        "04-budget-et-versements/budget-cej-loire-2014-2017.xlsx",
        "04-budget-et-versements/budget-cej-loire-2014-2017.csv",
        "04-budget-et-versements/situation-des-versements.csv",
        "05-historiques/versions-des-fiches.csv",
        "05-historiques/versions-des-lignes-budgetaires.csv",
        "05-historiques/versions-des-indicateurs.csv",
        "06-journaux/journal-des-signatures.csv",
        "06-journaux/journal-des-decisions.csv",
        "06-journaux/journal-des-telechargements-de-documents.csv",
        "06-journaux/journal-des-dossiers-de-controle.csv",
    ):
        assert expected in listed
    # The readable twin says the same hashes.
    with built.archive() as archive:
        text = archive.read(MANIFEST_TEXT).decode()
    assert all(f"{item['sha256']}" in text for item in manifest["files"])
    assert built.dossier.manifest_sha256 in text


def test_every_stored_document_is_copied_byte_for_byte(built):
    with built.archive() as archive:
        stored = [item for item in manifest_of(archive)["files"] if item["origin"] == "stored"]
    assert {item["document"]["id"] for item in stored} == set(built.documents)
    for item in stored:
        sha256, sealed, size = built.documents[item["document"]["id"]]
        assert item["sha256"] == item["document"]["stored_sha256"] == sha256
        assert item["size"] == size
        assert item.get("sealed", False) == sealed
        assert item["path"].startswith("01-actes-scelles/" if sealed else "02-documents-deposes/")


def test_every_seal_is_valid_and_from_the_expected_certificate(built):
    report = verify_dossier(built.path, trusted=[load_certificate(c) for c in built.certificates])
    assert report.problems == []
    sealed = sum(1 for _sha, is_sealed, _size in built.documents.values() if is_sealed)
    assert report.seals == sealed >= 3  # contract, annex convention, avenant 1 (the reviews too
    # when the session's demo could seal them)
    assert sum("sceau intact et valide" in line for line in report.lines) == sealed


def test_the_csv_tables_read_back_in_the_french_convention(built):
    with built.archive() as archive:
        signatures = archive.read("06-journaux/journal-des-signatures.csv").decode("utf-8")
        decisions = archive.read("06-journaux/journal-des-decisions.csv").decode("utf-8")
        fiches = archive.read("05-historiques/versions-des-fiches.csv").decode("utf-8")
    assert signatures.startswith("\ufeffActe;Organisme;Représentant")
    assert "\r\nContrat;" in signatures and "\r\nAvenant n° 1;" in signatures
    assert "Délibération d'un partenaire;Contrat;" in decisions
    assert "Avis de la CDAJE en plénière;Fiche n° 1 " in decisions
    header, first = fiches.split("\r\n")[:2]
    assert header.split(";")[:3] == ["\ufeffFiche n°", "Intitulé actuel de la fiche", "Version"]
    assert first.startswith("1;")


def test_a_french_readme_names_every_file(built):
    with built.archive() as archive:
        readme = archive.read(README).decode("utf-8")
        listed = [item["path"] for item in manifest_of(archive)["files"]]
    assert readme.startswith("DOSSIER DE CONTRÔLE — ")
    assert "COMMENT LE VÉRIFIER" in readme and "verify_dossier" in readme
    for path in listed:
        if path != README:
            assert path.split("/", 1)[1] in readme, path


def test_the_writer_never_holds_more_than_the_file_it_writes(built):
    largest = max(item["size"] for item in json.loads(built.archive().read(MANIFEST))["files"])
    # What waits in the writer between two yields: at most one file (a stored PDF is read
    # whole, after its hash check) and a chunk of the next.
    assert built.dossier.largest_held <= largest + 128 * 1024
    assert built.chunks > len(built.documents) + 10


def test_a_large_table_streams_in_constant_memory():
    rows = ([n, f"Ligne {n}", "=SOMME(A1)", "2014-01-01"] for n in range(60_000))
    archive = ZipStream(date_time=(2014, 10, 1, 0, 0, 0))
    written = []
    tracemalloc.start()
    try:
        total = sum(
            len(chunk) for chunk in archive.add("t.csv", csv_pieces(["a"] * 4, rows), written)
        )
        total += sum(len(chunk) for chunk in archive.close())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [table] = written
    assert table.size > 2_000_000  # the CSV, uncompressed
    assert peak < 1_000_000, f"peak {peak} bytes for a {table.size}-byte table"
    assert total == archive.size


def test_verify_reads_a_manifest_it_cannot_trust_as_a_refusal(tmp_path):
    path = tmp_path / "pas-un-zip.zip"
    path.write_bytes(b"PK not really")
    report = verify_dossier(path)
    assert report.problems and "archive illisible" in report.problems[0]


def test_a_dossier_without_manifest_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "sans-manifeste.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("LISEZMOI.txt", "bonjour")
    report = verify_dossier(path)
    assert report.problems == [
        "manifest.json : manifeste absent, le dossier ne peut pas être vérifié."
    ]
