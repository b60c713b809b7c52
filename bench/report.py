"""Write one benchmark's section into docs/benchmarks.md, keeping the other sections."""

from __future__ import annotations

import platform
import re
from datetime import UTC, datetime
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
TITLE = (
    "# Benchmarks\n\nEach section is written by `make bench`; rerun it to refresh the numbers.\n"
)


def machine() -> str:
    """Describe where the numbers were measured."""
    cpus = (
        Path("/proc/cpuinfo").read_text().count("processor\t:")
        if Path("/proc/cpuinfo").exists()
        else "?"
    )
    return f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, {cpus} CPU(s)"


def write_section(name: str, body: str) -> None:
    """Replace (or add) the section `## name` with `body`."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else TITLE
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = f"<!-- {name} -->\n## {name}\n\nMeasured {stamp} on {machine()}.\n\n{body.strip()}\n<!-- /{name} -->\n"
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->\n", re.S)
    text = (
        pattern.sub(lambda _m: section, text)
        if pattern.search(text)
        else text.rstrip("\n") + "\n\n" + section
    )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def command_line(doc: str | None, argv: list[str] | None = None) -> None:
    """Answer --help with the benchmark's own description, and refuse unknown arguments,
    before any work starts (its settings are environment variables, named in `doc`)."""
    import argparse

    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args(argv)
