"""What uploads are accepted, and what is stored in their place.

Every fixture is made here at run time: photos with Pillow, PNGs and PDFs byte by byte.
"""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFile
from PIL import PngImagePlugin

from domain import images
from domain import uploads
from domain.uploads import UploadRejected
from domain.uploads import inspect_upload
from domain.uploads import sniff
from domain.uploads import stored_name

MB = 1024 * 1024
LIMITS = {"max_file_bytes": 10 * MB, "max_total_bytes": 30 * MB}
RED = (220, 20, 20)


def inspect(data: bytes, **limits: int) -> uploads.CleanFile:
    return inspect_upload(data, **{**LIMITS, **limits})


def refusal(data: bytes, **limits: int) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect(data, **limits)
    return caught.value


def reopened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def textured(size: tuple[int, int]) -> Image.Image:
    """A photo-like picture: gradients and grain, thousands of colours, 4 MB as JPEG."""
    grain = Image.effect_noise((size[0] // 4, size[1] // 4), 60).resize(size)
    ramp = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (ramp, grain, ramp.transpose(Image.Transpose.ROTATE_180)))


def phone_exif() -> Image.Exif:
    """EXIF as a phone writes it held upright: sensor landscape, orientation 6, GPS."""
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 51.0, 0.0)})
    return exif


@pytest.fixture(scope="module")
def phone_photo() -> bytes:
    """A 4000×3000 JPEG with orientation 6 and GPS; a red mark top left of the sensor image."""
    image = textured((4000, 3000))
    ImageDraw.Draw(image).rectangle((0, 0, 400, 400), fill=RED)
    return encoded(image, "JPEG", quality=90, exif=phone_exif())


@pytest.fixture(scope="module")
def stored_photo(phone_photo: bytes) -> uploads.CleanFile:
    return inspect(phone_photo)


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


PNG_COLOUR_TYPES = {"1": (0, 1, 1), "L": (0, 8, 8), "RGB": (2, 8, 24), "RGBA": (6, 8, 32)}


