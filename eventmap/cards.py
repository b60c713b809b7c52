"""Share cards: the 1200×630 PNG a link preview shows, drawn on the server with no network.

A campaign's card is the world with every party as a dot, the title, its numbers and the
hashtag; an event's card is its title, date, place and hashtag beside a map inset with the
party highlighted. Titles in any script are drawn with the installed Noto fonts (fonts.py);
long ones wrap and end with an ellipsis.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageOps

from . import fonts
from .world import land_rings

WIDTH, HEIGHT = 1200, 630  # what Open Graph and Twitter's summary_large_image expect
MARGIN = 56
ELLIPSIS = "…"

INK = (255, 255, 255)
MUTED = (196, 208, 226)
ACCENT = (255, 190, 70)
SEA = (14, 37, 68)
LAND = (37, 70, 112)
COAST = (58, 98, 146)
DOT = (237, 25, 68)  # OpenStack red
HIGHLIGHT = (255, 190, 70)

Point = tuple[float, float]  # (latitude, longitude)


@dataclass(frozen=True)
class CampaignCard:
    """What a campaign's card shows."""

    title: str
    figures: str  # "45 parties in 29 countries · 6 days to go"
    hashtag: str
    points: Sequence[Point] = field(default_factory=tuple)


@dataclass(frozen=True)
class EventCard:
    """What an event's card shows."""

    title: str
    when: str
    place: str
    hashtag: str
    point: Point | None = None
    others: Sequence[Point] = field(default_factory=tuple)
    approximate: bool = False
    # A past party's best photo (a JPEG or WebP rendition): drawn where the map would be.
    photo: bytes | None = None


@dataclass(frozen=True)
class _Window:
    """A longitude and latitude window drawn onto a pixel box (equirectangular)."""

    west: float
    east: float
    south: float
    north: float
    width: int
    height: int

    def xy(self, longitude: float, latitude: float) -> tuple[float, float]:
        """Return the pixel of a point of the window."""
        x = (longitude - self.west) / (self.east - self.west) * self.width
        y = (self.north - latitude) / (self.north - self.south) * self.height
        return x, y


def _draw_land(draw: ImageDraw.ImageDraw, window: _Window) -> None:
    """Fill the land of the window, drawing each ring again a world away where it wraps."""
    for ring in land_rings():
        for shift in (-360.0, 0.0, 360.0):
            lons = [lon + shift for lon, _ in ring]
            if max(lons) < window.west or min(lons) > window.east:
                continue
            outline = [window.xy(lon, lat) for lon, (_, lat) in zip(lons, ring, strict=True)]
            if len(outline) >= 3:
                draw.polygon(outline, fill=LAND, outline=COAST)


def _dot(draw: ImageDraw.ImageDraw, xy: tuple[float, float], radius: float, fill: tuple) -> None:
    """Draw a round dot centred on a pixel."""
    x, y = xy
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)


# -- text ------------------------------------------------------------------------------


