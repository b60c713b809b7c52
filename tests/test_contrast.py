"""Colour contrast of the stylesheets' colours, computed as WCAG 2.2 defines it.

axe-core checks the text it sees on the pages it opens; this covers what it cannot see there
(the "today" colours, which a 2016 campaign never shows; the map markers; focus rings) and
the tokens themselves. Each pair is read from the rule in static/css that sets it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parent.parent / "static" / "css"
TEXT, NON_TEXT = 4.5, 3.0  # WCAG 1.4.3 (normal text) and 1.4.11 (controls, graphics, focus)
LAND, SEA = "#eef0ea", "#cfe3ef"  # the map's country fill and its background


def luminance(colour: str) -> float:
    """Return the relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """Return the contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def stylesheet(name: str) -> str:
    return (CSS / name).read_text()


def tokens() -> dict[str, str]:
    """Return the custom properties of :root in eventmap.css."""
    root = re.search(r":root\s*\{([^}]*)\}", stylesheet("eventmap.css")).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def declaration(sheet: str, selector: str, prop: str, index: int = 0) -> str:
    """Return the index-th #rrggbb colour of a property in the rule for exactly `selector`."""
    start = r"(?:\A|\}|\*/)\s*"  # a rule begins the sheet, or follows a rule or a comment
    match = re.search(start + re.escape(selector) + r"\s*\{([^}]*)\}", stylesheet(sheet))
    assert match, f"no rule for {selector} in {sheet}"
    value = re.search(rf"(?:^|;)\s*{prop}:\s*([^;]+)", match.group(1)).group(1)
    value = re.sub(r"var\(--([\w-]+)\)", lambda m: tokens()[m.group(1)], value)
    colours = re.findall(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", value)
    colour = colours[index].lower()
    return colour if len(colour) == 7 else "#" + "".join(c * 2 for c in colour[1:])


def test_the_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(
    ("text", "background"),
    [("ink", "paper"), ("muted", "paper"), ("accent-ink", "paper"), ("accent", "paper")],
)
def test_text_tokens_on_the_paper(text, background):
    colours = tokens()
    assert contrast(colours[text], colours[background]) >= TEXT


TEXT_RULES = [
    # (sheet, selector, text property, background property or colour)
    ("eventmap.css", "button.primary", "color", "background"),
    ("eventmap.css", "button.danger", "color", "background"),
    ("eventmap.css", "a.button", "color", "background"),
    ("eventmap.css", ".badge", "color", "background"),
    ("eventmap.css", ".error", "color", "#fdfcfa"),
    ("eventmap.css", ".occurrence.stage-today a", "color", "#fdfcfa"),
    ("eventmap.css", ".occurrence.stage-past a", "color", "#fdfcfa"),
    ("eventmap.css", ".event-item[data-stage=today] .event-when", "color", "#fff2d6"),  # selected
    ("eventmap.css", "table.month td.other-month", "color", "background"),
    ("admin.css", ".admin-count", "color", "background"),
    ("admin.css", ".admin-status-pending", "color", "background"),
    ("admin.css", ".admin-status-approved", "color", "background"),
    ("admin.css", ".admin-status-rejected", "color", "background"),
    ("admin.css", ".admin-flag-duplicate", "color", "background"),
]


@pytest.mark.parametrize(("sheet", "selector", "fg", "bg"), TEXT_RULES)
def test_text_colours_reach_4_5_to_1(sheet, selector, fg, bg):
    text = declaration(sheet, selector, fg)
    background = bg if bg.startswith("#") else declaration(sheet, selector, bg)
    assert contrast(text, background) >= TEXT, (selector, text, background)


NON_TEXT_RULES = [
    # (sheet, selector, property, index of the colour in it, what it must stand out from)
    ("eventmap.css", ":focus-visible", "outline", 0, ("#fdfcfa", "#ffffff", "#f3f1ec")),
    (
        "eventmap.css",
        "input:focus, input:focus-within, select:focus, textarea:focus",
        "outline",
        0,
        ("#ffffff",),
    ),
    (
        "eventmap.css",
        "table.month td[aria-current=date], .week-day[aria-current=date]",
        "outline",
        0,
        ("#ffffff",),
    ),
    ("admin.css", ".admin-item.admin-selected", "outline", 0, ("#ffffff",)),
    ("eventmap.css", ".party-pin span", "box-shadow", 0, (LAND, SEA)),
    ("eventmap.css", ".party-pin.stage-past span", "box-shadow", 0, (LAND, SEA)),
    ("eventmap.css", ".party-pin.stage-today span", "box-shadow", 0, (LAND, SEA)),
    ("eventmap.css", ".party-pin.stage-upcoming span", "box-shadow", 0, (LAND, SEA)),
    ("eventmap.css", ".party-area span", "border", 0, (LAND, SEA)),
    ("eventmap.css", ".party-area.stage-today span", "border-color", 0, (LAND, SEA)),
    ("eventmap.css", ".party-area.stage-upcoming span", "border-color", 0, (LAND, SEA)),
    (
        "eventmap.css",
        ".field input, .field select, .field textarea, .copy-link",
        "border",
        0,
        ("#ffffff",),
    ),
]


@pytest.mark.parametrize(("sheet", "selector", "prop", "index", "against"), NON_TEXT_RULES)
def test_focus_rings_markers_and_field_borders_reach_3_to_1(sheet, selector, prop, index, against):
    colour = declaration(sheet, selector, prop, index)
    for background in against:
        assert contrast(colour, background) >= NON_TEXT, (selector, colour, background)
