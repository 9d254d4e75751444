"""`make loadtest`, processes and CPU: gunicorn and locust started in their own process
groups, waited for, warmed up and stopped; the CPU they, PostgreSQL and the machine use.
See benchmarks/loadtest.py."""

import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.loadtest_common import ROOT, SetupError, tail


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A child in its own session, so that its whole process group can be stopped."""
    with log.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def signal_group(group: int, signum: int) -> bool:
    """Send `signum` to the process group; False when no process of it is left."""
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return False
    return True


def stop(process: subprocess.Popen | None, *, grace: float = 10) -> None:
    """SIGTERM to the process group, SIGKILL after `grace` seconds; then nothing of the group
    may remain (gunicorn's workers included)."""
    if process is None:
        return
    group = process.pid  # start_new_session: the child leads its own group
    signal_group(group, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        signal_group(group, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + grace
    while signal_group(group, 0):
        if time.monotonic() > deadline + grace:
            print(f"Attention : le groupe de processus {group} survit à SIGKILL.", file=sys.stderr)
            return
        if time.monotonic() > deadline:
            signal_group(group, signal.SIGKILL)
        time.sleep(0.1)


def wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SetupError(f"gunicorn s'est arrêté (code {server.returncode}) :\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise SetupError(f"gunicorn ne répond pas après {timeout:.0f} s :\n{tail(log)}")


def warm_up(url: str, workers: int) -> None:
    """Concurrent requests, so that every worker has loaded the URLconf and its views (Django
    does it on the first request) before the measure: a server in service is warm."""

    def get(_):
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for _ in range(3):
            list(pool.map(get, range(workers * 2)))


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def machine_cpu() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine since boot (Linux; zeros elsewhere)."""
    try:
        ticks = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks[:8]) - idle, sum(ticks[:8])


def busy_pct(before: tuple[int, int], after: tuple[int, int]) -> float | None:
    total = after[1] - before[1]
    return round(100 * (after[0] - before[0]) / total, 1) if total else None


def process_cpu(*, group: int | None = None, database: str | None = None) -> dict[int, float]:
    """CPU seconds so far of the live processes of a process group, or of the PostgreSQL
    backends connected to a database (their title reads "postgres: … user database …")."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            stat = (proc / "stat").read_text()
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        if (group is not None and int(fields[2]) == group) or (
            database is not None and title.startswith("postgres:") and f" {database} " in title
        ):
            found[int(proc.name)] = (int(fields[11]) + int(fields[12])) / tick
    return found


class CpuWatch:
    """CPU seconds used during the run by gunicorn (its process group) and by the PostgreSQL
    backends of the load test database, sampled every second or so: a backend that closes
    meanwhile (CONN_MAX_AGE recycles them) counts up to its last sample."""

    def __init__(self, *, group: int, database: str):
        self.group, self.database = group, database
        self.before = {"gunicorn": process_cpu(group=group), "postgres": self._postgres()}
        self.last = {name: dict(seen) for name, seen in self.before.items()}

    def _postgres(self):
        return process_cpu(database=self.database)

    def sample(self) -> None:
        self.last["gunicorn"].update(process_cpu(group=self.group))
        self.last["postgres"].update(self._postgres())

    def seconds(self, name: str) -> float:
        before, last = self.before[name], self.last[name]
        return round(sum(last[pid] - before.get(pid, 0) for pid in last), 1)
