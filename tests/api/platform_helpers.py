"""What the platform tests of the API share: a token for a demo user, its header, and the
security events written while a test runs."""

import datetime
import io
import json
import logging

from django.test import Client
from django.utils import timezone

from api.tokens import create_token
from cej.log_format import JsonLineFormatter


def token_for(user, *, read_only=True, days=30, name="Outil de test"):
    """A new token of `user`: (the token, the headers that present it)."""
    new = create_token(
        user=user,
        name=name,
        expires_on=timezone.localdate() + datetime.timedelta(days=days),
        read_only=read_only,
    )
    return new.token, bearer(new.secret)


def client_with_token(user, *, read_only: bool = True, name: str = "Outil de test") -> Client:
    """A client that authenticates as a program does: by a token of `user`, no session."""
    return Client(**token_for(user, read_only=read_only, name=name)[1])


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


class SecurityEvents:
    """Collects the security log's events (JSON lines, parsed back) while in use."""

    def __enter__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(JsonLineFormatter())
        logging.getLogger("cej.security").addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        logging.getLogger("cej.security").removeHandler(self.handler)

    def named(self, name: str) -> list[dict]:
        events = [json.loads(line) for line in self.stream.getvalue().splitlines()]
        return [event for event in events if event["event"] == name]

    @property
    def text(self) -> str:
        return self.stream.getvalue()
