"""The house in layers, lower to higher: partners <- cej <- … <- agenda <- dossier <- api | demo
<- config (pyproject.toml [tool.importlinter]).

`make lint` runs import-linter on the contract in pyproject.toml. These tests keep that
contract honest: every project app is in it, in the order the settings install them, and an
import going up a layer does break it (checked on a copy of the code with one such import)."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _layers() -> list[list[str]]:
    """The layers, higher first; each a list of the apps in it (`api | demo`: two apps side
    by side, independent of each other)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    layers = [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]
    assert sorted(config["root_packages"]) == sorted(name for layer in layers for name in layer)
    return layers


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=60
    )


def test_every_project_app_is_a_layer_in_the_order_it_is_installed():
    project_apps = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT.resolve()
    ]
    lower_to_higher = [name for layer in reversed(_layers()) for name in layer]
    assert lower_to_higher[0] != "config" and lower_to_higher[-1] == "config"
    assert project_apps == lower_to_higher[:-1], (
        "A new app must take its place in pyproject.toml [tool.importlinter] and in "
        "INSTALLED_APPS, lower layers first."
    )


def test_the_code_keeps_the_layers():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_going_up_a_layer_breaks_the_lint(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in (name for layer in _layers() for name in layer):
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations", "*.html"),
        )
    money = tmp_path / "cej" / "money.py"
    money.write_text(money.read_text() + "\n\ndef _up():\n    from pilotage import signing\n")

    result = _lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "cej is not allowed to import pilotage" in result.stdout
    assert "cej.money -> pilotage.signing" in result.stdout
