"""Pictures for the photo tests, made on the fly: hostile, awkward and ordinary files.

`hostile_files()` is the issue's corpus, each file with the outcome it must have (accepted, or
refused for a stated reason), for the image tests here and for request tests of the upload
form and API; `assert_clean_rendition` reads a served file back and checks that it keeps no
metadata. Nothing binary is committed: Pillow writes the files, or raw bytes and zlib do.
"""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image

from eventmap.images import ProcessedImage

RED = (255, 0, 0)
BLUE = (0, 0, 255)
# Byte strings no rendition may hold: EXIF and XMP headers, the GPS tags' neighbourhood,
# and what the hostile files carried.
METADATA_MARKERS = (
    b"Exif\x00\x00",
    b"http://ns.adobe.com/xap",
    b"<x:xmpmeta",
    b"ICC_PROFILE",
    b"Cake at 8",
)


# -- Making files ----------------------------------------------------------------------------


def encode(image: Image.Image, format_name: str, **params) -> bytes:
    """Save an image to bytes."""
    buffer = io.BytesIO()
    image.save(buffer, format_name, **params)
    return buffer.getvalue()


def photo(size=(400, 300), color=RED) -> Image.Image:
    """Return a plain RGB picture with some detail, so that it encodes like a photo."""
    image = Image.new("RGB", size, color)
    image.paste(Image.linear_gradient("L").resize((size[0] // 2, size[1] // 2)).convert("RGB"))
    return image


def gps_exif() -> Image.Exif:
    """Return EXIF naming a camera, a date and where the photo was taken."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Phone 12"  # Model
    exif[0x0132] = "2026:04:01 18:30:00"  # DateTime
    exif[0x8825] = {  # GPSInfo
        1: "N",
        2: (52.0, 31.0, 12.0),
        3: "E",
        4: (13.0, 24.0, 36.0),
    }
    return exif


XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="52,31.2N"/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """Return one PNG chunk with its length and CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def raw_png(width: int, height: int, depth: int, color_type: int, pixels: bytes) -> bytes:
    """Return a PNG written by hand from already filtered, compressed scanlines."""
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


def png_bomb(side: int = 20_000) -> bytes:
    """Return a valid 1-bit PNG of side × side pixels: a few tens of KB, billions of bits."""
    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    block = row * 500
    stream = b"".join(compressor.compress(block) for _ in range(side // 500))
    stream += compressor.compress(row * (side % 500)) + compressor.flush()
    return raw_png(side, side, 1, 0, stream)


def sixteen_bit_rgb_png(width: int = 32, height: int = 16, value: int = 0x8000) -> bytes:
    """Return a 16-bit RGB PNG (which Pillow cannot write) of one colour."""
    pixel = struct.pack(">HHH", value, 0, 0xFFFF - value)
    rows = (b"\x00" + pixel * width) * height
    return raw_png(width, height, 16, 2, zlib.compress(rows))


def s15(value: float) -> bytes:
    """Encode an ICC s15Fixed16 number."""
    return struct.pack(">i", round(value * 65536))


def icc_xyz(x: float, y: float, z: float) -> bytes:
    """Return an ICC XYZType tag."""
    return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)


# sRGB's primaries (D50-adapted, as ICC profiles give them).
SRGB_RED = (0.4361, 0.2225, 0.0139)
SRGB_GREEN = (0.3851, 0.7169, 0.0971)
SRGB_BLUE = (0.1431, 0.0606, 0.7141)


def swapped_profile() -> bytes:
    """Return an ICC v2 RGB profile written by hand whose red is sRGB's green, and back.

    A picture tagged with it that is converted to sRGB turns red pixels green: proof that the
    profile was applied, not just dropped.
    """
    name = b"Swapped test RGB"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(name) + 1) + name + b"\0" * 79
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 0x0233) + b"\0\0"  # gamma 2.2
    tags = [
        (b"desc", desc),
        (b"wtpt", icc_xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", icc_xyz(*SRGB_GREEN)),
        (b"gXYZ", icc_xyz(*SRGB_RED)),
        (b"bXYZ", icc_xyz(*SRGB_BLUE)),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, body = struct.pack(">I", len(tags)), b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (
        struct.pack(">I", offset + len(body))
        + b"\0" * 4
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"\0" * 28
        + s15(0.9642)
        + s15(1.0)
        + s15(0.8249)
        + b"\0" * 48
    )
    return header + table + body


# -- Checking renditions -----------------------------------------------------------------------


def read(data: bytes) -> Image.Image:
    """Open a rendition with Pillow and decode it."""
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_clean_rendition(data: bytes) -> Image.Image:
    """Check that a served file is one WebP or JPEG frame of RGB pixels with no metadata."""
    image = read(data)
    assert image.format in ("WEBP", "JPEG")
    assert image.mode == "RGB"
    assert getattr(image, "n_frames", 1) == 1
    assert dict(image.getexif()) == {}
    for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "dpi"):
        assert key not in image.info, key
    for marker in METADATA_MARKERS:
        assert marker not in data, marker
    if image.format == "WEBP":
        assert b"EXIF" not in data[:64]
        assert b"XMP " not in data
        assert b"ICCP" not in data[:64]
    return image


def assert_clean(processed: ProcessedImage) -> None:
    """Check every rendition: clean, of its stated format, type and size, named by content."""
    assert len(processed.renditions) == 6
    for rendition in processed.renditions:
        image = assert_clean_rendition(rendition.data)
        assert image.format == {"webp": "WEBP", "jpeg": "JPEG"}[rendition.format]
        content_type = {"webp": "image/webp", "jpeg": "image/jpeg"}[rendition.format]
        assert rendition.content_type == content_type
        assert image.size == (rendition.width, rendition.height)
        extension = {"webp": "webp", "jpeg": "jpg"}[rendition.format]
        assert rendition.key == f"{hashlib.sha256(rendition.data).hexdigest()}.{extension}"


def centre(rendition_data: bytes) -> tuple[int, ...]:
    """Return the colour at the middle of a rendition."""
    image = read(rendition_data)
    return image.getpixel((image.width // 2, image.height // 2))


def close_to(color, expected, tolerance=24) -> bool:
    """Tell whether two colours are within a lossy encoder's error."""
    return all(abs(a - b) <= tolerance for a, b in zip(color, expected, strict=True))


# -- Edited files ----------------------------------------------------------------------------


def heic_declaring(width: int, height: int) -> bytes:
    """Return a small HEIC whose image extents box (ispe) claims another size."""
    data = encode(photo((64, 64)), "HEIF", quality=10)
    at = data.index(b"ispe") + 8  # after the box type, its version and flags
    assert struct.unpack(">II", data[at : at + 8]) == (64, 64)
    return data[:at] + struct.pack(">II", width, height) + data[at + 8 :]


def patch_jpeg_size(data: bytes, width: int, height: int) -> bytes:
    """Rewrite the size in a JPEG's frame header."""
    at = data.index(b"\xff\xc0") + 5
    return data[:at] + struct.pack(">HH", height, width) + data[at + 4 :]


def patch_webp_vp8x(data: bytes) -> bytes:
    """Rewrite an extended WebP's canvas to 16,384 × 16,384."""
    assert data[12:16] == b"VP8X"
    return data[:24] + (16383).to_bytes(3, "little") * 2 + data[30:]


def patch_webp_vp8l(data: bytes) -> bytes:
    """Rewrite a lossless WebP's size to 16,384 × 16,384."""
    assert data[12:16] == b"VP8L"
    bits = int.from_bytes(data[21:25], "little")
    bits = (bits & ~0xFFFFFFF) | 0x3FFF | (0x3FFF << 14)
    return data[:21] + bits.to_bytes(4, "little") + data[25:]


def patch_webp_vp8(data: bytes) -> bytes:
    """Rewrite a lossy WebP's key frame size to 16,383 × 16,383."""
    assert data[12:16] == b"VP8 "
    return data[:26] + struct.pack("<HH", 16383, 16383) + data[30:]


def png_with_text(keyword: bytes, text: bytes) -> bytes:
    """Return a PNG with a tEXt chunk after its header."""
    data = encode(photo(), "PNG")
    at = data.index(b"IDAT") - 4
    return data[:at] + png_chunk(b"tEXt", keyword + b"\0" + text) + data[at:]


# -- The corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HostileFile:
    """An upload and what must become of it: "accepted", or the ImageRejected reason."""

    filename: str
    data: bytes
    outcome: str


def rotated_jpeg() -> bytes:
    """Return a landscape JPEG, left red and right blue, whose EXIF says "turn 90° right"."""
    stored = Image.new("RGB", (400, 200), RED)
    stored.paste(Image.new("RGB", (200, 200), BLUE), (200, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    return encode(stored, "JPEG", exif=exif, quality=95)


def animated_webp() -> bytes:
    """Return a three-frame WebP animation: red, green, blue."""
    frames = [Image.new("RGB", (64, 48), color) for color in (RED, (0, 255, 0), BLUE)]
    return encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)


def hostile_files() -> list[HostileFile]:
    """Return the issue's corpus of hostile and awkward uploads, each with its outcome."""
    jpeg = encode(photo(), "JPEG")
    return [
        HostileFile("gps.jpg", encode(photo(), "JPEG", exif=gps_exif(), xmp=XMP), "accepted"),
        HostileFile("bomb.png", png_bomb(), "too-many-pixels"),
        HostileFile("script.jpg", jpeg + b"<script>alert(document.cookie)</script>", "polyglot"),
        HostileFile("zip.jpg", jpeg + b"PK\x03\x04" + b"\x00" * 26 + b"PK\x05\x06", "polyglot"),
        HostileFile("page.jpg", b"<!DOCTYPE html><html><script>alert(1)</script>", "not-an-image"),
        HostileFile(
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "svg",
        ),
        HostileFile("cut.jpg", jpeg[: len(jpeg) // 2], "truncated"),
        HostileFile(
            "cmyk.jpg", encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG"), "accepted"
        ),
        HostileFile("deep.png", sixteen_bit_rgb_png(), "accepted"),
        HostileFile("grey16.png", encode(Image.new("I;16", (40, 30), 0x8000), "PNG"), "accepted"),
        HostileFile("animated.webp", animated_webp(), "accepted"),
        HostileFile("rotated.jpg", rotated_jpeg(), "accepted"),
    ]
