"""gunicorn settings of CEJ Loire: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

gunicorn sits behind a reverse proxy that terminates TLS (deploy/nginx.conf) and listens on
the loopback only: the proxy buffers slow clients, which sync workers must never face.
Every value can be changed from the environment (deploy/cej-loire.service), none needs to be.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    # The cores this process may use (a CPU quota of a container or a systemd slice is not
    # seen here: set GUNICORN_WORKERS there).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# Loopback only: Django trusts the X-Forwarded-Proto header when BEHIND_HTTPS_PROXY is set, so
# nothing but the proxy may reach this port. A platform that runs the Procfile and gives a
# PORT (its router being the only way in) gets all interfaces on that port.
bind = os.environ.get("GUNICORN_BIND") or (
    f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
)

# Sync workers: every request is short (a cached page, a few queries) except the contract
# PDF, which is CPU-bound (WeasyPrint) and gains nothing from threads or async workers.
# 2 × cores + 1 is gunicorn's own advice; capped because each worker holds Django, WeasyPrint
# and pyHanko (85–100 MB measured) and a département's few dozen users never need more than 8.
worker_class = "sync"
workers = _int("GUNICORN_WORKERS", min(2 * _cores() + 1, 8))

# A worker silent this long is killed and replaced. The longest request is the first
# rendering of a contract PDF (about 2 s alone on the development machine, README
# "Performance"; 21 pages); 60 s leaves room for a loaded machine without letting a stuck
# worker hold a slot for minutes.
timeout = _int("GUNICORN_TIMEOUT", 60)
# On SIGTERM (systemctl stop/restart), requests in progress get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5

# gunicorn believes X-Forwarded-* headers (for its wsgi.url_scheme and its access log) only
# from these addresses: the proxy on the same machine. FORWARDED_ALLOW_IPS is gunicorn's own
# variable name; list the proxy's address there if it runs elsewhere.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Recycle each worker after about a thousand requests: WeasyPrint's and fontTools' caches
# grow with every PDF, and a fresh worker gives that memory back. The jitter keeps the
# workers from restarting all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Each worker imports the application itself (no preload). Measured on the development
# machine with 3 workers: 300 MB of proportional memory with or without preload (Python's
# reference counts write to the shared pages, so copy-on-write shares little), start-up 4.0 s
# instead of 2.5 s. What preload would cost is worth more: without it, `systemctl reload`
# (HUP) starts workers on the new code and lets the old ones finish their requests, so an
# upgrade drops no request; a broken configuration still stops gunicorn at once ("Worker
# failed to boot"), and a worker recycled by max_requests takes about a second to import.
preload_app = False

# No control socket (gunicorn ≥ 25 opens one at $HOME/.gunicorn/gunicorn.ctl by default): two
# instances on one machine would share that path, the hardened unit gives the service no
# writable home, and systemd already starts, stops and reloads it.
control_socket_disable = True

# The access log on standard output (journald, a container runtime), with the client's
# address as the proxy saw it and the duration in seconds; the application's own logs and
# its security log (JSON lines) go there too.
accesslog = "-"
errorlog = "-"
access_log_format = (
    '%({x-forwarded-for}i)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)s'
)
