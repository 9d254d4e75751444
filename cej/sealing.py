"""The application's electronic seal (PAdES, pyHanko) and its development certificate.

A signed contract is sealed once, when its last representative has signed: the seal binds the
bytes, so any later change to the file shows as a broken signature in every PDF reader (and in
poppler's `pdfsig`). The certificate and key come from settings; in production they are the
organisation's qualified seal, in development a self-signed certificate made by
`python manage.py create_seal_certificate`.
"""

import asyncio
import datetime
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

SEAL_FIELD_NAME = "SceauCEJ"
DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


class SealUnavailable(Exception):
    """The seal's certificate or key is missing or unreadable; the message says what to do."""


def seal_configured() -> bool:
    return bool(settings.SEAL_CERTIFICATE_PATH and settings.SEAL_KEY_PATH) and all(
        Path(path).is_file() for path in (settings.SEAL_CERTIFICATE_PATH, settings.SEAL_KEY_PATH)
    )


def _signer() -> signers.SimpleSigner:
    if not seal_configured():
        raise SealUnavailable(
            _(
                "Le certificat du sceau électronique est introuvable (%(cert)s, %(key)s). "
                "Configurez SEAL_CERTIFICATE_PATH et SEAL_KEY_PATH, ou créez un certificat de "
                "développement avec « python manage.py create_seal_certificate »."
            )
            % {"cert": settings.SEAL_CERTIFICATE_PATH, "key": settings.SEAL_KEY_PATH}
        )
    passphrase = settings.SEAL_KEY_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load(
        settings.SEAL_KEY_PATH, settings.SEAL_CERTIFICATE_PATH, key_passphrase=passphrase
    )
    if signer is None:
        raise SealUnavailable(
            _("La clé du sceau électronique ne peut pas être lue (phrase secrète incorrecte ?).")
        )
    return signer


def seal_pdf(pdf: bytes, *, reason: str, location: str) -> bytes:
    """Apply the PAdES seal as an incremental update (the sealed bytes start with the
    original ones, so a PDF/A document stays PDF/A)."""
    signer = _signer()
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )

    def sign() -> bytes:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        output = asyncio.run(signers.async_sign_pdf(writer, metadata, signer=signer))
        return output.getvalue()

    # pyHanko signs through asyncio.run(), which refuses to start inside a running event
    # loop (an async caller, a notebook, a browser-test thread): sign in a worker thread then.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return sign()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign).result()


def create_development_certificate(
    cert_path: Path, key_path: Path, *, passphrase: str = "", common_name: str
) -> None:
    """A self-signed RSA certificate for sealing, valid ten years. For development and
    demonstration only: readers will show the seal as intact but its issuer as untrusted."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CEJ Loire (développement)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            # id-kp-documentSigning (RFC 9336): this key seals documents, nothing else.
            x509.ExtendedKeyUsage([DOCUMENT_SIGNING]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    for path in (cert_path, key_path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(key_path).write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    Path(key_path).chmod(0o600)
    Path(cert_path).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
