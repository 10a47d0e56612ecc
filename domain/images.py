"""Photos people attach: decoded, turned upright, stripped of all metadata and saved again.

- Saved as JPEG, 2,000 px at most on the long side. A PNG with 256 colours or fewer (a drawing,
  a signature, a screenshot of a plain form) stays PNG: JPEG would blur its lines for no saving.
- A new image carries pixels only: no EXIF, GPS, XMP, ICC profile, text chunks or dpi.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from dataclasses import field

from PIL import Image
from PIL import ImageOps

from domain.messages import N_
from domain.messages import Invalid

MAX_SIDE = 2000  # enough to read a CCCD or a stamp; a phone's 4,000 px only adds weight
# One upload may raise a worker's memory by 150 MB at most: the decoded pixels, then a copy
# made smaller, a band at a time, and the encoder's buffers. A 20 MP colour photo fits; a JPEG
# is decoded at 1/2, 1/4 or 1/8 of its size first, so a phone's 50 MP photo fits too.
MAX_DECODED_BYTES = 80 * 1024 * 1024
MAX_PIXELS = 50_000_000  # whatever the mode: 50 MP of greys is still a 50 MB decode
BAND_ROWS = 256  # rows of the smaller copy made per band: a few MB at a time
# Pillow keeps a pixel of 1, L and P in one byte, 16-bit grey in two, any other mode in four.
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
DECODER_COPIES = {"webp": 4}  # libwebp decodes into buffers of its own, then copies (measured)
ONE_CHANNEL_MODES = frozenset({"1", "L", "I", "I;16", "I;16B", "I;16L", "F"})
JPEG_QUALITY = 85
LINE_ART_COLOURS = 256

IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}  # kind → Pillow's decoder

TOO_MANY_PIXELS = N_(
    "Ảnh này có quá nhiều điểm ảnh (%(width)s × %(height)s) nên hệ thống không xử lý được. "
    "Bạn hãy chụp lại bằng điện thoại, hoặc thu nhỏ ảnh còn khoảng %(limit)s điểm ảnh "
    "mỗi chiều rồi gửi lại."
)
TOO_MANY_PIXELS_UNKNOWN = N_(
    "Ảnh này có quá nhiều điểm ảnh nên hệ thống không xử lý được. Bạn hãy chụp lại bằng "
    "điện thoại, hoặc thu nhỏ ảnh còn khoảng %(limit)s điểm ảnh mỗi chiều rồi gửi lại."
)
DAMAGED_IMAGE = N_("Ảnh bị hỏng hoặc chưa tải lên hết. Bạn hãy chụp hoặc chọn lại.")


@dataclass(frozen=True)
class Cleaned:
    """A photo as it is stored: its bytes, 'jpeg' or 'png', and its size in pixels."""

    data: bytes = field(repr=False)
    kind: str
    width: int
    height: int


def cleaned(data: bytes, kind: str) -> Cleaned:
    """A JPEG, PNG or WebP decoded and saved again: upright, no metadata, long side ≤ 2,000 px."""
    image = _decoded(data, kind)
    as_png = kind == "png" and _few_colours(image)
    # The only reference to the full-size pixels goes here: they are freed before the finer work.
    image = _shrunk(image, _common_mode(image))
    if max(image.size) > MAX_SIDE:  # Pillow resizes see-through pixels premultiplied
        image = image.resize(_fit(image.size), Image.Resampling.LANCZOS)
    _turn_upright(image)
    image = _without_opaque_alpha(image)
    if not as_png:
        image = _on_white(image)
    # A new image carries pixels only: no EXIF, GPS, XMP, ICC profile, text chunks or dpi.
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    out = io.BytesIO()
    if as_png:
        bare.save(out, "PNG", compress_level=6)  # level 9 takes three times as long for 2 %
    else:
        bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Cleaned(out.getvalue(), "png" if as_png else "jpeg", bare.width, bare.height)


def _fit(size: tuple[int, int]) -> tuple[int, int]:
    """A size scaled down to MAX_SIDE on its long side, aspect ratio kept."""
    width, height = size
    scale = MAX_SIDE / max(width, height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def decoded_bytes(kind: str, mode: str, size: tuple[int, int]) -> int:
    """The memory that decoding an image of this kind, mode and size takes, at its peak."""
    pixels = size[0] * size[1]
    return pixels * BYTES_PER_PIXEL.get(mode, 4) * DECODER_COPIES.get(kind, 1)


def _decoded(data: bytes, kind: str) -> Image.Image:
    """The image's pixels, fully decoded; refuses damaged, truncated and oversized images."""
    try:
        # Only the decoder the first bytes named: Pillow must not guess another format.
        image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]])
        if kind == "jpeg":
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale for free: a 12 MP photo costs 3 MP.
            image.draft(None, _fit(image.size))
        # From the header alone, before a byte of pixels is decoded.
        if image.width * image.height > MAX_PIXELS or (
            decoded_bytes(kind, image.mode, image.size) > MAX_DECODED_BYTES
        ):
            raise _too_many_pixels(image.size)
        # ImageFile.LOAD_TRUNCATED_IMAGES stays False, so a half-uploaded file raises here.
        image.load()
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limits (89 MP warns, 179 MP fails) are checked as the header is read.
        raise _too_many_pixels(None) from error
    except Exception as error:  # a hostile file can make a decoder raise almost anything
        raise Invalid(DAMAGED_IMAGE) from error
    return image


