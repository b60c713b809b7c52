"""Uploaded photos made safe: a corpus of hostile and awkward files, each with its outcome.

Every file is generated (tests/image_corpus.py: Pillow, or raw bytes with zlib), so nothing
binary is committed. Every accepted file's renditions are read back with Pillow and searched
byte by byte: none may keep EXIF, GPS, XMP, an ICC profile or a comment.
"""

from __future__ import annotations

import io
import struct
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from eventmap import images
from eventmap.images import ImageRejected, display_name, process_image
from eventmap.rules import PHOTO_RULES
from tests.image_corpus import (
    BLUE,
    RED,
    XMP,
    assert_clean,
    centre,
    close_to,
    encode,
    gps_exif,
    heic_declaring,
    hostile_files,
    patch_jpeg_size,
    patch_webp_vp8,
    patch_webp_vp8l,
    patch_webp_vp8x,
    photo,
    png_bomb,
    png_with_text,
    read,
    rotated_jpeg,
    sixteen_bit_rgb_png,
    swapped_profile,
)

# -- Checking renditions -----------------------------------------------------------------------


def rejected(data: bytes, filename: str = "party.jpg") -> ImageRejected:
    """Return the refusal of a file, failing if it was accepted."""
    with pytest.raises(ImageRejected) as caught:
        process_image(data, filename)
    error = caught.value
    assert error.message == str(error)
    assert display_name(filename) in error.message
    assert error.message.endswith(".")
    return error


# -- The corpus ------------------------------------------------------------------------------


@pytest.mark.parametrize("upload", hostile_files(), ids=lambda upload: upload.filename)
def test_each_file_of_the_corpus_has_its_stated_outcome(upload):
    try:
        processed = process_image(upload.data, upload.filename)
    except ImageRejected as error:
        outcome, message = error.reason, error.message
    else:
        outcome, message = "accepted", ""
        assert_clean(processed)
    assert outcome == upload.outcome
    assert outcome == "accepted" or message.startswith(f"{upload.filename} ")


# -- Accepted, and made clean -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("format_name", "params"),
    [
        ("JPEG", {"quality": 90}),
        ("PNG", {}),
        ("WEBP", {"quality": 90}),
        ("HEIF", {"quality": 90}),
    ],
)
def test_exif_gps_and_xmp_are_removed_from_every_rendition(format_name, params):
    exif = gps_exif()
    data = encode(photo(), format_name, exif=exif, **params, **extra_metadata(format_name))
    sent = Image.open(io.BytesIO(data))
    assert sent.getexif().get_ifd(0x8825), "the test file really carries GPS data"
    processed = process_image(data, "party." + format_name.lower())
    assert_clean(processed)
    assert (processed.width, processed.height) == (400, 300)


