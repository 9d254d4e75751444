"""Uploads: judged from their content, kept out of every public folder, served only through
scoped views.

Scans of signed originals must be inert PDFs (no script, no launch action, no embedded file),
wherever the PDF hides it; budget workbooks must not unpack into more than a budget ever
holds, and a refused file never waits in storage. Neither the stored documents nor the
folder holding them answer at any URL but the scoped download. (Magic bytes, size and empty
files: tests/pilotage/test_documents.py and tests/financing/test_imports.py.)"""

import io
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve

from cej.checks import private_storage_check
from cej.documents import validate_pdf_upload
from cej.models import Document, DocumentKind
from cej.pdf_safety import active_content
from tests.pdftools import build_pdf as pdf

pytestmark = pytest.mark.django_db


# --- PDFs written by hand ----------------------------------------------------------------------


def pdf_with_hidden_object(hidden: bytes, *, catalog: bytes) -> bytes:
    """A PDF 1.5 whose object 4 (`hidden`) sits compressed inside an object stream (object
    5), found through a cross-reference stream (object 6): no byte of it shows in the file."""
    plain = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    header = b"4 0 "
    packed = zlib.compress(header + hidden)
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number, body in enumerate(plain, start=1):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[5] = len(out)
    out += (
        b"5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    offsets[6] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in (1, 2, 3):
        rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    rows.append(b"\x02" + (5).to_bytes(4, "big") + b"\x00\x00")  # object 4: in 5, index 0
    for number in (5, 6):
        rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    table = b"".join(rows)
    out += (
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n"
        % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def stored_files(folder="") -> set[str]:
    """Every file in the documents' storage, through its API."""
    folders, files = default_storage.listdir(folder)
    names = {f"{folder}/{name}".lstrip("/") for name in files}
    for sub in folders:
        names |= stored_files(f"{folder}/{sub}".lstrip("/"))
    return names


def refusal(content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        validate_pdf_upload(SimpleUploadedFile("scan.pdf", content))
    return " ".join(error.value.messages)


ALERT = b"<< /S /JavaScript /JS (app.alert\\('bonjour'\\)) >>"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (pdf(catalog=b"/OpenAction " + ALERT), "du JavaScript"),
        # The same, its names written with #-escapes: a reader still runs it.
        (
            pdf(catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"),
            "du JavaScript",
        ),
        (
            pdf(
                catalog=b"/Names << /JavaScript << /Names [(ouverture) 4 0 R] >> >>", extra=(ALERT,)
            ),
            "du JavaScript",
        ),
        (
            pdf(
                page=b"/Annots [4 0 R]",
                extra=(
                    b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
                    b"/A << /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >> >>",
                ),
            ),
            "une action qui lance un programme ou un fichier externe",
        ),
        (
            pdf(
                catalog=b"/Names << /EmbeddedFiles << /Names [(facture.exe) 4 0 R] >> >>",
                extra=(
                    b"<< /Type /Filespec /F (facture.exe) /EF << /F 5 0 R >> >>",
                    b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
                ),
            ),
            "des fichiers joints",
        ),
        (
            pdf(catalog=b"/AcroForm << /Fields [] /XFA 4 0 R >>", extra=(b"[]",)),
            "un formulaire XFA",
        ),
    ],
    ids=["open-action", "escaped-names", "name-tree", "launch", "embedded-file", "xfa"],
)
def test_a_scan_with_active_content_is_refused_in_french(content, what):
    message = refusal(content)
    assert message.startswith(f"Ce PDF contient {what} : il ne peut pas être déposé")


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    content = pdf_with_hidden_object(ALERT, catalog=b"/OpenAction 4 0 R")
    assert b"JavaScript" not in content  # no byte scan would see it
    assert active_content(content) == ["du JavaScript"]
    assert "Ce PDF contient du JavaScript" in refusal(content)


def test_javascript_in_an_object_no_table_points_to_is_found():
    """A reader repairing the file would find the object; the byte scan does too."""
    content = pdf() + b"9 0 obj\n" + ALERT + b"\nendobj\n"
    assert active_content(content) == ["du JavaScript"]


def test_a_link_to_a_web_page_is_not_active_content():
    link = (
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 100] "
        b"/A << /S /URI /URI (https://www.caf.fr/) >> >>"
    )
    content = pdf(page=b"/Annots [4 0 R]", extra=(link,))
    assert validate_pdf_upload(SimpleUploadedFile("scan.pdf", content)) == content


def stored_bytes(kind) -> bytes:
    document = Document.objects.get(kind=kind)
    with default_storage.open(document.file.name, "rb") as handle:
        return handle.read()


def test_the_application_s_own_sealed_pdf_would_be_accepted(sealed_demo, monkeypatch):
    """Its 3 000 objects sit in object streams: each stream is read once, never object by
    object through pyHanko's reader (which rescans the stream's index for each object and
    took a minute of CPU on this file)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    def one_by_one(*args):
        raise AssertionError("an object stream was read object by object")

    monkeypatch.setattr(PdfFileReader, "_get_object_from_stream", one_by_one)
    assert active_content(stored_bytes(DocumentKind.SIGNED_CONTRACT)) == []


def test_reading_object_streams_at_once_gives_pyhanko_s_own_objects(sealed_demo, monkeypatch):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from cej import pdf_safety

    content = stored_bytes(DocumentKind.ANNEX_CONVENTION)
    at_once = PdfFileReader(io.BytesIO(content), strict=False)
    found = pdf_safety._walk(at_once)
    monkeypatch.setattr(pdf_safety, "_read_its_object_stream", lambda *args: None)
    one_by_one = PdfFileReader(io.BytesIO(content), strict=False)
    assert pdf_safety._walk(one_by_one) == found
    objects = at_once.resolved_objects
    assert len(objects) > 100
    assert objects.keys() == one_by_one.resolved_objects.keys()
    assert {k: repr(v) for k, v in objects.items()} == {
        k: repr(v) for k, v in one_by_one.resolved_objects.items()
    }


def test_a_pdf_too_complex_to_inspect_is_refused(monkeypatch):
    monkeypatch.setattr("cej.pdf_safety.MAX_OBJECTS", 2)
    assert "trop complexe pour être vérifié" in refusal(pdf())


def test_the_not_a_pdf_message_shows_a_single_percent_sign():
    assert "« %PDF- »" in refusal(b"GIF89a, renamed .pdf")


def test_a_refused_deposit_is_shown_in_french_and_nothing_is_stored(client, sealed_demo, demo_user):
    contract = sealed_demo.contract
    stored_before = set(Document.objects.values_list("file", flat=True))
    assert stored_files() == stored_before
    client.force_login(demo_user("cdaje"))
    response = client.post(
        reverse("document_deposit", kwargs={"slug": contract.slug}),
        {
            "kind": DocumentKind.SCANNED_ORIGINAL,
            "title": "Original CAF",
            "dated": "2014-10-01",
            "file": SimpleUploadedFile("original.pdf", pdf(catalog=b"/OpenAction " + ALERT)),
        },
    )
    assert response.status_code == 400
    assert "Ce PDF contient du JavaScript" in response.content.decode()
    assert set(Document.objects.values_list("file", flat=True)) == stored_before
    assert stored_files() == stored_before


# --- budget workbooks ---------------------------------------------------------------------------

IMPORT = "/contracts/cej-loire-2014-2017/budget/import/"


@pytest.fixture
def finance(client, contract_in_preparation, demo_user):
    """A finance officer on the contract in preparation: an import changes planned lines,
    which a signed contract changes only through an avenant."""
    client.force_login(demo_user("finance"))
    return client


def pending_files() -> list[str]:
    try:
        return default_storage.listdir("imports")[1]
    except FileNotFoundError:
        return []


def workbook_archive(members: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return output.getvalue()


def export(client, extension) -> bytes:
    return client.get(f"/contracts/cej-loire-2014-2017/budget/export.{extension}").content


@pytest.mark.parametrize(
    ("make", "name", "message"),
    [
        (
            lambda client: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64,
            "budget.xlsx",
            "n'est pas un fichier XLSX valide : son contenu n'est ni un classeur ni un fichier "
            "texte.",
        ),
        (
            lambda client: export(client, "ods"),
            "budget.csv",
            "n'est pas un fichier CSV valide : son contenu est celui d'un fichier ODS.",
        ),
        (
            lambda client: b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4,  # gzip data
            "budget.csv",
            "n'est pas un fichier CSV valide : son contenu n'est ni un classeur ni un fichier "
            "texte.",
        ),
    ],
    ids=["image-named-xlsx", "ods-named-csv", "binary-named-csv"],
)
def test_a_workbook_is_judged_by_its_content_and_a_refused_one_never_waits(
    finance, make, name, message
):
    response = finance.post(IMPORT, {"file": SimpleUploadedFile(name, make(finance))})
    assert response.status_code == 200
    assert any(message in str(issue) for issue in response.context["issues"])
    assert "budget_import" not in finance.session
    assert pending_files() == []


def test_a_workbook_that_unpacks_into_gigabytes_is_refused_before_it_is_read(finance):
    bomb = workbook_archive(
        {"xl/workbook.xml": b"<workbook/>", "xl/sharedStrings.xml": b"\x00" * (60 * 1024 * 1024)}
    )
    assert len(bomb) < 200 * 1024
    response = finance.post(IMPORT, {"file": SimpleUploadedFile("budget.xlsx", bomb)})
    [error] = response.context["form"].errors["file"]
    assert error.startswith("Ce classeur se décompresse en 60 Mo (2 éléments) :")
    assert "50 Mo au plus sont acceptés" in error
    assert pending_files() == []


def test_a_workbook_of_thousands_of_members_is_refused(finance):
    crowd = workbook_archive({f"xl/media/image{n}.png": b"" for n in range(1001)})
    response = finance.post(IMPORT, {"file": SimpleUploadedFile("budget.xlsx", crowd)})
    [error] = response.context["form"].errors["file"]
    assert "(1\u202f001 éléments)" in error


def test_a_real_export_passes_the_archive_check(finance):
    for extension in ("xlsx", "ods"):
        response = finance.post(
            IMPORT, {"file": SimpleUploadedFile(f"budget.{extension}", export(finance, extension))}
        )
        # 2014: two CEJ lines and the annex convention's; 2015–2017: the two CEJ lines and,
        # since avenant n° 1, two annex lines (fiches n° 4 and 15).
        assert response.context["plan"].counts["unchanged"] == 3 + 3 * 4


# --- outside the web root, served only through scoped views -----------------------------------


def test_the_default_folders_do_not_overlap():
    private = Path(django_settings.PRIVATE_STORAGE_ROOT).resolve()
    public = [Path(django_settings.STATIC_ROOT).resolve()]
    public += [Path(folder).resolve() for folder in django_settings.STATICFILES_DIRS]
    for folder in public:
        assert folder != private
        assert folder not in private.parents and private not in folder.parents


def test_the_start_up_check_passes_on_the_defaults(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.PRIVATE_STORAGE_ROOT, "base_url": None},
        },
    }
    assert private_storage_check(None) == []


@pytest.mark.parametrize("where", ["inside-static-root", "is-static-root", "inside-static-dir"])
def test_the_start_up_check_refuses_documents_under_a_static_folder(settings, tmp_path, where):
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    location = {
        "inside-static-root": tmp_path / "staticfiles" / "private",
        "is-static-root": tmp_path / "staticfiles",
        "inside-static-dir": tmp_path / "static" / "documents",
    }[where]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location, "base_url": None},
        },
    }
    [error] = private_storage_check(None)
    assert error.id == "cej.E001"
    assert "les documents seraient servis sans contrôle" in error.msg


def _patterns(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_no_url_serves_files_from_a_folder():
    for route, callback in _patterns(get_resolver()):
        assert callback is not serve, route
        assert not route.startswith(("media", "var", "private", "documents")), route


def test_a_stored_document_answers_at_no_url_but_the_scoped_download(
    client, sealed_demo, demo_user
):
    document = Document.objects.get(kind=DocumentKind.SIGNED_CONTRACT)
    name = document.file.name
    client.force_login(demo_user("cdaje"))
    for address in [
        f"/media/{name}",
        f"/static/{name}",
        f"/{name}",
        f"/var/private/{name}",
        f"/static/../var/private/{name}",
        f"/static/%2e%2e/var/private/{name}",
        f"/static/..%2fvar/private/{name}",
    ]:
        assert client.get(address).status_code == 404, address
    download = reverse(
        "document_download", kwargs={"slug": document.contract.slug, "pk": document.pk}
    )
    assert client.get(download).status_code == 200