def _is_rtl(text: str) -> bool:
    """Tell whether a line reads right to left (its first strong character does)."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _run_length(text: str, face: fonts.FontFile | None, size: int) -> float:
    """Return how wide a run is drawn at a size."""
    font = fonts.load(face, size)
    length = font.getlength(text)
    if face is not None and face.bitmap_size:
        length *= size / face.bitmap_size
    return length


def _length(text: str, faces: Sequence[fonts.FontFile], size: int) -> float:
    """Return how wide a line is drawn, each run in its own face."""
    return sum(_run_length(run, face, size) for run, face in fonts.runs(text, faces))


def _pieces(text: str) -> list[str]:
    """Split text where a line may break: after spaces, and between CJK or Thai characters."""
    pieces: list[str] = []
    for word in text.split(" "):
        if not word:
            continue
        if any(ord(c) >= 0x0E00 and not unicodedata.combining(c) for c in word) and not any(
            unicodedata.bidirectional(c) in ("R", "AL") for c in word
        ):
            pieces.extend(word)  # no spaces between words in these scripts: any character
            pieces[-1] += " "
        else:
            pieces.append(word + " ")
    return pieces


def wrap(
    text: str, faces: Sequence[fonts.FontFile], size: int, width: float, max_lines: int
) -> list[str]:
    """Break text into lines that fit the width; the last one ends with … when text is left."""
    text = " ".join(text.split())
    lines: list[str] = []
    line = ""
    pieces = _pieces(text)
    for number, piece in enumerate(pieces):
        if _length((line + piece).rstrip(), faces, size) <= width or not line:
            line += piece
            while _length(line.rstrip(), faces, size) > width and len(line) > 1:
                # a single piece wider than the line: break it where it overflows
                cut = len(line) - 1
                while cut > 1 and _length(line[:cut], faces, size) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
                if len(lines) == max_lines:
                    break
        else:
            lines.append(line.rstrip())
            line = piece
        if len(lines) >= max_lines:
            rest = line + "".join(pieces[number + 1 :])
            return _shorten(lines[:max_lines], rest, faces, size, width)
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > max_lines:
        return _shorten(lines[:max_lines], " ".join(lines[max_lines:]), faces, size, width)
    return lines


def _shorten(
    lines: list[str], rest: str, faces: Sequence[fonts.FontFile], size: int, width: float
) -> list[str]:
    """End the last line with an ellipsis when some text did not fit."""
    if not rest.strip():
        return lines
    last = lines[-1].rstrip()
    while last and _length(last + ELLIPSIS, faces, size) > width:
        last = last[:-1].rstrip()
    lines[-1] = last + ELLIPSIS
    return lines


def _draw_run(
    image: Image.Image,
    x: float,
    baseline: float,
    text: str,
    face: fonts.FontFile | None,
    size: int,
    fill: tuple,
) -> None:
    """Draw one run with its baseline at a height; bitmap (emoji) faces are scaled to size."""
    font = fonts.load(face, size)
    if face is not None and face.bitmap_size:
        left, top, right, bottom = font.getbbox(text, anchor="ls")
        if right <= left or bottom <= top:
            return
        glyphs = Image.new("RGBA", (right - left, bottom - top), (0, 0, 0, 0))
        ImageDraw.Draw(glyphs).text(
            (-left, -top), text, font=font, anchor="ls", embedded_color=True
        )
        scale = size / face.bitmap_size
        glyphs = glyphs.resize(
            (max(1, round(glyphs.width * scale)), max(1, round(glyphs.height * scale))),
            Image.Resampling.LANCZOS,
        )
        image.alpha_composite(glyphs, (round(x + left * scale), round(baseline + top * scale)))
        return
    ImageDraw.Draw(image).text((x, baseline), text, font=font, fill=fill, anchor="ls")


def draw_text(
    image: Image.Image,
    origin: tuple[float, float],
    text: str,
    *,
    size: int,
    width: float,
    max_lines: int = 1,
    weight: str = "regular",
    fill: tuple = INK,
    line_height: float = 1.22,
) -> float:
    """Draw wrapped text from a top-left corner; return the height it took."""
    faces = fonts.installed(weight)
    lines = wrap(text, faces, size, width, max_lines)
    x0, y = origin
    step = size * line_height
    for line in lines:
        baseline = y + size * 0.95
        pieces = list(fonts.runs(line, faces))
        if _is_rtl(line):
            x = x0 + width
            for run, face in pieces:
                x -= _run_length(run, face, size)
                _draw_run(image, x, baseline, run, face, size, fill)
        else:
            x = x0
            for run, face in pieces:
                _draw_run(image, x, baseline, run, face, size, fill)
                x += _run_length(run, face, size)
        y += step
    return step * len(lines)


# -- cards -----------------------------------------------------------------------------


def _png(image: Image.Image) -> bytes:
    """Return the card as PNG bytes (RGB: no transparency in a preview)."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def campaign_card(card: CampaignCard) -> bytes:
    """Draw a campaign's card: the world with every party, the title, numbers and hashtag."""
    image = Image.new("RGBA", (WIDTH, HEIGHT), SEA)
    draw = ImageDraw.Draw(image)
    window = _Window(-170.0, 190.0, -58.0, 80.0, WIDTH, 430)
    _draw_land(draw, window)
    radius = 5.0 if len(card.points) < 500 else 3.0 if len(card.points) < 5000 else 2.0
    for latitude, longitude in card.points:
        lon = longitude + 360.0 if longitude < window.west else longitude
        _dot(draw, window.xy(lon, latitude), radius, DOT)
    draw.rectangle((0, 400, WIDTH, HEIGHT), fill=SEA)
    text_width = WIDTH - 2 * MARGIN
    y = 418.0
    y += draw_text(image, (MARGIN, y), card.title, size=60, width=text_width, weight="bold")
    y += draw_text(image, (MARGIN, y + 4), card.figures, size=34, width=text_width, fill=MUTED)
    draw_text(
        image, (MARGIN, y + 14), card.hashtag, size=38, width=text_width, weight="bold", fill=ACCENT
    )
    return _png(image)


