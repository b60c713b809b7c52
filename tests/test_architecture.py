"""The import contracts cover the whole package, and hold."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import eventmap
from eventmap.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def contracts() -> list[dict]:
    """Return the import-linter contracts of pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["contracts"]


def test_every_module_is_either_web_cli_or_named_as_domain():
    domain = next(c for c in contracts() if c["name"].startswith("Domain modules"))
    library = next(c for c in contracts() if c["name"].startswith("The geocoding package"))
    top = {f"eventmap.{m.name}" for m in pkgutil.iter_modules(eventmap.__path__)}
    entry_points = {"eventmap.web", "eventmap.cli"}
    assert top - entry_points == set(domain["source_modules"])
    assert top - {"eventmap.geocoding"} == set(library["forbidden_modules"])


def test_every_blueprint_module_is_kept_apart():
    import eventmap.web
    from eventmap import create_app

    blueprints = next(c for c in contracts() if c["name"].startswith("Blueprints"))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    modules = {bp.import_name for bp in app.blueprints.values()}
    with app.app_context():
        db.engine.dispose()
    assert modules == set(blueprints["modules"])
    assert all(name.startswith(eventmap.web.__name__ + ".") for name in modules)


def test_the_contracts_hold():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - the project's own tool on its own config
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]