def blank_png(width: int, height: int, mode: str = "1") -> bytes:
    """A PNG of one colour and any size, all zeros: a few kB that decode to width × height."""
    colour_type, depth, bits = PNG_COLOUR_TYPES[mode]
    row = bytes(1 + (width * bits + 7) // 8)
    packer = zlib.compressobj(9 if mode == "1" else 1)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


# A minimal PDF, written the way a real writer does: objects, a cross-reference table, a trailer.

PAGE_CONTENT = b"BT /F1 12 Tf 72 720 Td (Don de nghi) Tj ET"


def pdf(*objects: bytes, trailer: bytes = b"") -> bytes:
    """A PDF whose objects 1, 2, 3 … have these bodies; object 1 is the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(body: bytes, entries: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        body = zlib.compress(body)
        entries += b" /Filter /FlateDecode"
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(body), entries, body)


def object_stream(objects: dict[int, bytes], entries: bytes = b"", compress: bool = True) -> bytes:
    """An object stream (/Type /ObjStm) holding these objects, compressed like real ones."""
    offsets, bodies, at = [], b"", 0
    for number, body in objects.items():
        offsets.append(b"%d %d" % (number, at))
        bodies += body + b"\n"
        at = len(bodies)
    head = b" ".join(offsets) + b"\n"
    entries = b"/Type /ObjStm /N %d /First %d %s" % (len(objects), len(head), entries)
    return stream(head + bodies, entries, compress=compress)


def clean_pdf(*extra: bytes, catalog: bytes = b"", trailer: bytes = b"") -> bytes:
    return pdf(
        b"<< /Type /Catalog /Pages 2 0 R %s >>" % catalog,
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        stream(PAGE_CONTENT, compress=True),
        *extra,
        trailer=trailer,
    )


# Kinds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "kind"),
    [
        (b"\xff\xd8\xff\xe1\x00\x10Exif", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
        (b"%PDF-1.4\n", "pdf"),
        (b"MZ\x90\x00\x03\x00", None),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),
        (b"\x00\x00\x00\x18ftypheic", None),
        (b"RIFF\x10\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_first_bytes(start: bytes, kind: str | None) -> None:
    assert sniff(start) == kind


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), id="renamed exe"),
        pytest.param(
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
            b"<script>alert(1)</script></svg>",
            id="svg",
        ),
        pytest.param(encoded(Image.new("RGB", (20, 20), RED), "GIF"), id="gif"),
        pytest.param(b"<!DOCTYPE html><html><body>Don</body></html>", id="html"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100), id="zip"),
        pytest.param(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", id="heic"),
        pytest.param(b" %PDF-1.7 with a space first", id="pdf not at the start"),
    ],
)
def test_other_kinds_are_refused_saying_what_is_accepted(data: bytes) -> None:
    error = refusal(data)
    assert error.message == uploads.NOT_ACCEPTED
    assert "JPG, PNG, WebP hoặc tệp PDF" in str(error)


def test_an_empty_file_is_refused() -> None:
    error = refusal(b"")
    assert error.message == uploads.EMPTY
    assert "JPG, PNG, WebP hoặc tệp PDF" in str(error)


def test_the_refusal_carries_its_message_and_placeholders_for_the_view() -> None:
    error = refusal(bytes(11 * MB))
    assert isinstance(error, ValueError)
    assert error.message == uploads.TOO_BIG
    assert error.params == {"limit": 10}
    assert str(error) == "Tệp này lớn hơn 10 MB. Bạn hãy chụp lại ảnh nhỏ hơn hoặc chọn tệp khác."


# Sizes ----------------------------------------------------------------------------------------


def test_a_30_mb_file_is_refused_before_it_is_decoded() -> None:
    huge = b"\xff\xd8\xff\xe0" + bytes(30 * MB)
    started = time.process_time()
    error = refusal(huge)
    assert time.process_time() - started < 0.05
    assert error.message == uploads.TOO_BIG
    assert error.params == {"limit": 10}


def test_the_file_limit_comes_from_the_caller() -> None:
    assert refusal(bytes(3 * MB), max_file_bytes=2 * MB).params == {"limit": 2}
    assert refusal(bytes(MB), max_file_bytes=MB // 2).params == {"limit": 0.5}
    assert inspect(clean_pdf(), max_file_bytes=2 * MB).extension == "pdf"


def test_a_full_dossier_refuses_any_file_before_decoding() -> None:
    error = refusal(b"not even a file", already_stored=30 * MB)
    assert error.message == uploads.TOO_MUCH
    assert error.params == {"limit": 30}


def test_a_file_that_would_pass_the_dossier_total_is_refused() -> None:
    stored = len(inspect(clean_pdf()).data)  # what counts is the rewritten file
    error = refusal(clean_pdf(), already_stored=30 * MB - stored + 1)
    assert error.message == uploads.TOO_MUCH
    assert len(inspect(clean_pdf(), already_stored=30 * MB - stored).data) == stored


# Photos ---------------------------------------------------------------------------------------


def test_a_phone_photo_is_turned_upright_and_made_smaller(stored_photo: uploads.CleanFile) -> None:
    clean = stored_photo
    assert (clean.mimetype, clean.extension) == ("image/jpeg", "jpg")
    assert (clean.width, clean.height) == (1500, 2000)  # portrait, long side 2,000 px
    image = reopened(clean.data)
    assert image.format == "JPEG" and image.size == (1500, 2000)
    # Orientation 6 turns the sensor's top left corner to the top right.
    assert image.getpixel((1450, 50)) == pytest.approx(RED, abs=30)
    assert image.getpixel((50, 50)) != pytest.approx(RED, abs=30)


def test_a_stored_photo_has_no_metadata_left(stored_photo: uploads.CleanFile) -> None:
    image = reopened(stored_photo.data)
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    assert {"exif", "xmp", "icc_profile", "comment"}.isdisjoint(image.info)
    assert b"PhoneMaker" not in stored_photo.data


def test_a_phone_photo_takes_well_under_a_second(phone_photo: bytes) -> None:
    # The photo as sent would not fit in what is left of the dossier; as stored, it does.
    room = len(phone_photo) - 1
    started = time.process_time()  # CPU time: a busy test machine does not make it fail
    clean = inspect(phone_photo, already_stored=30 * MB - room)
    assert time.process_time() - started < 1.0  # about 0.1 s on one core
    assert len(clean.data) < room


def test_a_small_photo_keeps_its_size() -> None:
    clean = inspect(encoded(textured((800, 600)), "JPEG"))
    assert (clean.width, clean.height) == (800, 600)


def test_a_photo_saved_as_png_is_stored_as_jpeg() -> None:
    image = textured((1600, 800))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 21.0245 105.8412")
    clean = inspect(encoded(image, "PNG", pnginfo=info, compress_level=1))
    assert (clean.mimetype, clean.width, clean.height) == ("image/jpeg", 1600, 800)
    assert b"GPS" not in clean.data


def test_a_drawing_in_png_stays_png_and_keeps_its_transparency() -> None:
    signature = Image.new("RGBA", (2400, 800), (0, 0, 0, 0))
    ImageDraw.Draw(signature).line((100, 400, 2300, 500), fill=(0, 0, 120, 255), width=30)
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Nguyen Van A")
    clean = inspect(encoded(signature, "PNG", pnginfo=info))
    assert (clean.mimetype, clean.extension) == ("image/png", "png")
    image = reopened(clean.data)
    assert image.size == (2000, 667) and image.mode == "RGBA"
    assert image.getpixel((10, 10))[3] == 0
    assert not image.text and "exif" not in image.info


def test_a_screenshot_of_a_plain_form_stays_png() -> None:
    form = Image.new("P", (1440, 2560), 0)
    form.putpalette([255, 255, 255, 0, 0, 0, 200, 30, 30])
    ImageDraw.Draw(form).rectangle((100, 300, 980, 400), outline=1, width=3)
    clean = inspect(encoded(form, "PNG"))
    assert (clean.mimetype, clean.width, clean.height) == ("image/png", 1125, 2000)


def test_a_webp_is_stored_as_jpeg_on_white() -> None:
    picture = Image.new("RGBA", (1200, 900), (0, 0, 0, 0))
    picture.paste(textured((600, 450)).convert("RGBA"), (300, 200))
    exif = phone_exif()
    clean = inspect(encoded(picture, "WEBP", quality=80, exif=exif))
    assert (clean.mimetype, clean.extension) == ("image/jpeg", "jpg")
    image = reopened(clean.data)
    assert image.size == (900, 1200)  # turned upright too
    assert image.getpixel((5, 5)) == pytest.approx((255, 255, 255), abs=3)
    assert not image.getexif()


def test_a_motion_photo_keeps_its_picture_and_drops_the_video() -> None:
    # Some Android phones append a short MP4 after the JPEG's end marker.
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(5000)
    clean = inspect(encoded(textured((400, 300)), "JPEG") + video)
    assert (clean.mimetype, clean.width) == ("image/jpeg", 400)
    assert b"ftypmp42" not in clean.data


def test_a_cmyk_jpeg_is_stored_as_rgb() -> None:
    clean = inspect(encoded(Image.new("CMYK", (300, 200), (0, 200, 200, 0)), "JPEG"))
    assert reopened(clean.data).mode == "RGB"


def test_a_16_bit_grey_png_keeps_its_greys() -> None:
    grey = Image.new("I;16", (64, 64), 32768)
    image = reopened(inspect(encoded(grey, "PNG")).data)
    assert image.getpixel((0, 0)) in (127, 128)


# Damaged and hostile images -------------------------------------------------------------------


def test_a_truncated_jpeg_is_refused(phone_photo: bytes) -> None:
    error = refusal(phone_photo[: len(phone_photo) * 60 // 100])
    assert error.message == images.DAMAGED_IMAGE
    assert str(error) == "Ảnh bị hỏng hoặc chưa tải lên hết. Bạn hãy chụp hoặc chọn lại."
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_a_truncated_png_is_refused() -> None:
    data = encoded(textured((400, 300)), "PNG")
    assert refusal(data[: len(data) // 2]).message == images.DAMAGED_IMAGE


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xd8\xff\xe0" + b"garbage" * 100, id="jpeg header only"),
        pytest.param(b"\x89PNG\r\n\x1a\n" + b"garbage" * 100, id="png header only"),
        pytest.param(b"RIFF\x00\x01\x00\x00WEBPVP8 " + bytes(50), id="webp header only"),
    ],
)
def test_an_image_that_does_not_decode_is_refused(data: bytes) -> None:
    assert refusal(data).message == images.DAMAGED_IMAGE


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any decode of pixels fails the test: what is refused is refused from the header."""

    def load(image: ImageFile.ImageFile) -> None:
        raise AssertionError(f"decoded a {image.size} {image.mode} image")

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)


