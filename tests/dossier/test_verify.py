"""`manage.py verify_dossier`: the intact dossier passes; one changed byte, a file removed
or added, a seal broken behind a rewritten manifest — each is found, named, and the
command exits non-zero."""

import hashlib
import json
import zipfile
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dossier.build import MANIFEST

pytestmark = pytest.mark.django_db


def verify(path, *certificates) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    arguments = [str(path)]
    for certificate in certificates:
        arguments += ["--certificate", str(certificate)]
    call_command("verify_dossier", *arguments, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_failing(path, *certificates) -> tuple[str, str, str]:
    out, err = StringIO(), StringIO()
    arguments = [str(path)]
    for certificate in certificates:
        arguments += ["--certificate", str(certificate)]
    with pytest.raises(CommandError) as failure:
        call_command("verify_dossier", *arguments, stdout=out, stderr=err)
    return str(failure.value), out.getvalue(), err.getvalue()


def rewrite(source, target, *, change=None, drop=(), add=None):
    """A copy of the archive, members changed (name → function of the bytes), dropped or
    added, as someone with a ZIP tool would."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in drop:
                continue
            data = old.read(info.filename)
            if change and info.filename in change:
                data = change[info.filename](data)
            new.writestr(info, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)


def sealed_member(built) -> str:
    with built.archive() as archive:
        manifest = json.loads(archive.read(MANIFEST))
    return next(item["path"] for item in manifest["files"] if item.get("sealed"))


def test_the_intact_dossier_is_conforming(built):
    out, err = verify(built.path, *built.certificates)
    assert "Dossier conforme." in out and "0 différence(s)" in out
    assert err == ""


def test_one_changed_byte_in_the_archive_is_found_and_named(built, tmp_path):
    """A byte flipped in place, inside a stored PDF's data: zipfile's CRC check and the
    manifest's hash both see it; the report names the file."""
    name = sealed_member(built)
    data = bytearray(built.path.read_bytes())
    with built.archive() as archive:
        info = archive.getinfo(name)
    header = info.header_offset
    # Local file header: 30 bytes, then the name and the extra field, then the data.
    name_length = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(data[header + 28 : header + 30], "little")
    position = header + 30 + name_length + extra_length + info.compress_size // 2
    data[position] ^= 0x01
    changed = tmp_path / "un-octet.zip"
    changed.write_bytes(bytes(data))
    summary, _out, err = verify_failing(changed, *built.certificates)
    assert "Dossier NON conforme" in summary and "1 différence(s)" in summary
    assert f"{name} : contenu modifié" in err


def test_a_changed_table_a_missing_and_an_extra_file_are_each_reported(built, tmp_path):
    changed = tmp_path / "modifie.zip"
    rewrite(
        built.path,
        changed,
        change={"06-journaux/journal-des-signatures.csv": lambda d: d.replace(b"2014", b"2015", 1)},
        drop={"05-historiques/versions-des-fiches.csv"},
        add={"ajout.txt": b"ajout"},
    )
    summary, _out, err = verify_failing(changed, *built.certificates)
    assert "3 différence(s)" in summary
    assert "06-journaux/journal-des-signatures.csv : contenu modifié (empreinte attendue" in err
    assert "05-historiques/versions-des-fiches.csv : fichier manquant" in err
    assert "ajout.txt : fichier en trop (absent du manifeste)." in err


def test_a_broken_seal_is_found_even_behind_a_rewritten_manifest(built, tmp_path):
    """Whoever alters a sealed act and writes its new hash into the manifest still breaks
    the seal, which verify_dossier checks on its own."""
    name = sealed_member(built)
    with built.archive() as archive:
        original = archive.read(name)
        manifest = json.loads(archive.read(MANIFEST))
    # A byte of the page content, inside the range the seal covers (its first bytes).
    altered = bytearray(original)
    position = original.index(b"stream") + 40
    altered[position] ^= 0x01
    altered = bytes(altered)
    for item in manifest["files"]:
        if item["path"] == name:
            item["sha256"] = hashlib.sha256(altered).hexdigest()
    forged = tmp_path / "scellé-modifié.zip"
    rewrite(
        built.path,
        forged,
        change={
            name: lambda d: altered,
            MANIFEST: lambda d: json.dumps(manifest).encode(),
        },
    )
    summary, _out, err = verify_failing(forged, *built.certificates)
    assert "1 différence(s)" in summary
    assert f"{name} : sceau rompu — le document a été modifié après scellement." in err


def test_a_seal_from_another_certificate_is_refused(built, tmp_path, seal_certificate):
    from cej.sealing import create_development_certificate

    other = tmp_path / "autre.pem"
    create_development_certificate(other, tmp_path / "autre.key", common_name="Un autre sceau")
    _summary, _out, err = verify_failing(built.path, other)
    assert "sceau intact, mais émis par un certificat qui n'est pas celui attendu" in err
