"""Make uploaded photos safe: identify them by content, decode them, and re-encode renditions.

Nothing an uploader sent is ever served or stored as sent. A file is accepted only when its
bytes are a JPEG, PNG, WebP or HEIC picture (its name and claimed type are never trusted), it
is whole, it declares no more pixels than `PHOTO_RULES.max_pixels` (checked on the header,
before anything is decoded), and nothing else hides after the picture's end.

The polyglot rule: a file is one picture and nothing else. After the end of the picture (a
JPEG's EOI marker after its scans, a PNG's IEND chunk, the length a WebP's RIFF header declares,
a HEIC's last box) only padding (zero or 0xFF bytes) may follow, and in a JPEG only what cameras
write there too: further whole JPEG streams (MPF previews, depth and gain maps), a motion
photo's MP4 boxes, or a Samsung "SEFT" trailer. Whatever follows may in no case contain the
start of a web page, script, SVG, PHP, ZIP or PDF. Nor may the picture's text metadata (a
JPEG's comment and APPn segments, a PNG's tEXt, iTXt and eXIf chunks, a WebP's EXIF and XMP)
hold markup a browser would run. Data hidden in the pixels' own compressed streams cannot be
found this way, which is why every upload is decoded and re-encoded: the renditions hold only
pixels, and the file as sent is never stored or served.

Each picture is turned upright (EXIF orientation), converted to sRGB when it carries another
colour profile, to 8-bit RGB (16-bit, palette, CMYK and greyscale alike; transparency is laid
on white), reduced to its first frame if animated, and written at each of
`PHOTO_RULES.rendition_sizes` (never enlarged) as WebP and JPEG with no metadata at all: no
EXIF, GPS, XMP, ICC profile or comment.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field

import pillow_heif
from PIL import Image, ImageCms, ImageOps

from eventmap.i18n_messages import N_, Message
from eventmap.rules import PHOTO_RULES

# Pillow's own guard, for every image this process opens: a warning above the limit, an error
# above twice it. Photos are refused earlier, on the size their header declares.
Image.MAX_IMAGE_PIXELS = PHOTO_RULES.max_pixels
# HEIC through libheif (bundled in pillow-heif's wheel); only the primary picture is read.
pillow_heif.register_heif_opener(thumbnails=False, depth_images=False, aux_images=False)

# Pillow's name for each kind of upload, which is the only plugin allowed to read it.
_PILLOW_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WebP": "WEBP", "HEIC": "HEIF"}
# Brands of an ISO base media file that name a HEIF picture (not AVIF: no decoder here).
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Starts of active content that must never ride along after a picture (compared lowercased).
_HIDDEN_CONTENT = re.compile(
    rb"<script|<html|<!doctype|<svg|<\?php|<\?xml|<iframe|<body|<object|<embed|javascript:"
    rb"|pk\x03\x04|pk\x05\x06|%pdf-"
)
# Markup a browser would run, looked for in a picture's text segments (compared lowercased):
# metadata may be XML (XMP), so only what makes a web page active counts.
_ACTIVE_MARKUP = re.compile(
    rb"<script|<html|<!doctype html|<svg|<\?php|<iframe|<body|<object|<embed|javascript:"
)
_PADDING = re.compile(rb"\x00*")
_JPEG_QUALITY = 85
_WEBP_QUALITY = 80
# libwebp's effort (0-6): 2 is three times as fast as 4 on a large picture for a file about a
# tenth bigger; thumbnails, shown by the dozen on the wall, get the smaller files of 4.
_WEBP_METHOD = {"thumb": 4}
_WEBP_DEFAULT_METHOD = 2
_WHITE = (255, 255, 255)
_ORIENTATION = 0x0112  # the EXIF tag
_SRGB = ImageCms.createProfile("sRGB")


class ImageRejected(ValueError):  # noqa: N818 - says what happened to the upload
    """An upload that is not a safe picture; `message` says why, naming the file."""

    def __init__(self, text: Message, reason: str) -> None:
        """Keep the uploader's sentence (English in `message`) and a short machine reason."""
        self.text = text
        self.message = str(text)
        super().__init__(self.message)
        # One of: empty, too-large, not-an-image, svg, truncated, polyglot, too-many-pixels,
        # damaged.
        self.reason = reason