@pytest.mark.parametrize(
    ("width", "height", "mode"),
    [
        pytest.param(7_000, 7_000, "RGB", id="7000 px of one colour, as in the report"),
        pytest.param(7_000, 7_000, "RGBA", id="7000 px see-through"),
        pytest.param(9_000, 6_000, "1", id="54 MP black and white, under Pillow's own limit"),
        pytest.param(4_600, 4_600, "RGB", id="21 MP colour: 84 MB decoded"),
    ],
)
def test_a_picture_too_large_to_decode_is_refused_from_its_header(
    width: int, height: int, mode: str, no_decoding: None
) -> None:
    bomb = blank_png(width, height, mode)
    assert len(bomb) < 1024 * 1024
    error = refusal(bomb)
    assert error.message == images.TOO_MANY_PIXELS
    assert error.params == {"width": width, "height": height, "limit": 2000}
    assert str(error) == (
        f"Ảnh này có quá nhiều điểm ảnh ({width} × {height}) nên hệ thống không xử lý được. "
        "Bạn hãy chụp lại bằng điện thoại, hoặc thu nhỏ ảnh còn khoảng 2000 điểm ảnh "
        "mỗi chiều rồi gửi lại."
    )


def test_a_picture_beyond_pillows_own_limit_is_refused_too(no_decoding: None) -> None:
    error = refusal(blank_png(20_000, 20_000))  # 400 MP in 48 kB
    assert error.message == images.TOO_MANY_PIXELS_UNKNOWN
    assert "thu nhỏ ảnh" in str(error)


