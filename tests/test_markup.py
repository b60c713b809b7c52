"""Descriptions: the Markdown subset renders, and nothing an organizer types can run."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from eventmap.markup import ALLOWED_TAGS, render_markdown


class _Elements(HTMLParser):
    """Collect every start tag with its attributes, as a browser would build them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def assert_inert(html: str) -> None:
    """Fail unless the HTML has only allowed tags, safe links and no event handlers."""
    assert "<script" not in html.lower()
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name in {"href", "rel", "start"}, html
            if name == "href":
                assert value is not None
                assert urlsplit(value).scheme in {"http", "https", "mailto"}, html


HOSTILE = [
    "<script>alert(1)</script>",
    "</script><script>alert(document.cookie)</script>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<https://example.org/" onmouseover="alert(1)>',
    '[x](https://example.org/" onmouseover="alert(1))',
    "[x]: javascript:alert(1)\n\n[see][x]",
    "![x](https://example.org/x.png)",
    '![x](x" onerror="alert(1))',
    "<iframe src=https://example.org></iframe>",
    "<svg><script>alert(1)</script></svg>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    "<!-- <script>alert(1)</script> -->",
    "<form action=https://evil.example><button>go</button></form>",
    "```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "# <script>alert(1)</script>",
    "> <img src=x onerror=alert(1)>",
    "<<script>script>alert(1)<</script>/script>",
    "[x](//evil.example/path)",
    "[x](/relative)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_descriptions_render_inert(text):
    html = render_markdown(text)
    assert isinstance(html, Markup)
    assert_inert(str(html))


def test_raw_html_is_shown_as_text_not_markup():
    html = str(render_markdown('<b onclick="x()">bold?</b> </script>'))
    assert html == '<p>&lt;b onclick="x()"&gt;bold?&lt;/b&gt; &lt;/script&gt;</p>'


def test_unsafe_links_keep_their_text_but_link_nowhere():
    html = str(render_markdown("see [the site](javascript:alert(1)) or [data](data:text/html,x)"))
    assert "<a" not in html
    assert "the site" in html
    assert "data" in html


def test_ordinary_markdown_renders():
    text = (
        "Join us for *cake* and **demos**.\n"
        "Doors open early.\n\n"
        "- talks\n- a quiz\n\n"
        "1. sign up\n2. come\n\n"
        "Details: [meetup page](https://www.meetup.com/openstack/) or "
        "[write to us](mailto:party@example.org)."
    )
    assert str(render_markdown(text)) == (
        "<p>Join us for <em>cake</em> and <strong>demos</strong>.<br>\n"
        "Doors open early.</p>\n"
        "<ul>\n<li>talks</li>\n<li>a quiz</li>\n</ul>\n"
        "<ol>\n<li>sign up</li>\n<li>come</li>\n</ol>\n"
        '<p>Details: <a href="https://www.meetup.com/openstack/" rel="nofollow noopener ugc">'
        'meetup page</a> or <a href="mailto:party@example.org" rel="nofollow noopener ugc">'
        "write to us</a>.</p>"
    )


def test_plain_text_keeps_its_paragraphs_and_line_breaks():
    html = str(render_markdown("First line\nsecond line\n\nNew paragraph & more"))
    assert html == "<p>First line<br>\nsecond line</p>\n<p>New paragraph &amp; more</p>"


def test_headings_code_and_images_are_plain_text():
    html = str(
        render_markdown("# Big\n\n    indented\n\n`code`\n\n![alt](https://example.org/a.png)")
    )
    assert_inert(html)
    assert "<h1" not in html
    assert "<code" not in html
    assert "<pre" not in html
    assert "<img" not in html
    assert "# Big" in html
    assert "`code`" in html


@pytest.mark.parametrize("text", [None, "", "   \n  "])
def test_empty_descriptions_render_nothing(text):
    assert render_markdown(text) == Markup("")


PIECES = st.sampled_from(
    [
        "<",
        ">",
        "</",
        "script",
        "img",
        " src=x",
        " onerror=",
        "alert(1)",
        "javascript:",
        "data:",
        "[",
        "]",
        "(",
        ")",
        "!",
        "*",
        "_",
        "`",
        '"',
        "'",
        "&#",
        "x6A;",
        "\n",
        "\n\n",
        "- ",
        "1. ",
        "    ",
        "https://example.org",
        "mailto:a@b.c",
        "<a href=",
        "&lt;",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=30))
def test_any_mix_of_hostile_pieces_renders_inert(pieces):
    assert_inert(str(render_markdown("".join(pieces))))
