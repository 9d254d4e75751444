"""A real SMTP server for the tests (aiosmtpd), and the e-mails it received read back as
`email.message.EmailMessage` objects. Django sends through its SMTP backend to it, exactly as
in production: headers, encodings and multipart bodies are the ones a mail client gets.

    def test_…(smtp_server):          # settings point Django's SMTP backend at it
        …
        (message,) = smtp_server.messages
        assert message["To"] == "…"
        smtp_server.text(message), smtp_server.html(message)
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field

import pytest


@dataclass
class Received:
    """What the server received: each message with the envelope it came in."""

    messages: list = field(default_factory=list)
    envelopes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()

    def to(self, address: str) -> list:
        """The messages whose envelope recipients include `address`."""
        with self.lock:
            return [
                message
                for message, (_, recipients) in zip(self.messages, self.envelopes, strict=True)
                if address in recipients
            ]

    @staticmethod
    def text(message) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @staticmethod
    def html(message) -> str:
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class _Handler:
    def __init__(self, received: Received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.received.lock:
            self.received.messages.append(message)
            self.received.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def _smtp_controller():
    from aiosmtpd.controller import Controller

    received = Received()
    controller = Controller(_Handler(received), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, received
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(_smtp_controller, settings) -> Received:
    """Django's SMTP backend pointed at the tests' server, its mailbox empty."""
    controller, received = _smtp_controller
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    received.clear()
    return received
