"""Helpers shared by the tests: read a form as a browser would send it."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    """Collect the values a browser would send for the first form with a given field."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name")
        if tag == "input" and name:
            kind = found.get("type", "text")
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("radio", "checkbox") and "checked" not in found:
                return
            self.values[name] = found.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, "")
        elif tag == "option" and self._select and ("selected" in found):
            self.values[self._select] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.values[self._textarea] += data


def form_values(html: str) -> dict[str, str]:
    """Return the fields of the page's forms with the values a browser would send.

    A browser drops the one line break that directly follows `<textarea>`; so does this.
    """
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return {
        name: value[1:] if value.startswith("\n") and name in _textareas(html) else value
        for name, value in reader.values.items()
    }


def _textareas(html: str) -> set[str]:
    """Name the textareas of a page."""
    import re

    return set(re.findall(r'<textarea[^>]*\bname="([^"]+)"', html))
