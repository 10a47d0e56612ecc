"""Photos people attach: decoded, turned upright, stripped of all metadata and saved again.

- Saved as JPEG, 2,000 px at most on the long side. A PNG with 256 colours or fewer (a drawing,
  a signature, a screenshot of a plain form) stays PNG: JPEG would blur its lines for no saving.
- A new image carries pixels only: no EXIF, GPS, XMP, ICC profile, text chunks or dpi.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from dataclasses import field

from PIL import Image
from PIL import ImageOps

from domain.messages import N_
from domain.messages import Invalid

MAX_SIDE = 2000  # enough to read a CCCD or a stamp; a phone's 4,000 px only adds weight
# Pixels decoded at most: 50 MP of RGBA is 200 MB of memory, more than a worker should spend.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85
LINE_ART_COLOURS = 256

IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}  # kind → Pillow's decoder

TOO_MANY_PIXELS = N_(
    "Ảnh này quá lớn (hơn %(limit)s triệu điểm ảnh). Bạn hãy chụp lại hoặc chọn ảnh khác."
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
    image = _upright(_decoded(data, kind))
    image = _common_mode(image)
    as_png = kind == "png" and image.getcolors(LINE_ART_COLOURS) is not None
    if not as_png:
        image = _on_white(image)
    if max(image.size) > MAX_SIDE:
        image = image.resize(_fit(image.size), Image.Resampling.LANCZOS, reducing_gap=3.0)
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


def _decoded(data: bytes, kind: str) -> Image.Image:
    """The image's pixels, fully decoded; refuses damaged, truncated and oversized images."""
    try:
        # Only the decoder the first bytes named: Pillow must not guess another format.
        image = Image.open(io.BytesIO(data), formats=[IMAGE_FORMATS[kind]])
        if kind == "jpeg":
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale for free: a 12 MP photo costs 3 MP.
            image.draft(None, _fit(image.size))
        if image.width * image.height > MAX_PIXELS:
            raise Invalid(TOO_MANY_PIXELS, limit=MAX_PIXELS // 1_000_000)
        # ImageFile.LOAD_TRUNCATED_IMAGES stays False, so a half-uploaded file raises here.
        image.load()
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limits (89 MP warns, 179 MP fails) are checked as the header is read.
        raise Invalid(TOO_MANY_PIXELS, limit=MAX_PIXELS // 1_000_000) from error
    except Exception as error:  # a hostile file can make a decoder raise almost anything
        raise Invalid(DAMAGED_IMAGE) from error
    return image


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation says a camera held it."""
    try:
        return ImageOps.exif_transpose(image) or image
    except Exception:  # broken EXIF next to good pixels: keep the pixels as they are
        return image


def _common_mode(image: Image.Image) -> Image.Image:
    """The image as L, LA, RGB or RGBA, with alpha only where something is see-through."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit grey PNGs: converting straight to L would clip nearly every pixel to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("P", "PA") or "transparency" in image.info:
        image = image.convert("RGBA")
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("L", "LA", "RGB", "RGBA"):
        image = image.convert("RGB")  # CMYK, YCbCr, LAB
    if image.mode in ("LA", "RGBA") and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert(image.mode[:-1])
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