INSET = 430  # the event card's map inset, a square on the right


def _inset(card: EventCard, size: int = INSET) -> Image.Image:
    """Draw the map inset: the region around the party, other parties dotted, it ringed."""
    inset = Image.new("RGBA", (size, size), SEA)
    draw = ImageDraw.Draw(inset)
    if card.point is None:
        window = _Window(-180.0, 180.0, -90.0, 90.0, size, size)
        _draw_land(draw, window)
        return inset
    latitude, longitude = card.point
    span = 24.0  # degrees of longitude shown; latitude shrinks with it to keep shapes
    half_lat = span / 2 * max(math.cos(math.radians(min(abs(latitude), 75.0))), 0.25)
    north = min(latitude + half_lat, 89.0)
    south = max(north - 2 * half_lat, -89.0)
    window = _Window(
        longitude - span / 2, longitude + span / 2, south, south + 2 * half_lat, size, size
    )
    _draw_land(draw, window)
    for other_lat, other_lon in card.others:
        for shift in (-360.0, 0.0, 360.0):
            if window.west <= other_lon + shift <= window.east:
                _dot(draw, window.xy(other_lon + shift, other_lat), 6.0, DOT)
    centre = window.xy(longitude, latitude)
    if card.approximate:
        ring = 46.0
        draw.ellipse(
            (centre[0] - ring, centre[1] - ring, centre[0] + ring, centre[1] + ring),
            outline=HIGHLIGHT,
            width=4,
        )
    _dot(draw, centre, 15.0, INK)
    _dot(draw, centre, 11.0, HIGHLIGHT)
    return inset


def _photo_inset(photo: bytes, size: int = INSET) -> Image.Image | None:
    """Crop a photo to the inset's square, from its middle; None if it cannot be read."""
    try:
        with Image.open(io.BytesIO(photo)) as opened:
            picture = ImageOps.fit(opened.convert("RGB"), (size, size), Image.Resampling.LANCZOS)
    except (OSError, ValueError):  # a damaged file draws the map instead
        return None
    return picture.convert("RGBA")


def event_card(card: EventCard) -> bytes:
    """Draw an event's card: title, date, place and hashtag beside its map inset (or, for a
    past party with photos, its best photo)."""
    image = Image.new("RGBA", (WIDTH, HEIGHT), SEA)
    left, top = WIDTH - MARGIN - INSET, (HEIGHT - INSET) // 2
    inset = _photo_inset(card.photo) if card.photo else None
    image.alpha_composite(inset or _inset(card), (left, top))
    ImageDraw.Draw(image).rectangle(
        (left - 1, top - 1, left + INSET, top + INSET), outline=COAST, width=2
    )
    text_width = WIDTH - 3 * MARGIN - INSET
    y = float(MARGIN)
    y += draw_text(
        image, (MARGIN, y), card.title, size=54, width=text_width, max_lines=4, weight="bold"
    )
    y += 18
    y += draw_text(
        image, (MARGIN, y), card.when, size=34, width=text_width, max_lines=2, fill=ACCENT
    )
    y += 6
    draw_text(image, (MARGIN, y), card.place, size=32, width=text_width, max_lines=2, fill=MUTED)
    draw_text(
        image,
        (MARGIN, HEIGHT - MARGIN - 46),
        card.hashtag,
        size=38,
        width=text_width,
        weight="bold",
        fill=ACCENT,
    )
    return _png(image)


def party_map(card: EventCard, size: int = INSET) -> bytes:
    """Draw an event page's small map: the card's inset on its own."""
    return _png(_inset(card, size))
