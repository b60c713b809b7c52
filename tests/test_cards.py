"""Share cards: 1200×630 PNGs with the title in any script, wrapped and shortened."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from eventmap import cards, fonts

IN_CI = os.environ.get("CI", "").lower() == "true"


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def ink(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    """Count the pixels in a box that are not the card's background."""
    region = image.convert("RGB").crop(box)
    return sum(1 for pixel in region.get_flattened_data() if pixel != cards.SEA)


@pytest.fixture
def noto() -> None:
    """Need the Noto fonts (`make fonts`); under CI their absence is a failure."""
    names = {os.path.basename(face.path) for face in fonts.installed("bold")}
    if "NotoSansCJK-Bold.ttc" not in names or "NotoSansArabic-Bold.ttf" not in names:
        if IN_CI:
            pytest.fail("the Noto fonts are not installed; `make fonts` installs them")
        pytest.skip("the Noto fonts are not installed; `make fonts` installs them")


def event(**overrides) -> cards.EventCard:
    values = {
        "title": "OpenStack Munich turns 6",
        "when": "Tue 19 July 2016",
        "place": "Werksviertel, Munich",
        "hashtag": "#OpenStack6Bday",
        "point": (48.137, 11.575),
        "others": [(48.4, 10.9)],
    }
    values.update(overrides)
    return cards.EventCard(**values)


def test_an_event_card_is_a_1200_by_630_png_with_text_and_a_map():
    image = decoded(cards.event_card(event()))
    assert image.format == "PNG"
    assert image.size == (1200, 630)
    assert ink(image, (56, 56, 600, 120)) > 2000  # the title
    inset = (1200 - 56 - cards.INSET, 100, 1200 - 56, 100 + cards.INSET)
    assert ink(image, inset) > 20000  # land around Munich
    centre = image.convert("RGB").getpixel((1200 - 56 - cards.INSET // 2, 100 + cards.INSET // 2))
    assert centre == cards.HIGHLIGHT  # the party, in the middle of its inset


def test_a_campaign_card_dots_every_party_on_the_world():
    without = decoded(
        cards.campaign_card(cards.CampaignCard("OpenStack turns 6", "0 parties", "#x"))
    )
    tokyo = (35.68, 139.69)
    image = decoded(
        cards.campaign_card(cards.CampaignCard("OpenStack turns 6", "1 party", "#x", [tokyo]))
    )
    assert image.size == (1200, 630)
    window = cards._Window(-170.0, 190.0, -58.0, 80.0, 1200, 430)
    x, y = window.xy(tokyo[1], tokyo[0])
    assert image.convert("RGB").getpixel((round(x), round(y))) == cards.DOT
    assert without.convert("RGB").getpixel((round(x), round(y))) != cards.DOT


def test_titles_in_other_scripts_are_drawn_with_fonts_that_have_their_glyphs(noto):
    for title in ("東京で OpenStack 6歳", "Москва", "عيد ميلاد أوبن ستاك", "กรุงเทพ", "🎉"):
        for character in title.replace(" ", ""):
            face = fonts.face_for(character, fonts.installed("bold"))
            assert face is not None
            assert ord(character) in face.characters, character
    japanese = decoded(cards.event_card(event(title="東京の誕生日パーティー")))
    assert ink(japanese, (56, 56, 700, 130)) > 2000


def test_a_glyph_no_font_has_still_draws_and_never_crashes(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "FONT_DIRS", ())
    monkeypatch.setenv("EVENTMAP_FONT_DIRS", str(tmp_path))
    fonts.installed.cache_clear()
    try:
        assert fonts.installed("bold") == ()
        image = decoded(cards.event_card(event(title="東京 Москва عيد 🎉 " * 20)))
        assert image.size == (1200, 630)
        assert ink(image, (56, 56, 700, 130)) > 0
    finally:
        fonts.installed.cache_clear()


def test_a_long_title_wraps_and_ends_with_an_ellipsis():
    faces = fonts.installed("bold")
    title = "A very long party title " * 13  # 312 characters
    lines = cards.wrap(title, faces, 54, 600, 4)
    assert len(lines) == 4
    assert lines[-1].endswith(cards.ELLIPSIS)
    assert all(cards._length(line, faces, 54) <= 600 for line in lines)
    assert cards.wrap("Short", faces, 54, 600, 4) == ["Short"]
    decoded(cards.event_card(event(title=title)))


def test_text_without_spaces_breaks_between_characters():
    faces = fonts.installed("bold")
    lines = cards.wrap("誕生日" * 40, faces, 54, 600, 3)
    assert len(lines) == 3
    assert lines[-1].endswith(cards.ELLIPSIS)
    assert "".join(lines).replace(cards.ELLIPSIS, "") == ("誕生日" * 40)[: sum(map(len, lines)) - 1]


def test_a_party_across_the_antimeridian_draws_its_neighbourhood():
    image = decoded(cards.event_card(event(point=(-18.14, 178.44), others=[(-17.7, -179.9)])))
    assert image.size == (1200, 630)