def extra_metadata(format_name: str) -> dict:
    """Return XMP, a comment and a colour profile, where the format can carry them."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    if format_name == "JPEG":
        return {"xmp": XMP, "comment": b"Cake at 8, Berlin", "icc_profile": srgb}
    if format_name == "WEBP":
        return {"xmp": XMP, "icc_profile": srgb}
    if format_name == "PNG":
        return {"icc_profile": srgb}
    return {}


def test_renditions_have_the_sizes_of_the_rules_and_are_never_enlarged():
    processed = process_image(encode(photo((4000, 3000)), "JPEG"), "big.jpg")
    sizes = {(r.size, r.format): (r.width, r.height) for r in processed.renditions}
    bounds = dict(PHOTO_RULES.rendition_sizes)
    assert bounds == {"thumb": 320, "page": 1280, "full": 2560}
    for size, bound in bounds.items():
        for format_name in ("webp", "jpeg"):
            assert sizes[(size, format_name)] == (bound, bound * 3 // 4)
    small = process_image(encode(photo((100, 50)), "PNG"), "small.png")
    assert {(r.width, r.height) for r in small.renditions} == {(100, 50)}
    assert_clean(small)


def test_renditions_are_found_by_size_and_format_and_named_by_content():
    processed = process_image(encode(photo(), "PNG"), "party.png")
    thumb = processed.rendition("thumb", "webp")
    assert (thumb.size, thumb.format, thumb.content_type) == ("thumb", "webp", "image/webp")
    assert processed.rendition("full", "jpeg").key.endswith(".jpg")
    assert processed.keys == {r.key for r in processed.renditions}
    with pytest.raises(KeyError):
        processed.rendition("huge", "webp")
    # The same picture gives the same files: keys depend on content alone.
    again = process_image(encode(photo(), "PNG"), "other-name.png")
    assert again.keys == processed.keys


def test_a_file_is_known_by_its_content_not_its_name():
    processed = process_image(encode(photo(), "PNG"), "holiday.jpg")
    assert_clean(processed)
    assert process_image(encode(photo(), "JPEG"), "no-extension").width == 400


def test_orientation_6_is_applied_and_then_dropped():
    # Landscape as stored, left half red and right half blue; the camera says "turn 90° right".
    processed = process_image(rotated_jpeg(), "turned.jpg")
    assert (processed.width, processed.height) == (200, 400)
    assert_clean(processed)
    for rendition in processed.renditions:
        image = read(rendition.data)
        assert image.width < image.height
        assert close_to(image.getpixel((image.width // 2, image.height // 8)), RED, 40)
        assert close_to(image.getpixel((image.width // 2, image.height * 7 // 8)), BLUE, 40)


def test_a_large_rotated_jpeg_reports_its_upright_size():
    # Decoded at a reduced scale (JPEG draft), but the size reported is the uploaded one.
    exif = Image.Exif()
    exif[0x0112] = 8
    processed = process_image(encode(photo((6000, 4000)), "JPEG", exif=exif), "wide.jpg")
    assert (processed.width, processed.height) == (4000, 6000)
    assert processed.rendition("full", "jpeg").height == 2560


@pytest.mark.parametrize("format_name", ["JPEG", "PNG", "WEBP"])
def test_a_colour_profile_is_applied_then_dropped(format_name):
    params = {"quality": 95} if format_name != "PNG" else {}
    data = encode(
        Image.new("RGB", (64, 48), RED), format_name, icc_profile=swapped_profile(), **params
    )
    assert Image.open(io.BytesIO(data)).info["icc_profile"] == swapped_profile()
    processed = process_image(data, "wide-gamut." + format_name.lower())
    assert_clean(processed)
    for rendition in processed.renditions:
        assert close_to(centre(rendition.data), (0, 255, 0), 30), rendition.format


def test_a_broken_colour_profile_is_ignored():
    data = encode(Image.new("RGB", (64, 48), RED), "JPEG", icc_profile=b"not a profile" * 10)
    processed = process_image(data, "odd.jpg")
    assert_clean(processed)
    assert close_to(centre(processed.rendition("page", "jpeg").data), RED)


def test_a_cmyk_jpeg_becomes_rgb_with_its_colours():
    data = encode(Image.new("CMYK", (64, 64), (0, 255, 255, 0)), "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    processed = process_image(data, "print.jpg")
    assert_clean(processed)
    for rendition in processed.renditions:
        assert close_to(centre(rendition.data), RED)


def test_a_16_bit_greyscale_png_is_scaled_not_clipped():
    data = encode(Image.new("I;16", (40, 30), 0x8000), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I;16")
    processed = process_image(data, "scan.png")
    assert_clean(processed)
    assert close_to(centre(processed.rendition("page", "jpeg").data), (128, 128, 128), 6)


def test_a_16_bit_rgb_png_keeps_its_colours():
    processed = process_image(sixteen_bit_rgb_png(), "deep.png")
    assert_clean(processed)
    assert close_to(centre(processed.rendition("page", "webp").data), (128, 0, 127), 12)


def test_palette_and_alpha_are_laid_on_white():
    palette = Image.new("P", (40, 40), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.paste(1, (20, 0, 40, 40))
    transparent_palette = encode(palette, "PNG", transparency=1)
    processed = process_image(transparent_palette, "palette.png")
    assert_clean(processed)
    image = read(processed.rendition("thumb", "jpeg").data)
    assert close_to(image.getpixel((5, 20)), RED)
    assert close_to(image.getpixel((35, 20)), (255, 255, 255))
    rgba = Image.new("RGBA", (40, 40), (0, 0, 255, 0))
    rgba.paste((0, 0, 255, 255), (0, 0, 20, 40))
    processed = process_image(encode(rgba, "WEBP", lossless=True), "alpha.webp")
    assert_clean(processed)
    image = read(processed.rendition("thumb", "webp").data)
    assert close_to(image.getpixel((5, 20)), BLUE)
    assert close_to(image.getpixel((35, 20)), (255, 255, 255))


@pytest.mark.parametrize(
    ("mode", "format_name"),
    [
        ("1", "PNG"),
        ("L", "JPEG"),
        ("L", "WEBP"),
        ("LA", "PNG"),
        ("P", "PNG"),
        ("RGBA", "PNG"),
        ("RGBA", "WEBP"),
        ("I;16", "PNG"),
        ("CMYK", "JPEG"),
        ("RGB", "HEIF"),
    ],
)
def test_every_mode_becomes_clean_rgb(mode, format_name):
    image = photo((90, 60)).convert(mode) if mode != "I;16" else Image.new(mode, (90, 60), 9000)
    processed = process_image(encode(image, format_name), f"{mode}.{format_name.lower()}")
    assert_clean(processed)
    assert (processed.width, processed.height) == (90, 60)


def test_an_animated_webp_keeps_its_first_frame_only():
    frames = [Image.new("RGB", (64, 48), color) for color in (RED, (0, 255, 0), BLUE)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    processed = process_image(data, "party.webp")
    assert_clean(processed)
    for rendition in processed.renditions:
        assert close_to(centre(rendition.data), RED)


def test_an_animated_png_keeps_its_first_frame_only():
    frames = [Image.new("RGB", (64, 48), color) for color in (BLUE, RED)]
    data = encode(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)
    processed = process_image(data, "party.png")
    assert_clean(processed)
    assert close_to(centre(processed.rendition("page", "jpeg").data), BLUE)


def test_a_heic_photo_is_accepted():
    exif = gps_exif()
    exif[0x0112] = 6
    data = encode(photo((300, 200)), "HEIF", quality=90, exif=exif)
    assert data[4:12] == b"ftypheic"
    processed = process_image(data, "IMG_0001.HEIC")
    assert_clean(processed)
    # HEIF turns pictures with its own transforms (irot, imir), which libheif applies; the
    # EXIF orientation beside them is ignored, as the format says, so nothing turns twice.
    assert (processed.width, processed.height) == (300, 200)


def test_a_jpeg_with_what_cameras_add_after_it_is_accepted():
    first = encode(photo(), "JPEG")
    preview = encode(photo((160, 120)), "JPEG")  # an MPF preview, a depth or gain map
    mp4 = struct.pack(">I", 24) + b"ftypmp42" + b"\x00" * 12 + struct.pack(">I", 8) + b"mdat"
    for data in (
        first + b"\x00" * 300,
        first + preview,
        first + preview + b"\x00\x00" + preview,
        first + mp4,
    ):
        assert_clean(process_image(data, "camera.jpg"))


# -- Refused, with a message naming the file ---------------------------------------------------


def test_a_png_bomb_is_refused_on_its_declared_size_before_decoding(monkeypatch):
    bomb = png_bomb()
    assert len(bomb) < 200_000  # 20,000 × 20,000 pixels in a small file
    with pytest.raises(Image.DecompressionBombError):  # a real PNG, which Pillow refuses too
        Image.open(io.BytesIO(bomb))
    monkeypatch.setattr(images.Image, "open", pytest.fail)  # ... but the header check is first
    error = rejected(bomb, "party.png")
    assert error.reason == "too-many-pixels"
    assert "20,000 × 20,000 pixels (400 megapixels)" in error.message
    assert "the most is 60 megapixels" in error.message


@pytest.mark.parametrize("side", [20_000, 8_000])
def test_pillow_s_own_bomb_guard_is_set_and_answered(side):
    assert PHOTO_RULES.max_pixels == Image.MAX_IMAGE_PIXELS
    # A picture whose header the walk does not size (HEIC) relies on Pillow's guard when it is
    # opened: DecompressionBombError above twice the limit, a warning above it (an error under
    # this suite's filters). Either way the file is refused, and nothing is decoded.
    error = rejected(heic_declaring(side, side), "big.heic")
    assert error.reason == "too-many-pixels"


def test_the_declared_size_is_checked_again_when_pillow_only_warns():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # as in production
        error = rejected(heic_declaring(8_000, 8_000), "big.heic")
    assert error.reason == "too-many-pixels"
    assert "8,000 × 8,000 pixels (64 megapixels)" in error.message


@pytest.mark.parametrize(
    "make",
    [
        # A JPEG whose frame header claims 65,000 × 65,000 pixels.
        lambda: patch_jpeg_size(encode(photo(), "JPEG"), 65_000, 65_000),
        # WebP: the extended (VP8X), lossless (VP8L) and lossy (VP8) headers.
        lambda: patch_webp_vp8x(encode(photo(), "WEBP", exif=gps_exif())),
        lambda: patch_webp_vp8l(encode(photo(), "WEBP", lossless=True)),
        lambda: patch_webp_vp8(encode(photo(), "WEBP")),
    ],
    ids=["jpeg", "webp-vp8x", "webp-vp8l", "webp-vp8"],
)
def test_other_bombs_are_refused_on_their_headers(make, monkeypatch):
    data = make()
    monkeypatch.setattr(images.Image, "open", pytest.fail)
    assert rejected(data).reason == "too-many-pixels"


@pytest.mark.parametrize(
    "trailer",
    [
        b"<script>alert(document.cookie)</script>",
        b"\n<html><body onload=alert(1)>",
        b"<?php system($_GET['c']); ?>",
        b"PK\x03\x04\x14\x00\x00\x00" + b"\x00" * 30 + b"PK\x05\x06" + b"\x00" * 18,
        b"%PDF-1.7\n",
        b"just some text a tool appended",
    ],
    ids=["script", "html", "php", "zip", "pdf", "text"],
)
def test_a_jpeg_with_something_appended_is_refused(trailer):
    data = encode(photo(), "JPEG") + trailer
    assert Image.open(io.BytesIO(data)).size == (400, 300)  # Pillow alone would accept it
    error = rejected(data)
    assert error.reason == "polyglot"
    assert error.message.startswith("party.jpg has other data hidden after the end")


def test_markup_is_refused_even_in_what_cameras_may_append():
    first = encode(photo(), "JPEG")
    preview = encode(photo((50, 50)), "JPEG")
    assert rejected(first + preview + b"<script>x</script>").reason == "polyglot"
    assert rejected(first + b"\x00" * 10 + b"<SCRIPT src=//x>").reason == "polyglot"
    assert rejected(first + b"<svg onload=alert(1)>SEFT").reason == "polyglot"


@pytest.mark.parametrize(
    ("make", "filename"),
    [
        (lambda: encode(photo(), "PNG") + b"<html><script>alert(1)</script>", "party.png"),
        (lambda: encode(photo(), "PNG") + b"anything at all", "party.png"),
        (lambda: encode(photo(), "PNG") + encode(photo(), "JPEG"), "party.png"),
        (lambda: encode(photo(), "WEBP") + b"<script>alert(1)</script>", "party.webp"),
        (lambda: encode(photo(), "HEIF") + b"PK\x03\x04\x14\x00" + b"\x00" * 40, "x.heic"),
    ],
    ids=["png-html", "png-bytes", "png-jpeg", "webp-script", "heic-zip"],
)
def test_other_pictures_with_data_after_their_end_are_refused(make, filename):
    assert rejected(make(), filename).reason == "polyglot"


@pytest.mark.parametrize(
    ("make", "filename"),
    [
        (lambda: encode(photo(), "JPEG", comment=b"<script>alert(1)</script>"), "party.jpg"),
        (lambda: encode(photo(), "JPEG", xmp=XMP + b"<SCRIPT>alert(1)</SCRIPT>"), "party.jpg"),
        (lambda: png_with_text(b"Comment", b"<html><body onload=alert(1)>"), "party.png"),
        (lambda: encode(photo(), "WEBP", xmp=b"<svg onload=alert(1)>"), "party.webp"),
    ],
    ids=["jpeg-comment", "jpeg-xmp", "png-text", "webp-xmp"],
)
def test_markup_hidden_in_metadata_is_refused(make, filename):
    error = rejected(make(), filename)
    assert error.reason == "polyglot"
    assert f"{filename} has a web page or script hidden in its metadata" in error.message


def test_harmless_text_metadata_is_accepted_and_dropped():
    processed = process_image(png_with_text(b"Comment", b"Cake at 8, Berlin"), "party.png")
    assert_clean(processed)


@pytest.mark.parametrize("format_name", ["PNG", "WEBP", "HEIF"])
def test_a_picture_with_padding_after_it_is_accepted(format_name):
    assert_clean(process_image(encode(photo(), format_name) + b"\x00" * 64, "party"))


def test_sizes_near_the_limit_are_worded_to_a_tenth():
    side = 7_773  # 60.4 million pixels
    error = rejected(patch_jpeg_size(encode(photo(), "JPEG"), side, side))
    assert "(60.4 megapixels); the most is 60 megapixels." in error.message


def test_an_html_file_named_jpg_is_refused():
    page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    error = rejected(page, "party.jpg")
    assert error.reason == "not-an-image"
    assert error.message == "party.jpg is a web page or text, not a JPEG, PNG, WebP or HEIC image."


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- a drawing -->\n<svg xmlns="http://www.w3.org'
        b'/2000/svg"><script>alert(1)</script></svg>',
    ],
)
def test_an_svg_is_refused(svg):
    error = rejected(svg, "logo.svg")
    assert error.reason == "svg"
    assert error.message.startswith("logo.svg is an SVG drawing")


@pytest.mark.parametrize(
    "data",
    [
        encode(Image.new("RGB", (8, 8)), "GIF"),
        encode(Image.new("RGB", (8, 8)), "BMP"),
        encode(Image.new("RGB", (8, 8)), "TIFF"),
        b"\x00" * 100,
        b"%PDF-1.7\n1 0 obj",
        b"PK\x03\x04" + b"\x00" * 40,
        struct.pack(">I", 28) + b"ftypavif\0\0\0\0avifmif1miaf" + b"\0" * 64,
    ],
    ids=["gif", "bmp", "tiff", "zeros", "pdf", "zip", "avif"],
)
def test_other_kinds_of_file_are_refused(data):
    error = rejected(data, "upload.jpg")
    assert error.reason == "not-an-image"
    assert "JPEG, PNG, WebP or HEIC" in error.message


@pytest.mark.parametrize(
    ("format_name", "filename"),
    [("JPEG", "party.jpg"), ("PNG", "party.png"), ("WEBP", "party.webp"), ("HEIF", "a.heic")],
)
def test_a_truncated_file_is_refused(format_name, filename):
    data = encode(photo(), format_name)
    for cut in (len(data) // 2, len(data) - 1, 40):
        error = rejected(data[:cut], filename)
        assert error.reason in ("truncated", "damaged"), cut
    assert rejected(data[: len(data) // 2], filename).message.endswith(
        "is cut short (incomplete or damaged); please upload the whole file."
    )


def test_empty_and_oversized_files_are_refused():
    assert rejected(b"", "empty.jpg").message == "empty.jpg is empty."
    huge = b"\xff\xd8\xff" + b"\x00" * PHOTO_RULES.max_bytes
    error = rejected(huge, "huge.jpg")
    assert error.reason == "too-large"
    assert error.message == "huge.jpg is 15.0 MB; the most is 15 MB."


def test_messages_name_the_file_safely():
    assert display_name("C:\\fakepath\\party.jpg") == "party.jpg"
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("bad\r\nname\x00.jpg") == "badname.jpg"
    assert display_name("") == "This file"
    assert display_name("x" * 200 + ".jpg").endswith("…")
    assert rejected(b"junk", "").message == "This file is not a JPEG, PNG, WebP or HEIC image."


def test_the_limits_live_in_the_rules():
    assert PHOTO_RULES.max_bytes == 15 * 1024 * 1024
    assert PHOTO_RULES.max_files == 10
    assert PHOTO_RULES.accepted_names == "JPEG, PNG, WebP or HEIC"
    assert "image/heic" in PHOTO_RULES.accept_attribute
    assert ".webp" in PHOTO_RULES.accept_attribute
    assert PHOTO_RULES.max_upload_bytes > PHOTO_RULES.max_files * PHOTO_RULES.max_bytes
    limits = PHOTO_RULES.as_dict()
    assert limits["rendition_sizes"] == {"thumb": 320, "page": 1280, "full": 2560}
    assert limits["rendition_formats"] == ["webp", "jpeg"]


# -- Anything else: a clear refusal, never another exception ----------------------------------

REASONS = {
    "accepted",
    "empty",
    "not-an-image",
    "svg",
    "truncated",
    "damaged",
    "polyglot",
    "too-many-pixels",
}
SEEDS = [
    encode(photo((48, 32)), "JPEG", exif=gps_exif()),
    encode(photo((48, 32)), "PNG"),
    encode(photo((48, 32)), "WEBP"),
    encode(photo((48, 32)), "WEBP", lossless=True),
]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    seed=st.sampled_from(SEEDS),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 255), st.sampled_from("xitd")),
        min_size=1,
        max_size=4,
    ),
)
def test_damaged_files_are_refused_or_made_clean(seed, edits):
    data = bytearray(seed)
    for where, value, how in edits:
        at = int(where * (len(data) - 1))
        if how == "x":
            data[at] = value
        elif how == "i":
            data[at:at] = bytes([value]) * 4
        elif how == "t":
            del data[at:]
        else:
            del data[at : at + value]
        if not data:
            break
    try:
        processed = process_image(bytes(data), "fuzz.jpg")
    except ImageRejected as error:
        reason = error.reason
    else:
        reason = "accepted"
        assert_clean(processed)
    assert reason in REASONS