@dataclass(frozen=True)
class Rendition:
    """One re-encoded size of a photo in one format, named by its content."""

    size: str  # "thumb" | "page" | "full"
    format: str  # "webp" | "jpeg"
    content_type: str
    width: int
    height: int
    data: bytes = field(repr=False)  # never megabytes of bytes in a log line
    key: str  # f"{sha256(data).hexdigest()}.{webp|jpg}"


@dataclass(frozen=True)
class ProcessedImage:
    """A photo made safe: its upright size as uploaded, and every rendition."""

    width: int
    height: int
    renditions: tuple[Rendition, ...]

    def rendition(self, size: str, format: str) -> Rendition:
        """Return the rendition of this size and format (KeyError if there is none)."""
        for rendition in self.renditions:
            if rendition.size == size and rendition.format == format:
                return rendition
        raise KeyError(f"no {size} rendition as {format}")

    @property
    def keys(self) -> frozenset[str]:
        """Give the storage keys of every rendition (small pictures may share one)."""
        return frozenset(rendition.key for rendition in self.renditions)


def process_image(data: bytes, filename: str) -> ProcessedImage:
    """Check an upload and re-encode it into renditions, or raise ImageRejected saying why."""
    name = display_name(filename)
    if not data:
        raise ImageRejected(N_("%(name)s is empty.", name=name), "empty")
    if len(data) > PHOTO_RULES.max_bytes:
        size = len(data) / (1024 * 1024)
        raise ImageRejected(
            N_(
                "%(name)s is %(size)s MB; the most is %(most)s MB.",
                name=name,
                size=f"{size:.1f}",
                most=PHOTO_RULES.max_megabytes,
            ),
            "too-large",
        )
    kind = _sniff(data, name)
    end, declared = _structure(kind, data, name)
    _check_after_end(kind, data, end, name)
    if declared is not None:
        _check_pixels(declared, name)
    picture, (width, height) = _decode(kind, data, name)
    return ProcessedImage(width=width, height=height, renditions=_renditions(picture))


def display_name(filename: str) -> str:
    """Give an uploaded file's name as it may appear in a message: no folders, no controls."""
    base = re.split(r"[/\\]", filename or "")[-1]
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip()
    base = " ".join(base.split())
    if len(base) > 80:
        base = base[:79] + "…"
    return base or "This file"


# -- What the file is ----------------------------------------------------------------------


def _sniff(data: bytes, name: str) -> str:
    """Name the kind of picture the bytes are, from their magic numbers alone."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(_PNG_SIGNATURE):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    if data[4:8] == b"ftyp":
        brands = {data[8:12]}
        box_end = min(int.from_bytes(data[:4], "big"), len(data), 256)
        brands.update(data[offset : offset + 4] for offset in range(16, box_end - 3, 4))
        if brands & _HEIF_BRANDS and not brands & {b"avif", b"avis"}:
            return "HEIC"
    accepted = PHOTO_RULES.accepted_names
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head or (head.startswith(b"<?xml") and b"<svg" in data[:65536].lower()):
        raise ImageRejected(
            N_(
                "%(name)s is an SVG drawing, which can hold scripts; only %(formats)s photos"
                " are accepted.",
                name=name,
                formats=accepted,
            ),
            "svg",
        )
    if head.startswith(b"<") or _HIDDEN_CONTENT.search(head):
        raise ImageRejected(
            N_(
                "%(name)s is a web page or text, not a %(formats)s image.",
                name=name,
                formats=accepted,
            ),
            "not-an-image",
        )
    raise ImageRejected(
        N_("%(name)s is not a %(formats)s image.", name=name, formats=accepted), "not-an-image"
    )


def _truncated(name: str) -> ImageRejected:
    """Say that a file stops before its picture does."""
    return ImageRejected(
        N_(
            "%(name)s is cut short (incomplete or damaged); please upload the whole file.",
            name=name,
        ),
        "truncated",
    )


def _damaged(name: str) -> ImageRejected:
    """Say that a file's structure is broken."""
    return ImageRejected(
        N_("%(name)s could not be read as an image: it is damaged.", name=name), "damaged"
    )


def _polyglot(name: str) -> ImageRejected:
    """Say that something other than the picture rides in the file."""
    return ImageRejected(
        N_(
            "%(name)s has other data hidden after the end of its picture, so it is refused;"
            " please upload the photo as the camera or phone saved it.",
            name=name,
        ),
        "polyglot",
    )


