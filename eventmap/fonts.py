"""Fonts for drawing text on the server: the installed Noto families, one per script.

A share card may carry a title in any script. No single font covers them all, so each
character is drawn with the first installed font whose character map has it (Latin, then
Arabic, Hebrew, Thai, Devanagari, CJK, emoji, then DejaVu). Where none is installed the card
still draws, with Pillow's own font, and characters it lacks come out as boxes: never a crash.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont
from PIL import ImageFont

# Where Debian (fonts-noto-core, fonts-noto-cjk, fonts-noto-color-emoji, fonts-dejavu) puts
# them; EVENTMAP_FONT_DIRS (colon-separated) is searched first.
FONT_DIRS = (
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype",
    "/usr/local/share/fonts",
)
# In order of preference, per weight: (file name, face index in a collection).
FAMILIES: dict[str, tuple[tuple[str, int], ...]] = {
    "regular": (
        ("NotoSans-Regular.ttf", 0),
        ("NotoSansArabic-Regular.ttf", 0),
        ("NotoSansHebrew-Regular.ttf", 0),
        ("NotoSansThai-Regular.ttf", 0),
        ("NotoSansDevanagari-Regular.ttf", 0),
        ("NotoSansBengali-Regular.ttf", 0),
        ("NotoSansCJK-Regular.ttc", 0),  # face 0 is the Japanese one
        ("NotoSansSymbols2-Regular.ttf", 0),
        ("NotoColorEmoji.ttf", 0),
        ("DejaVuSans.ttf", 0),
    ),
    "bold": (
        ("NotoSans-Bold.ttf", 0),
        ("NotoSansArabic-Bold.ttf", 0),
        ("NotoSansHebrew-Bold.ttf", 0),
        ("NotoSansThai-Bold.ttf", 0),
        ("NotoSansDevanagari-Bold.ttf", 0),
        ("NotoSansBengali-Bold.ttf", 0),
        ("NotoSansCJK-Bold.ttc", 0),
        ("NotoSansSymbols2-Regular.ttf", 0),
        ("NotoColorEmoji.ttf", 0),
        ("DejaVuSans-Bold.ttf", 0),
    ),
}
# Noto Color Emoji is a bitmap font drawn at this size only; its glyphs are scaled after.
BITMAP_SIZES = {"NotoColorEmoji.ttf": 109}


@dataclass(frozen=True)
class FontFile:
    """One installed font face and the characters it can draw."""

    path: str
    index: int
    characters: frozenset[int]

    @property
    def bitmap_size(self) -> int | None:
        """Return the only size a bitmap font draws at, None for a scalable one."""
        return BITMAP_SIZES.get(Path(self.path).name)


def _search_dirs() -> list[Path]:
    """Return the folders to look for fonts in, the configured ones first."""
    extra = [d for d in os.environ.get("EVENTMAP_FONT_DIRS", "").split(":") if d]
    return [Path(d) for d in (*extra, *FONT_DIRS)]


def _find(name: str) -> Path | None:
    """Return the first file of that name in the font folders, or None."""
    for folder in _search_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _characters(path: Path, index: int) -> frozenset[int]:
    """Return the code points a face maps to glyphs (empty when the file cannot be read)."""
    try:
        if path.suffix.lower() == ".ttc":
            with TTCollection(str(path), lazy=True) as collection:
                cmap = collection.fonts[index].getBestCmap() or {}
        else:
            with TTFont(str(path), lazy=True, fontNumber=index) as font:
                cmap = font.getBestCmap() or {}
    except Exception:  # a broken font file is skipped, never fatal
        return frozenset()
    return frozenset(cmap)


@lru_cache(maxsize=4)
def installed(weight: str = "regular") -> tuple[FontFile, ...]:
    """Return the installed faces of a weight, in order of preference (read once)."""
    found = []
    for name, index in FAMILIES[weight]:
        path = _find(name)
        if path is None:
            continue
        characters = _characters(path, index)
        if characters:
            found.append(FontFile(str(path), index, characters))
    return tuple(found)


@lru_cache(maxsize=128)
def load(face: FontFile | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return a face at a size (Pillow's own font when there is no face)."""
    if face is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(
        face.path,
        face.bitmap_size or size,
        index=face.index,
        layout_engine=ImageFont.Layout.RAQM if ImageFont.core.HAVE_RAQM else ImageFont.Layout.BASIC,
    )


def face_for(character: str, faces: Sequence[FontFile]) -> FontFile | None:
    """Return the first face that can draw the character, or the first face at all."""
    code = ord(character)
    for face in faces:
        if code in face.characters:
            return face
    return faces[0] if faces else None


# Characters that take the font of the text around them: spaces, joiners, variation selectors.
_NEUTRAL = {0x20, 0x200C, 0x200D, 0xFE0E, 0xFE0F}


def runs(text: str, faces: Sequence[FontFile]) -> Iterator[tuple[str, FontFile | None]]:
    """Split text into runs that one face draws, keeping neutral characters with their run."""
    current: FontFile | None = None
    buffer: list[str] = []
    for character in text:
        code = ord(character)
        if buffer and (code in _NEUTRAL or 0x1F3FB <= code <= 0x1F3FF):
            buffer.append(character)  # spaces, joiners and skin tones stay with their run
            continue
        face = face_for(character, faces)
        if buffer and face != current:
            yield "".join(buffer), current
            buffer = []
        current = face
        buffer.append(character)
    if buffer:
        yield "".join(buffer), current
