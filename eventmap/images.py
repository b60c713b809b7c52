"""Interim stand-in for h18img's image processing (replaced on merge): decode, re-encode."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, ImageOps

from .rules import PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS

SIZES = {"thumb": 320, "page": 1024, "full": 2048}
FORMATS = {"webp": ("WEBP", "image/webp", ".webp"), "jpeg": ("JPEG", "image/jpeg", ".jpg")}


class ImageRejected(Exception):  # noqa: N818 (the agreed interface)
    """A file refused, with a message for the person who sent it."""

    def __init__(self, message: str) -> None:
        """Keep the message."""
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Rendition:
    """One size in one format."""

    size: str
    format: str
    content_type: str
    width: int
    height: int
    data: bytes
    key: str


@dataclass(frozen=True)
class ProcessedImage:
    """Every rendition of one upload."""

    width: int
    height: int
    renditions: list[Rendition]

    def rendition(self, size: str, format: str) -> Rendition:
        """Return the rendition of this size and format."""
        return next(r for r in self.renditions if r.size == size and r.format == format)


def process_image(data: bytes, filename: str) -> ProcessedImage:
    """Decode and re-encode an upload in every size and format, or refuse it."""
    if len(data) > PHOTO_MAX_BYTES:
        raise ImageRejected(f"{filename}: the file is larger than 15 MB.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("JPEG", "PNG", "WEBP"):
                raise ImageRejected(f"{filename}: not a JPEG, PNG or WebP image.")
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise ImageRejected(f"{filename}: the image has too many pixels.")
            image = ImageOps.exif_transpose(probe.convert("RGB"))
    except ImageRejected:
        raise
    except Exception as error:
        raise ImageRejected(f"{filename}: this file is not an image we can read.") from error
    renditions = []
    for size, edge in SIZES.items():
        copy = image.copy()
        copy.thumbnail((edge, edge))
        for name, (pil, content_type, suffix) in FORMATS.items():
            out = io.BytesIO()
            copy.save(out, pil, quality=85)
            body = out.getvalue()
            key = hashlib.sha256(body).hexdigest() + suffix
            renditions.append(
                Rendition(size, name, content_type, copy.width, copy.height, body, key)
            )
    return ProcessedImage(image.width, image.height, renditions)
