"""Settings for CEJ Loire, read from the environment (django-environ).

Every variable is listed in `.env.example`. Nothing here needs changing between machines:
development is `DEBUG=true`, production sets `SECRET_KEY`, `ALLOWED_HOSTS` and
`DATABASE_URL`.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local `.env` is a convenience for developers; real deployments use the environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

# Serving needs a secret (sessions, CSRF, signed cookies): config/wsgi.py refuses to start
# without one, with this message. Commands that sign nothing (makemigrations, collectstatic,
# check --deploy, which reports the missing key) run without it, as Django intends since it
# validates SECRET_KEY on first use only.
MISSING_SECRET_KEY = (
    "SECRET_KEY n'est pas définie : donnez-lui une longue valeur aléatoire "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
    "ou mettez DEBUG=true pour un usage en développement uniquement."
)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # The layers, lower to higher (pyproject.toml [tool.importlinter] enforces them).
    "partners",
    "cej",
    "notifications",
    "comments",
    "fiches",
    "financing",
    "reviews",
    "pilotage",
    "agenda",
    "dossier",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cej.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cej.security_log.PermissionDeniedLogMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the French lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# Django's form renderer with inputs and selects built in Python, to the same HTML: widgets
# were the largest cost of the pages with forms (cej/form_renderer.py).
FORM_RENDERER = "cej.form_renderer.FormRenderer"

# SQLite file by default so that `make run` needs no configuration;
# PostgreSQL with DATABASE_URL=postgres://user@host:5432/name.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening one per request costs more than a whole cached page on
# PostgreSQL. Health checks drop a connection the server closed before reusing it.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's threaded server writes from several threads: take SQLite's write lock when a
    # transaction begins and wait for it (up to 20 s: sealing renders PDFs inside its
    # transaction), instead of failing « database is locked » when a transaction that has
    # read tries to write. Measured: 40 of 80 concurrent saves failed without, none with.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out username + address before any password is
# checked. Then Django's rules, with permissions, territories and partners read in one query
# (cej/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cej.auth_backends.ViewerBackend",
]

# --- Login hardening (django-axes) -------------------------------------------------------
# Five wrong passwords for one username from one address lock that pair: the same person
# elsewhere, and other accounts from the same office, can still log in. An administrator
# unlocks it in /admin/ (Axes › Access attempts: delete the line) or with
# `python manage.py axes_reset_username <username>`; otherwise it unlocks by itself after
# AXES_COOLOFF_HOURS.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# Passwords never reach the access log; usernames do (they are what an unlock needs).
AXES_SENSITIVE_PARAMETERS = ["password"]
# The client's address (lockouts, security log): REMOTE_ADDR, or behind the reverse proxy
# (BEHIND_HTTPS_PROXY) the address the proxy appended to X-Forwarded-For — never one the
# client wrote itself, which would let anyone pick a fresh address per attempt
# (cej/client_address.py).
BEHIND_HTTPS_PROXY = env.bool("BEHIND_HTTPS_PROXY", default=False)
AXES_CLIENT_IP_CALLABLE = "cej.client_address.client_address"

# --- Sessions --------------------------------------------------------------------------
# A session lasts one working day at most and ends with the browser. Changing a password
# ends every other session of that user (Django's session hash, see
# tests/cej/test_login_security.py).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "contract_list"
LOGOUT_REDIRECT_URL = "login"

# E-mail (notifications, reminders): one URL says the backend and the server.
# smtp://user:password@host:25, smtp+tls://…:587, smtp+ssl://…:465 in production; consolemail://
# prints each message (the default with DEBUG, so `make run` needs nothing).
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(env.email_url_config(EMAIL_URL))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="CEJ Loire <ne-pas-repondre@cej.example.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as people reach it: e-mails and the iCalendar feed link to it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- HTTPS and browser protections ------------------------------------------------------
# On unless DEBUG: a production instance that forgets a variable stays safe. Behind a
# reverse proxy that terminates TLS, set BEHIND_HTTPS_PROXY=true so that Django trusts its
# X-Forwarded-Proto header (and does not redirect https requests forever).
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # Asking browsers to preload HSTS binds the whole parent domain (the département's
    # other sites) for months: the domain owner's decision, taken with SECURE_HSTS_PRELOAD,
    # not a default an application may take for them.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and
# images only from this site, no inline script or style, no eval, no framing, forms post
# only here. The templates hold no inline script or handler (tests/cej/test_security.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Stored documents (signed contracts, scans, budget imports awaiting confirmation) are never
# served from a public URL: they go out only through scoped views, read with Django's storage
# API. On local disk under PRIVATE_STORAGE_ROOT by default; with DOCUMENTS_STORAGE=s3, in a
# bucket of any S3-compatible service (AWS, OVHcloud, Scaleway, Outscale, MinIO, Garage…),
# which lets several instances on different machines share them.
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=BASE_DIR / "var" / "private")
MEDIA_ROOT = PRIVATE_STORAGE_ROOT
DOCUMENTS_STORAGE = env.str("DOCUMENTS_STORAGE", default="local").strip().lower()
if DOCUMENTS_STORAGE == "local":
    DOCUMENTS_STORAGE_BACKEND = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PRIVATE_STORAGE_ROOT,
            "base_url": None,
            # Readable by the application's user and group only, not by every local account.
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
elif DOCUMENTS_STORAGE == "s3":
    if not env.str("S3_BUCKET", default=""):
        raise ImproperlyConfigured(
            "DOCUMENTS_STORAGE=s3 demande S3_BUCKET (le nom du bucket des documents)."
        )
    DOCUMENTS_STORAGE_BACKEND = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            # Empty for AWS itself; the service's address otherwise (https://s3.gra.io.cloud.ovh.net).
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            # Empty: boto3 looks for credentials itself (instance role, ~/.aws, AWS_* variables).
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            # A folder inside the bucket, if the bucket is shared (« cej-loire/production »).
            "location": env.str("S3_PREFIX", default="").strip("/"),
            # "path" for services without a DNS name per bucket (MinIO, Garage); empty: boto3's.
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="") or None,
            "signature_version": "s3v4",
            # Every object private. A bucket with ACLs disabled (AWS's default since 2023)
            # refuses any ACL header but « bucket-owner-full-control »: set S3_DEFAULT_ACL to
            # an empty value there — the bucket's own policy then keeps objects private.
            "default_acl": env.str("S3_DEFAULT_ACL", default="private") or None,
            # A stored name never silently replaces another document.
            "file_overwrite": False,
            # No public URL: files go out only through the scoped views. Should a URL ever be
            # asked for, it is signed and short-lived.
            "querystring_auth": True,
            "querystring_expire": 300,
            "custom_domain": None,
        },
    }
else:
    raise ImproperlyConfigured(
        f"DOCUMENTS_STORAGE={DOCUMENTS_STORAGE!r} : valeurs possibles « local » (disque, "
        "PRIVATE_STORAGE_ROOT) ou « s3 » (service compatible S3, variables S3_*)."
    )

STORAGES = {
    "default": DOCUMENTS_STORAGE_BACKEND,
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        ),
    },
}
# Source maps are for a developer's browser tools, never sent to a reader: collected as they
# are, not compressed. drf-spectacular-sidecar ships 6 MB of them, whose gzip and brotli
# copies took ~17 s of CPU at every `collectstatic` (deployment, and the deployment tests).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# Electronic seal of signed contracts (PAdES): PEM certificate and key, and the key's
# passphrase. `manage.py create_seal_certificate` writes a self-signed development pair at the
# default paths; production points these at the organisation's own seal.
SEAL_CERTIFICATE_PATH = env.str(
    "SEAL_CERTIFICATE_PATH", default=str(BASE_DIR / "var" / "seal" / "certificate.pem")
)
SEAL_KEY_PATH = env.str("SEAL_KEY_PATH", default=str(BASE_DIR / "var" / "seal" / "key.pem"))
SEAL_KEY_PASSPHRASE = env.str("SEAL_KEY_PASSPHRASE", default="")

# Rendered contract pages (cej.page_cache). Their keys change with the contract's data, so a
# memory cache per process stays correct with several processes or instances; CACHE_URL may
# name a shared one instead (django-environ syntax; redis:// needs the `redis` package).
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://cej-pages")}
CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 1000)
PAGE_CACHE_ALIAS = "default"
PAGE_CACHE_TIMEOUT = env.int("PAGE_CACHE_TIMEOUT", default=6 * 3600)

# The JSON API (api/): session or personal access token, scoped like the pages, French
# errors, paginated, throttled per token (API_THROTTLE_RATE, e.g. "600/min").
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a request without credentials is answered 401 with
        # `WWW-Authenticate: Bearer`, not 403.
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "api.permissions.AuthenticatedActive",
        "api.permissions.TokenMayWrite",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env.str("API_THROTTLE_RATE", default="600/min")},
    "DEFAULT_SCHEMA_CLASS": "api.schema.FrenchAutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.french_errors",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CEJ Loire — API",
    "DESCRIPTION": (
        "Lecture des contrats enfance jeunesse, de leurs fiches, budgets, paiements, "
        "indicateurs, bilans et documents ; saisie de l'exécution (réalisé, paiements reçus). "
        "Authentification : `Authorization: Bearer <jeton d'accès personnel>`."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The documentation's sections in this order (each operation's is api.schema.TAGS's).
    "TAGS": [
        {"name": name}
        for name in (
            "Contrats",
            "Parties et signatures",
            "Objectifs",
            "Fiches actions",
            "Indicateurs",
            "Bilans annuels",
            "Avenants",
            "Documents",
            "Budget",
            "Versements des financeurs",
        )
    ],
}

# How long the author of a comment may still edit or delete it (its earlier text is kept).
COMMENT_EDIT_MINUTES = env.int("COMMENT_EDIT_MINUTES", default=15)

# Uploaded scans of signed originals: PDF only, at most this many bytes.
DOCUMENT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024

# Demo accounts (password "demo") are created by `load_demo` only in development or when
# explicitly asked for: they must never appear silently on a production instance.
DEMO_ACCOUNTS = env.bool("DEMO_ACCOUNTS", default=DEBUG)

IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json_line": {"()": "cej.log_format.JsonLineFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # The security log (cej/security_log.py): JSON lines on standard output.
        "security": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json_line",
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "cej.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # django-axes narrates each attempt (at WARNING); the security log records them.
        "axes": {"level": "ERROR"},
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every layout step at INFO, fontTools every subset: noise.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
