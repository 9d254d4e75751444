"""WSGI entry point (gunicorn config.wsgi, and runserver through WSGI_APPLICATION)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (configured by get_wsgi_application)

try:
    settings.SECRET_KEY  # noqa: B018 (Django raises, in English, when it is empty)
except ImproperlyConfigured:
    # Refuse to serve at start-up, in French, rather than fail on the first request.
    raise ImproperlyConfigured(settings.MISSING_SECRET_KEY) from None
