"""deploy/nginx.conf itself, run in front of the rehearsal's gunicorn instances: the shipped
file with only what belongs to this machine replaced (ports, a self-signed certificate, the
upstream servers), in an nginx of its own (its own prefix, logs and temporary files), always
stopped. Needs `nginx` (apt-get install nginx-light) and `openssl` on PATH."""

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.sandbox import ROOT, SandboxError, free_port, run

SHIPPED = ROOT / "deploy" / "nginx.conf"


@dataclass
class Proxy:
    http_port: int
    https_port: int
    folder: Path

    def error_log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _nginx() -> str | None:
    # Debian installs it in /usr/sbin, which a non-root PATH often lacks.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")


def missing_tools() -> list[str]:
    missing = [] if _nginx() else ["nginx"]
    return missing + ([] if shutil.which("openssl") else ["openssl"])


def site_config(*, backends: list[int], http_port: int, https_port: int, folder: Path) -> str:
    """deploy/nginx.conf for this machine: nothing else changed."""
    text = SHIPPED.read_text(encoding="utf-8")
    servers = "\n    ".join(f"server 127.0.0.1:{port} fail_timeout=0;" for port in backends)
    replacements = [
        (r"server 127\.0\.0\.1:8000 fail_timeout=0;", servers),
        (r"listen (\[::\]:)?80;", rf"listen \g<1>{http_port};"),
        (r"listen (\[::\]:)?443 ", rf"listen \g<1>{https_port} "),
        (r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(folder / "certificate.pem")),
        (r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(folder / "key.pem")),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        if not count:
            raise SandboxError(f"« {pattern} » absent de deploy/nginx.conf : à mettre à jour ici.")
    if not _ipv6():
        text = re.sub(r"\n *listen \[::\]:[^;]*;", "", text)
    return text


def _ipv6() -> bool:
    """Whether this machine can listen on IPv6 (some containers cannot)."""
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


def _main_config(folder: Path) -> str:
    # As root, nginx's workers would switch to an account that cannot read this folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"{kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{}}\nhttp {{\naccess_log {folder / 'access.log'};\n{temp}"
        f"include {folder / 'site.conf'};\n}}\n"
    )


@contextmanager
def running_proxy(*, backends: list[int], folder: Path) -> Iterator[Proxy]:
    folder.mkdir(parents=True, exist_ok=True)
    run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1",
            "-keyout", folder / "key.pem", "-out", folder / "certificate.pem",
        ],
        env=dict(os.environ),
        timeout=60,
    )  # fmt: skip
    proxy = Proxy(http_port=free_port(), https_port=free_port(), folder=folder)
    (folder / "site.conf").write_text(
        site_config(
            backends=backends,
            http_port=proxy.http_port,
            https_port=proxy.https_port,
            folder=folder,
        )
    )
    (folder / "nginx.conf").write_text(_main_config(folder))
    command = [_nginx(), "-p", str(folder), "-e", str(folder / "error.log")]
    command += ["-c", str(folder / "nginx.conf")]
    run([*command, "-t"], env=dict(os.environ), timeout=30)
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_port(proxy.https_port, process, proxy)
        yield proxy
    finally:
        process.terminate()  # nginx's fast shutdown; its workers follow their master
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)


def _wait_for_port(port: int, process: subprocess.Popen, proxy: Proxy, timeout=15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SandboxError(f"nginx s'est arrêté :\n{proxy.error_log()}")
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SandboxError(f"nginx n'écoute pas après {timeout} s :\n{proxy.error_log()}")
