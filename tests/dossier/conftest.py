"""One dossier of the sealed Loire demo, built once per test process and read by every test
that only reads it (the manifest, the seals, verify_dossier, the README)."""

import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

_BUILT: dict = {}


@dataclass
class Built:
    path: Path
    dossier: object
    documents: dict  # pk → (sha256, sealed, size) of the contract's stored documents
    chunks: int
    # The seal certificates of the run: the test's, and the one the session's demo sealed
    # its annual reviews with, when one was configured (the developer's var/seal).
    certificates: list

    def archive(self) -> zipfile.ZipFile:
        return zipfile.ZipFile(self.path)


@pytest.fixture
def built(request, tmp_path_factory) -> Built:
    if "built" not in _BUILT:
        from django.conf import settings
        from django.contrib.auth import get_user_model

        from cej.models import Document
        from dossier.build import Dossier

        certificates = [Path(settings.SEAL_CERTIFICATE_PATH)]
        demo = request.getfixturevalue("sealed_demo")
        certificates.append(Path(settings.SEAL_CERTIFICATE_PATH))
        user = get_user_model().objects.get(username="cdaje")
        dossier = Dossier(demo.contract, user=user)
        path = tmp_path_factory.mktemp("dossier") / "dossier.zip"
        chunks = 0
        with open(path, "wb") as handle:
            for chunk in dossier.stream():
                handle.write(chunk)
                chunks += 1
        documents = {
            d.pk: (d.sha256, d.sealed, d.size)
            for d in Document.objects.filter(contract=demo.contract)
        }
        _BUILT["built"] = Built(
            path=path,
            dossier=dossier,
            documents=documents,
            chunks=chunks,
            certificates=[c for c in certificates if c.is_file()],
        )
    return _BUILT["built"]