def _too_many_pixels(size: tuple[int, int] | None) -> Invalid:
    """The refusal of an image too large in pixels, saying how large and what to send."""
    if size is None:
        return Invalid(TOO_MANY_PIXELS_UNKNOWN, limit=MAX_SIDE)
    width, height = size
    return Invalid(TOO_MANY_PIXELS, width=width, height=height, limit=MAX_SIDE)


def _few_colours(image: Image.Image) -> bool:
    """Whether a picture has 256 colours or fewer once in a common mode (a drawing)."""
    if image.mode in ONE_CHANNEL_MODES:
        return True  # stored as L: never more than 256 greys
    return image.getcolors(LINE_ART_COLOURS) is not None


def _common_mode(image: Image.Image) -> str:
    """The mode an image is stored in: L, LA, RGB or RGBA."""
    if image.mode in ("P", "PA") or "transparency" in image.info:
        return "RGBA"
    if image.mode in ONE_CHANNEL_MODES:
        return "L"
    if image.mode in ("L", "LA", "RGB", "RGBA"):
        return image.mode
    return "RGB"  # CMYK, YCbCr, LAB


def _converted(image: Image.Image, mode: str) -> Image.Image:
    """The image in mode; 16-bit greys scaled, since converting straight clips them to white."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    return image if image.mode == mode else image.convert(mode)


def _shrunk(image: Image.Image, mode: str) -> Image.Image:
    """The image in mode, made smaller by a whole factor while its long side stays ≥ MAX_SIDE.

    Converted and reduced a band of rows at a time, so the only full-size copy in memory is
    the decoded one: a 49 MP palette PNG would take 196 MB more as RGBA in one go.
    """
    factor = max(1, max(image.size) // MAX_SIDE)
    if factor == 1 and image.mode == mode:
        return image
    width, height = image.size
    small = Image.new(mode, (-(-width // factor), -(-height // factor)))
    rows = factor * BAND_ROWS
    for top in range(0, height, rows):
        band = _converted(image.crop((0, top, width, min(height, top + rows))), mode)
        small.paste(band.reduce(factor) if factor > 1 else band, (0, top // factor))
    # Orientation is read from the metadata: the small copy keeps it until the bare copy.
    small.info = {key: image.info[key] for key in ("exif", "xmp") if key in image.info}
    return small


def _turn_upright(image: Image.Image) -> None:
    """Turn the image as its EXIF orientation says a camera held it (no copy when upright)."""
    # Broken EXIF next to good pixels: keep the pixels as they are.
    with contextlib.suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)


def _without_opaque_alpha(image: Image.Image) -> Image.Image:
    """The image with its alpha channel dropped when nothing in it is see-through."""
    if image.mode in ("LA", "RGBA") and image.getchannel("A").getextrema()[0] == 255:
        return image.convert(image.mode[:-1])
    return image


def _on_white(image: Image.Image) -> Image.Image:
    """The image with see-through parts made white, as on paper: JPEG has no alpha."""
    if image.mode not in ("LA", "RGBA"):
        return image
    mode = image.mode[:-1]
    white = Image.new(mode, image.size, 255 if mode == "L" else (255, 255, 255))
    white.paste(image.convert(mode), mask=image.getchannel("A"))
    return white


# JPEG markers: APP0 (JFIF) and APP14 (Adobe, how to read CMYK) say how to decode the
# pixels; APP1 to APP13 and APP15 (EXIF, GPS, XMP, ICC, IPTC, maker notes) and comments only
# describe them.
JPEG_KEPT_MARKERS = frozenset({0xE0, 0xEE})
JPEG_DROPPED_MARKERS = frozenset(range(0xE1, 0xF0)) - JPEG_KEPT_MARKERS | {0xFE}
JPEG_START_OF_SCAN = 0xDA


def without_jpeg_metadata(jpeg: bytes) -> bytes:
    """The JPEG with its metadata segments left out and its pixels untouched, byte for byte.

    Used inside PDFs, where decoding and encoding again would cost memory and quality.
    Anything that does not read as JPEG segments is returned as it is.
    """
    if not jpeg.startswith(b"\xff\xd8"):
        return jpeg
    out = bytearray(b"\xff\xd8")
    position = 2
    while position + 4 <= len(jpeg):
        if jpeg[position] != 0xFF:
            return jpeg
        marker = jpeg[position + 1]
        if marker == 0xFF:  # fill bytes before a marker
            position += 1
            continue
        if marker == JPEG_START_OF_SCAN:
            return bytes(out + jpeg[position:])  # the compressed pixels and the end marker
        length = int.from_bytes(jpeg[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(jpeg):
            return jpeg
        if marker not in JPEG_DROPPED_MARKERS:
            out += jpeg[position:end]
        position = end
    return jpeg
