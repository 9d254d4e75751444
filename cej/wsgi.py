"""WSGI entry point (gunicorn cej.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cej.settings")

application = get_wsgi_application()