def _markup_inside(name: str) -> ImageRejected:
    """Say that a picture's metadata holds a web page or a script."""
    return ImageRejected(
        N_(
            "%(name)s has a web page or script hidden in its metadata, so it is refused;"
            " please upload the photo as the camera or phone saved it.",
            name=name,
        ),
        "polyglot",
    )


def _structure(kind: str, data: bytes, name: str) -> tuple[int, tuple[int, int] | None]:
    """Walk the file's structure: where the picture ends, and the size it declares."""
    if kind == "JPEG":
        return _jpeg_end(data, 0, name)
    if kind == "PNG":
        return _png_end(data, name)
    if kind == "WebP":
        return _webp_end(data, name)
    return _boxes_end(data, 0, name), None


def _jpeg_end(data: bytes, start: int, name: str) -> tuple[int, tuple[int, int] | None]:
    """Return the offset just past the EOI of the JPEG at `start`, and its frame's size."""
    size: tuple[int, int] | None = None
    length = len(data)
    i = start + 2
    while True:
        if i >= length:
            raise _truncated(name)
        if data[i] != 0xFF:
            raise _damaged(name)
        while i < length and data[i] == 0xFF:
            i += 1
        if i >= length:
            raise _truncated(name)
        marker = data[i]
        i += 1
        if marker == 0xD9:
            return i, size
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        if marker in (0x00, 0xD8):
            raise _damaged(name)
        if i + 2 > length:
            raise _truncated(name)
        segment = int.from_bytes(data[i : i + 2], "big")
        if segment < 2:
            raise _damaged(name)
        if i + segment > length:
            raise _truncated(name)
        if (0xE0 <= marker <= 0xEF or marker == 0xFE) and _ACTIVE_MARKUP.search(
            data[i + 2 : i + segment].lower()
        ):
            raise _markup_inside(name)
        is_frame = 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)
        if is_frame and size is None and segment >= 7:
            height = int.from_bytes(data[i + 3 : i + 5], "big")
            width = int.from_bytes(data[i + 5 : i + 7], "big")
            size = (width, height)
        i += segment
        if marker == 0xDA:
            i = _entropy_end(data, i, name)


