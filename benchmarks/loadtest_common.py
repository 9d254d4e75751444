"""What every part of `make loadtest` shares: where it runs, where it writes, how it fails."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "loadtest"


class SetupError(Exception):
    """The run cannot start or finish (database unreachable, a command failed): one message."""


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return ""
