"""`manage.py verify_documents`: every stored document against its SHA-256, one French line
per problem, a summary, a non-zero exit when anything is wrong."""

import os
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from cej.models import Document, DocumentKind
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db


def verify(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_documents", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_failing(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_documents", *args, stdout=out, stderr=err)
    return str(failure.value), err.getvalue()


def signed(contract) -> Document:
    return Document.objects.get(contract=contract, kind=DocumentKind.SIGNED_CONTRACT)


def change_one_byte(name: str) -> None:
    """Through the storage API, as on a bucket: read, flip one bit, write back in place."""
    with default_storage.open(name, "rb") as handle:
        content = bytearray(handle.read())
    content[len(content) // 2] ^= 0x01
    with default_storage.open(name, "wb") as handle:
        handle.write(bytes(content))


def test_intact_documents_pass(sealed_demo):
    """The demo's sealed documents: the signed contract, its annex convention and the act of
    avenant n° 1."""
    out, err = verify()
    assert out.strip() == "6 documents vérifiés, 0 en erreur."
    assert err == ""


def test_quiet_says_nothing_when_all_is_intact(sealed_demo):
    assert verify("--quiet") == ("", "")


def test_one_changed_byte_fails_and_names_the_document(sealed_demo):
    document = signed(sealed_demo.contract)
    change_one_byte(document.file.name)
    summary, err = verify_failing("--quiet")
    assert summary == "6 documents vérifiés, 1 en erreur."
    [line] = err.splitlines()
    assert line.startswith(
        f"Contrat cej-loire-2014-2017, document {document.pk} "
        f"(Contrat signé, « {document.filename} ») : contenu différent ; "
        f"empreinte attendue {document.sha256}, trouvée "
    )
    with default_storage.open(document.file.name, "rb") as handle:
        from cej.documents import sha256_of

        assert f"trouvée {sha256_of(handle.read())} (fichier {document.file.name})." in line


def test_a_deleted_file_fails(sealed_demo):
    document = signed(sealed_demo.contract)
    default_storage.delete(document.file.name)
    summary, err = verify_failing()
    assert summary == "6 documents vérifiés, 1 en erreur."
    assert f"document {document.pk} " in err
    assert "fichier introuvable sur le stockage" in err and "trouvée : aucune" in err


def test_an_unreadable_file_is_reported_and_the_others_still_checked(sealed_demo):
    document = signed(sealed_demo.contract)
    # A folder where the file should be: opening it fails, whoever runs the command.
    path = default_storage.path(document.file.name)
    os.remove(path)
    os.mkdir(path)
    summary, err = verify_failing()
    assert summary == "6 documents vérifiés, 1 en erreur."
    [line] = err.splitlines()
    assert f"document {document.pk} " in line
    assert "fichier illisible (IsADirectoryError" in line


def test_contract_option_limits_the_check(sealed_demo):
    other = ContractFactory(territory=sealed_demo.contract.territory)
    assert verify("--contract", other.slug)[0].strip() == "0 document vérifié, 0 en erreur."
    default_storage.delete(signed(sealed_demo.contract).file.name)
    # The damaged contract is not the one asked about.
    assert verify("--contract", other.slug)[1] == ""
    summary, _err = verify_failing("--contract", sealed_demo.contract.slug)
    assert summary == "6 documents vérifiés, 1 en erreur."


def test_an_unknown_contract_is_an_error(db):
    with pytest.raises(CommandError, match="Aucun contrat ne porte l'identifiant « absent »"):
        call_command("verify_documents", "--contract", "absent")


def test_a_list_of_every_document_with_verbosity_2(sealed_demo):
    out, _err = verify("-v", "2")
    assert out.count(": intact.") == 6