@pytest.mark.parametrize(
    ("kind", "mode", "size", "accepted"),
    [
        ("png", "RGB", (5_000, 4_000), True),  # a 20 MP camera's PNG
        ("png", "RGB", (5_000, 4_200), False),
        ("png", "L", (7_000, 7_000), True),  # a scan in greys, one byte a pixel
        ("png", "P", (7_071, 7_071), True),
        ("png", "I;16", (6_000, 6_000), True),
        ("png", "I;16", (7_000, 7_000), False),
        ("webp", "RGB", (2_500, 2_000), True),
        ("webp", "RGB", (3_500, 2_800), False),  # libwebp's own buffers count
    ],
)
def test_the_decoding_bound_counts_bytes_for_the_mode(
    kind: str, mode: str, size: tuple[int, int], accepted: bool
) -> None:
    within = images.decoded_bytes(kind, mode, size) <= images.MAX_DECODED_BYTES
    assert within is accepted
    assert size[0] * size[1] <= images.MAX_PIXELS


def test_the_bound_and_a_smaller_copy_fit_the_150_mb_budget() -> None:
    # The decoded pixels, a band converted to RGBA, its reduced copy and the 2,000 px result.
    band = 3 * images.BAND_ROWS * 7_000 * 4
    result = images.MAX_SIDE * images.MAX_SIDE * 4 * 2  # the image and Lanczos' half-way copy
    assert images.MAX_DECODED_BYTES + band + result <= 150 * MB


def test_a_big_palette_png_is_converted_a_band_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    form = Image.new("P", (6_100, 4_100), 0)
    form.putpalette([255, 255, 255, 200, 30, 30])
    ImageDraw.Draw(form).rectangle((0, 0, 3_050, 4_100), fill=1)  # left half red
    data = encoded(form, "PNG")
    converted: list[tuple[int, int]] = []
    convert = Image.Image.convert

    def recording(image: Image.Image, mode: str | None = None, *args, **kwargs) -> Image.Image:
        converted.append(image.size)
        return convert(image, mode, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "convert", recording)
    clean = inspect(data)
    full_width = [height for width, height in converted if width == 6_100]
    assert full_width and max(full_width) <= 3 * images.BAND_ROWS  # reduced by 3
    image = reopened(clean.data)
    assert (clean.mimetype, image.size) == ("image/png", (2000, 1344))
    assert image.convert("RGB").getpixel((100, 600)) == (200, 30, 30)
    assert image.convert("RGB").getpixel((1900, 600)) == (255, 255, 255)


def test_a_black_and_white_scan_of_49_mp_is_taken() -> None:
    clean = inspect(blank_png(7_000, 7_000))
    assert (clean.mimetype, clean.width, clean.height) == ("image/png", 2000, 2000)


# Storage names --------------------------------------------------------------------------------


def test_stored_names_are_random_and_url_safe() -> None:
    names = {stored_name() for _ in range(100)}
    assert len(names) == 100
    assert all(
        len(name) >= 24 and name.replace("-", "").replace("_", "").isalnum() for name in names
    )
