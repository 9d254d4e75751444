"""`make loadtest`, preparation: the database `cej_loadtest` (created if missing, migrated,
the demo and the scale data loaded), the static files, and the targets of the simulated
users read from it. See benchmarks/loadtest.py."""

import os
import random
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.loadtest_common import ROOT, WORK, SetupError

PASSWORD = "demo"
SCALE_PREFIX = "scale-"
SEAL_NAME = "Sceau CEJ Loire (test de charge)"
# Simulated CDAJE agents editing the demo's contract in preparation, at once.
DEMO_EDITORS = 3


def server_env(database_url: str) -> dict[str, str]:
    """Production settings, for the management commands and gunicorn alike."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
        "PRIVATE_STORAGE_ROOT": str(WORK / "private"),
        "SEAL_CERTIFICATE_PATH": str(WORK / "seal" / "certificate.pem"),
        "SEAL_KEY_PATH": str(WORK / "seal" / "key.pem"),
        "SEAL_KEY_PASSPHRASE": "",
        "STATIC_ROOT": str(WORK / "static"),
        "LOG_LEVEL": "WARNING",
        # Locust speaks plain http to gunicorn on the loopback, as nginx does in production
        # (deploy/nginx.conf): TLS is the proxy's cost, not the application's. Secure-only
        # cookies would not be sent back over http.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
    }


def ensure_database(database_url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(database_url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SetupError(f"LOADTEST_DATABASE_URL doit désigner PostgreSQL, pas {parts.scheme!r}.")
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(maintenance, autocommit=True, connect_timeout=5) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                print(f"  base {name} créée.")
    except psycopg.OperationalError as error:
        raise SetupError(
            f"PostgreSQL injoignable ({parts.hostname}:{parts.port or 5432}) : {error}\n"
            "Démarrez-le, par exemple : "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        ) from error


def manage(env: dict, *args: str) -> None:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=False)
    if result.returncode:
        raise SetupError(f"manage.py {' '.join(args)} a échoué (code {result.returncode}).")
    print(f"  manage.py {args[0]} : {time.perf_counter() - started:.1f} s", flush=True)


def prepare(env: dict, database_url: str) -> None:
    ensure_database(database_url)
    (WORK / "seal").mkdir(parents=True, exist_ok=True)
    if not Path(env["SEAL_CERTIFICATE_PATH"]).is_file():
        manage(env, "create_seal_certificate", "--skip-checks", "--common-name", SEAL_NAME)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_demo", "--accounts")
    manage(env, "generate_scale_data", "--password", PASSWORD, "-v", "0")
    if static_files_stale():
        manage(env, "collectstatic", "--noinput", "-v", "0")


def static_files_stale() -> bool:
    """collectstatic (about ten seconds: whitenoise compresses every file) only when a
    static file or the installed packages changed since it last ran."""
    manifest = WORK / "static" / "staticfiles.json"
    if not manifest.is_file():
        return True
    sources = [ROOT / ".venv" / ".installed", *(ROOT / "static").rglob("*")]
    newest = max(path.stat().st_mtime for path in sources if path.exists())
    return newest > manifest.stat().st_mtime


def collect_targets(env: dict) -> dict:
    """Who the simulated users are and what they work on, read from the database: the
    generated accounts, and the demo partners for the Loire's sealed PDF."""
    import django

    os.environ.update(env)
    django.setup()

    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.db.models import Case, Value, When

    from cej import roles
    from cej.models import Contract, ContractStatus, Document, DocumentKind
    from fiches.models import Fiche
    from fiches.workflow import EDITABLE_STATUSES

    users = get_user_model().objects.filter(is_active=True, is_superuser=False)
    generated = users.filter(username__startswith=SCALE_PREFIX).order_by("username")

    def cdaje_target(user, territories) -> dict | None:
        """The contract of `territories` with the most fiches still editable (any, if none
        is): what this simulated CDAJE agent reads and edits."""
        best = None
        for contract in Contract.objects.filter(territory__in=territories).order_by("-start_year"):
            fiches = list(
                Fiche.objects.filter(contract=contract)
                .order_by("number")
                .values_list("number", "status")
            )
            editable = [n for n, status in fiches if status in EDITABLE_STATUSES]
            if fiches and (best is None or len(editable) > len(best["editable"])):
                best = {
                    "username": user.username,
                    "slug": contract.slug,
                    "fiches": [n for n, _ in fiches],
                    "editable": editable,
                }
        return best

    cdaje, seen = [], set()
    for user in generated.filter(groups__name=roles.CDAJE_STAFF).prefetch_related("territories"):
        territories = {t.pk for t in user.territories.all()}
        if not territories or territories & seen:
            continue  # one territory per simulated user: no two of them edit the same fiches
        seen |= territories
        if best := cdaje_target(user, territories):
            cdaje.append(best)
    # Every generated contract has ended (expired, frozen: CEJs stopped in 2021): the fiches
    # left to edit are those of the demo's contract in preparation (the Loire's successor),
    # shared by a few simulated editors — the locustfile's `_editing` keeps any two of them
    # off the same fiche.
    demo_cdaje = users.filter(username="cdaje", groups__name=roles.CDAJE_STAFF).first()
    if demo_cdaje:
        best = cdaje_target(demo_cdaje, {t.pk for t in demo_cdaje.territories.all()})
        if best and best["editable"]:
            cdaje += [best] * DEMO_EDITORS
    # The targets with fiches to edit (a contract in preparation) go first.
    cdaje.sort(key=lambda target: not target["editable"])

    finance = []
    signed_first = Case(When(status=ContractStatus.SIGNED, then=Value(0)), default=Value(1))
    for user in generated.filter(groups__name=roles.FINANCE_OFFICER):
        contract = (
            Contract.objects.filter(territory__staff=user)
            .exclude(budget_lines=None)
            .order_by(signed_first, "-start_year")
            .first()
        )
        if contract:
            years = list(range(contract.start_year, contract.end_year + 1))
            finance.append({"username": user.username, "slug": contract.slug, "years": years})

    # The demo partners first (the Loire's sealed PDF), then generated ones in a fixed shuffle,
    # so that the MSA accounts, which see three territories, are among them.
    partner_users = list(generated.filter(groups__name=roles.PARTNER_USER))
    random.Random(0).shuffle(partner_users)
    demo = users.filter(username__startswith="partner-", groups__name=roles.PARTNER_USER)
    partners = []
    for user in [*demo.order_by("username"), *partner_users]:
        documents = Document.objects.for_user(user).order_by("contract_id")
        signed = documents.filter(kind=DocumentKind.SIGNED_CONTRACT).first()
        document = signed or documents.first()
        if document is None:
            continue
        partners.append(
            {
                "username": user.username,
                "slug": Contract.objects.get(pk=document.contract_id).slug,
                "signed_document": signed is not None,
            }
        )
    connections.close_all()
    for role, found in (("CDAJE", cdaje), ("finance", finance), ("partenaire", partners)):
        if not found:
            raise SetupError(f"Aucun compte {role} utilisable dans la base de test de charge.")
    return {"password": PASSWORD, "cdaje": cdaje, "finance": finance, "partners": partners}
