"""The settings the test suite runs with: production's (`config.settings`, DEBUG off, secure
cookies, HSTS, CSP, django-axes) except the redirect to https, since Django's test client
and live server speak plain http. `tests/cej/test_security.py` checks the redirect itself
with the production settings."""

from config.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