def _entropy_end(data: bytes, i: int, name: str) -> int:
    """Skip a scan's entropy-coded bytes: return the offset of the marker that ends them."""
    length = len(data)
    while True:
        j = data.find(b"\xff", i)
        if j < 0 or j + 1 >= length:
            raise _truncated(name)
        following = data[j + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            i = j + 2
        elif following == 0xFF:
            i = j + 1
        else:
            return j


def _png_end(data: bytes, name: str) -> tuple[int, tuple[int, int] | None]:
    """Return the offset just past a PNG's IEND chunk, and the size its header declares."""
    size: tuple[int, int] | None = None
    length = len(data)
    i = len(_PNG_SIGNATURE)
    while True:
        if i + 8 > length:
            raise _truncated(name)
        chunk = int.from_bytes(data[i : i + 4], "big")
        kind = data[i + 4 : i + 8]
        if not kind.isalpha():
            raise _damaged(name)
        end = i + 12 + chunk
        if end > length:
            raise _truncated(name)
        if kind in (b"tEXt", b"iTXt", b"eXIf") and _ACTIVE_MARKUP.search(
            data[i + 8 : end - 4].lower()
        ):
            raise _markup_inside(name)
        if kind == b"IHDR" and chunk >= 8:
            size = (
                int.from_bytes(data[i + 8 : i + 12], "big"),
                int.from_bytes(data[i + 12 : i + 16], "big"),
            )
        if kind == b"IEND":
            return end, size
        i = end


def _webp_end(data: bytes, name: str) -> tuple[int, tuple[int, int] | None]:
    """Return where a WebP's RIFF container ends, and the canvas size its first chunk gives."""
    declared = int.from_bytes(data[4:8], "little")
    end = 8 + declared + (declared & 1)
    if end > len(data) or len(data) < 30:
        raise _truncated(name)
    chunk = data[12:16]
    body = data[20:30]
    if chunk == b"VP8X":
        width = int.from_bytes(body[4:7], "little") + 1
        height = int.from_bytes(body[7:10], "little") + 1
    elif chunk == b"VP8L":
        bits = int.from_bytes(body[1:5], "little")
        width = (bits & 0x3FFF) + 1
        height = ((bits >> 14) & 0x3FFF) + 1
    elif chunk == b"VP8 ":
        width = int.from_bytes(body[6:8], "little") & 0x3FFF
        height = int.from_bytes(body[8:10], "little") & 0x3FFF
    else:
        raise _damaged(name)
    _check_webp_metadata(data, end, name)
    return end, (width, height)


def _check_webp_metadata(data: bytes, end: int, name: str) -> None:
    """Refuse a WebP whose EXIF or XMP chunk holds a web page or a script."""
    i = 12
    while i + 8 <= end:
        kind = data[i : i + 4]
        size = int.from_bytes(data[i + 4 : i + 8], "little")
        if kind in (b"EXIF", b"XMP ") and _ACTIVE_MARKUP.search(data[i + 8 : i + 8 + size].lower()):
            raise _markup_inside(name)
        i += 8 + size + (size & 1)


def _boxes_end(data: bytes, start: int, name: str) -> int:
    """Walk ISO base media boxes (HEIC, MP4) from `start`; return where the last one ends.

    The walk stops at bytes that are no box header (padding, or something else for the caller
    to judge); a box that runs past the end of the file is a cut-short file.
    """
    length = len(data)
    i = start
    while i + 8 <= length:
        size = int.from_bytes(data[i : i + 4], "big")
        if not all(0x20 <= byte < 0x7F for byte in data[i + 4 : i + 8]):
            break
        header = 8
        if size == 1:
            if i + 16 > length:
                raise _truncated(name)
            size = int.from_bytes(data[i + 8 : i + 16], "big")
            header = 16
        elif size == 0:
            size = length - i
        if size < header:
            raise _damaged(name)
        if i + size > length:
            raise _truncated(name)
        i += size
    if i == start:
        raise _truncated(name) if length - start < 8 else _damaged(name)
    return i


def _check_after_end(kind: str, data: bytes, end: int, name: str) -> None:
    """Refuse a file with anything but padding, or what cameras add, after its picture."""
    if end >= len(data):
        return
    if _HIDDEN_CONTENT.search(data[end:].lower()):
        raise _polyglot(name)
    i = end
    length = len(data)
    while i < length:
        padded = _PADDING.match(data, i).end()
        # A box's 32-bit size starts with zero bytes: they are not padding.
        boxes = [at for at in range(max(i, padded - 3), padded + 1) if _is_mp4(data, at)]
        i = boxes[0] if kind == "JPEG" and boxes else padded
        if i >= length:
            return
        if kind == "JPEG" and data.startswith(b"\xff\xd8\xff", i):
            i, _size = _jpeg_end(data, i, name)
        elif data[i] == 0xFF:
            i += 1
        elif kind == "JPEG" and _is_mp4(data, i):
            i = _boxes_end(data, i, name)
        elif kind == "JPEG" and data.endswith(b"SEFT"):
            return
        else:
            raise _polyglot(name)


def _is_mp4(data: bytes, at: int) -> bool:
    """Tell whether an ISO base media file (a motion photo's video) starts at `at`."""
    return data[at + 4 : at + 8] == b"ftyp"


def _check_pixels(size: tuple[int, int], name: str) -> None:
    """Refuse a picture whose declared size is above the limit, before it is decoded."""
    width, height = size
    if width <= 0 or height <= 0:
        raise _damaged(name)
    if width * height > PHOTO_RULES.max_pixels:
        raise ImageRejected(
            N_(
                "%(name)s is %(width)s × %(height)s pixels (%(pixels)s megapixels);"
                " the most is %(most)s megapixels.",
                name=name,
                width=f"{width:,}",
                height=f"{height:,}",
                pixels=_megapixels(width * height),
                most=_megapixels(PHOTO_RULES.max_pixels),
            ),
            "too-many-pixels",
        )


def _megapixels(pixels: int) -> str:
    """Say a number of pixels in megapixels, to a tenth where that matters: "60.4"."""
    return f"{pixels / 1e6:,.1f}".removesuffix(".0")


# -- Pixels ----------------------------------------------------------------------------------


def _decode(kind: str, data: bytes, name: str) -> tuple[Image.Image, tuple[int, int]]:
    """Decode the first frame, upright, as 8-bit sRGB with no metadata; and its upright size."""
    try:
        image = Image.open(io.BytesIO(data), formats=[_PILLOW_FORMATS[kind]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(
            N_(
                "%(name)s has more pixels than the %(most)s megapixels accepted.",
                name=name,
                most=_megapixels(PHOTO_RULES.max_pixels),
            ),
            "too-many-pixels",
        ) from None
    except Exception:  # Pillow raises many kinds of error on hostile input
        raise _damaged(name) from None
    # Not closed here: the picture may be the decoded image itself (no copy of its pixels is
    # made when none is needed), and its file is the upload's bytes in memory.
    _check_pixels(image.size, name)
    try:
        return _upright_rgb(kind, image)
    except Exception:
        raise _damaged(name) from None


def _upright_rgb(kind: str, image: Image.Image) -> tuple[Image.Image, tuple[int, int]]:
    """Turn an opened picture into an upright 8-bit sRGB image with an empty info."""
    image.seek(0)  # the first frame of an animation
    orientation = image.getexif().get(_ORIENTATION, 1)
    turned = orientation in (5, 6, 7, 8)
    upright_size = (image.height, image.width) if turned else image.size
    if kind == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when that still covers the largest rendition.
        longest = max(image.size)
        largest = max(bound for _size, bound in PHOTO_RULES.rendition_sizes)
        if longest > largest:
            factor = largest / longest
            image.draft(image.mode, (int(image.width * factor), int(image.height * factor)))
    image.load()
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image) if orientation in range(2, 9) else image
    rgb = _to_rgb(upright, icc)
    rgb.info = {}
    return rgb, upright_size


def _to_rgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert any mode to 8-bit RGB in sRGB, laying transparency on white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        scale = 1 / 257 if image.mode != "I" or image.getextrema()[1] > 255 else 1
        image = image.convert("I").point(lambda value: value * scale).convert("L")
    elif image.mode == "F":
        image = image.point(lambda value: value * 255).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "La", "RGBa", "PA") or ("transparency" in image.info)
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L", "LA"):
        image = _to_srgb(image, icc)
    if has_alpha:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, _WHITE)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image if image.mode == "RGB" else image.convert("RGB")


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Convert from the picture's colour profile to sRGB; keep the pixels if it is unusable."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if "srgb" in ImageCms.getProfileDescription(profile).lower():
            return image
        alpha = image.getchannel("A") if image.mode in ("RGBA", "LA") else None
        base = image.convert({"RGBA": "RGB", "LA": "L"}.get(image.mode, image.mode))
        converted = ImageCms.profileToProfile(base, profile, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image
    if converted is None:  # pragma: no cover - only when converting in place
        return image
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


def _renditions(picture: Image.Image) -> tuple[Rendition, ...]:
    """Write each size, largest first (each made from the one before), in every format."""
    renditions: list[Rendition] = []
    source = picture
    for size, bound in sorted(PHOTO_RULES.rendition_sizes, key=lambda item: -item[1]):
        scaled = _fit(source, bound)
        for format_name, extension, content_type in PHOTO_RULES.rendition_formats:
            data = _encode(scaled, format_name, _WEBP_METHOD.get(size, _WEBP_DEFAULT_METHOD))
            renditions.append(
                Rendition(
                    size=size,
                    format=format_name,
                    content_type=content_type,
                    width=scaled.width,
                    height=scaled.height,
                    data=data,
                    key=f"{hashlib.sha256(data).hexdigest()}.{extension}",
                )
            )
        source = scaled
    order = [size for size, _bound in PHOTO_RULES.rendition_sizes]
    renditions.sort(key=lambda rendition: order.index(rendition.size))
    return tuple(renditions)


def _fit(image: Image.Image, bound: int) -> Image.Image:
    """Shrink so that the longest edge is at most `bound`; never enlarge."""
    longest = max(image.size)
    if longest <= bound:
        return image
    factor = bound / longest
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    scaled = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    scaled.info = {}
    return scaled


def _encode(image: Image.Image, format_name: str, webp_method: int) -> bytes:
    """Encode pixels only: no EXIF, XMP, ICC profile or comment is written."""
    buffer = io.BytesIO()
    if format_name == "webp":
        image.save(buffer, "WEBP", quality=_WEBP_QUALITY, method=webp_method, exif=b"", xmp=b"")
    else:
        image.save(
            buffer,
            "JPEG",
            quality=_JPEG_QUALITY,
            optimize=True,
            progressive=True,
            exif=b"",
            comment=b"",
        )
    return buffer.getvalue()
