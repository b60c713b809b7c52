"""Descriptions: plain text or a small Markdown subset, rendered to HTML that cannot run code.

Two layers: markdown-it reads only paragraphs, line breaks, emphasis, lists and links and never
passes raw HTML through; nh3 then keeps only the tags and link schemes below, whatever the
renderer produced.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from .rules import MAX_LENGTHS, WEB_SCHEMES, is_web_link

# Markdown that would make more than a party's description: headings, code, quotes, rules,
# images and raw HTML are read as plain text instead.
DISABLED_RULES = (
    "heading",
    "lheading",
    "code",
    "fence",
    "blockquote",
    "hr",
    "html_block",
    "html_inline",
    "image",
    "backticks",
)
ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "ul", "ol", "li", "a"})
# `start` keeps "3. third" numbered as written; it is a number or nothing to a browser.
# "*" is empty: no attribute (title, lang, ...) is allowed on every tag.
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset(),
    "a": frozenset({"href"}),
    "ol": frozenset({"start"}),
}
LINK_REL = "nofollow noopener ugc"
MAX_SOURCE = MAX_LENGTHS["description"]


def safe_link(url: str) -> bool:
    """Tell whether a link may be followed: an absolute http(s) address or a mailto."""
    if is_web_link(url):
        return True
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() == "mailto" and bool(parts.path)


def _renderer() -> MarkdownIt:
    """Build the Markdown reader of the subset (single newlines kept as line breaks)."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    md.disable(list(DISABLED_RULES))
    md.validateLink = safe_link  # other links stay as their text
    return md


_MARKDOWN = _renderer()
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes={*WEB_SCHEMES, "mailto"},
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def render_markdown(text: str | None) -> Markup:
    """Render a description as sanitised HTML, safe to place in a page as it is."""
    if not text or not text.strip():
        return Markup("")
    html = _MARKDOWN.render(text[:MAX_SOURCE])
    return Markup(_CLEANER.clean(html).strip())  # noqa: S704 - nh3 has just sanitised it
