"""Files people attach to a dossier: which are accepted, and what is stored in their place.

- The kind is read from the file's first bytes, never from its name or the browser's type.
- Photos are decoded, turned upright, stripped of all metadata (GPS included) and saved again
  as JPEG, 2,000 px at most on the long side. A PNG with 256 colours or fewer (a drawing, a
  signature, a screenshot of a plain form) stays PNG: JPEG would blur its lines for no saving.
- A PDF is stored byte for byte, and only when it carries no script, attachment, automatic
  action or encryption: looked for in the file and in its streams, inflated.
- Size limits come from the caller's configuration; the dossier's total counts stored bytes.
"""

from __future__ import annotations

import io
import re
import secrets
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from PIL import Image
from PIL import ImageOps

from domain.messages import N_

MB = 1024 * 1024  # as settings.derived() counts MAX_FILE_MB and MAX_DOSSIER_MB
DEFAULT_MAX_FILE_BYTES = 10 * MB
DEFAULT_MAX_TOTAL_BYTES = 30 * MB

MAX_SIDE = 2000  # enough to read a CCCD or a stamp; a phone's 4,000 px only adds weight
# Pixels decoded at most: 50 MP of RGBA is 200 MB of memory, more than a worker should spend.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85
LINE_ART_COLOURS = 256

IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}  # kind → Pillow's decoder
STORED_AS = {"jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png")}  # → (type, extension)

NOT_ACCEPTED = N_(
    "Hệ thống chỉ nhận ảnh chụp JPG, PNG, WebP hoặc tệp PDF. Tệp bạn chọn không thuộc các loại này."
)
EMPTY = N_("Tệp bạn chọn không có nội dung. Bạn hãy chọn ảnh chụp JPG, PNG, WebP hoặc tệp PDF.")
TOO_BIG = N_("Tệp này lớn hơn %(limit)s MB. Bạn hãy chụp lại ảnh nhỏ hơn hoặc chọn tệp khác.")
TOO_MUCH = N_(
    "Tổng dung lượng các tệp trong một hồ sơ không được quá %(limit)s MB. "
    "Bạn hãy xoá bớt tệp đã tải lên hoặc chọn tệp nhỏ hơn."
)
TOO_MANY_PIXELS = N_(
    "Ảnh này quá lớn (hơn %(limit)s triệu điểm ảnh). Bạn hãy chụp lại hoặc chọn ảnh khác."
)
DAMAGED_IMAGE = N_("Ảnh bị hỏng hoặc chưa tải lên hết. Bạn hãy chụp hoặc chọn lại.")
DAMAGED_PDF = N_("Tệp PDF bị hỏng hoặc chưa tải lên hết. Bạn hãy chọn lại tệp.")
ACTIVE_PDF = N_(
    "Tệp PDF này có chứa mã lệnh, tệp đính kèm hoặc thao tác tự động nên hệ thống không nhận. "
    "Bạn hãy mở tệp, chọn In rồi Lưu dưới dạng PDF để có tệp mới, hoặc chụp ảnh giấy tờ."
)
LOCKED_PDF = N_(
    "Tệp PDF này có mật khẩu hoặc bị khoá nên không kiểm tra được. "
    "Bạn hãy gỡ mật khẩu hoặc chụp ảnh giấy tờ."
)
UNCHECKABLE_PDF = N_(
    "Không kiểm tra được nội dung tệp PDF này. "
    "Bạn hãy mở tệp, chọn In rồi Lưu dưới dạng PDF để có tệp mới, hoặc chụp ảnh giấy tờ."
)


class UploadRejected(ValueError):
    """A file that cannot be accepted: the message to show and its placeholders."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params: dict[str, Any] = params


@dataclass(frozen=True)
class CleanFile:
    """What to store for an upload: its bytes and type; its size, or its pages for a PDF."""

    data: bytes = field(repr=False)  # megabytes in a log line help nobody
    mimetype: str
    extension: str
    width: int | None = None
    height: int | None = None
    pages: int | None = None


def sniff(data: bytes) -> str | None:
    """The kind of file its first bytes show: 'jpeg', 'png', 'webp', 'pdf', or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith(b"%PDF-"):
        return "pdf"
    return None


def stored_name() -> str:
    """A random name to store a file under (32 URL-safe characters), nothing from the upload."""
    return secrets.token_urlsafe(24)


def inspect_upload(
    data: bytes, *, max_file_bytes: int, max_total_bytes: int, already_stored: int = 0
) -> CleanFile:
    """The file to store for an upload; raises UploadRejected with the reason to show."""
    # Sizes first: refusing a 30 MB file must not cost a decode.
    if len(data) > max_file_bytes:
        raise UploadRejected(TOO_BIG, limit=_megabytes(max_file_bytes))
    if already_stored >= max_total_bytes:
        raise UploadRejected(TOO_MUCH, limit=_megabytes(max_total_bytes))
    if not data:
        raise UploadRejected(EMPTY)
    kind = sniff(data)
    if kind is None:
        raise UploadRejected(NOT_ACCEPTED)
    if kind == "pdf":
        clean = CleanFile(data, "application/pdf", "pdf", pages=_pdf_pages(data))
    else:
        clean = _clean_image(data, kind)
    # The total counts what is stored: a 6 MB photo is kept as a few hundred kB.
    if already_stored + len(clean.data) > max_total_bytes:
        raise UploadRejected(TOO_MUCH, limit=_megabytes(max_total_bytes))
    return clean


def _megabytes(size: int) -> int | float:
    """A limit in MB as people read it: 10, or 2.5."""
    value = round(size / MB, 1)
    return int(value) if value.is_integer() else value


# Images ---------------------------------------------------------------------------------------


def _clean_image(data: bytes, kind: str) -> CleanFile:
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
    mimetype, extension = STORED_AS["png" if as_png else "jpeg"]
    return CleanFile(out.getvalue(), mimetype, extension, width=bare.width, height=bare.height)


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
            raise UploadRejected(TOO_MANY_PIXELS, limit=MAX_PIXELS // 1_000_000)
        # ImageFile.LOAD_TRUNCATED_IMAGES stays False, so a half-uploaded file raises here.
        image.load()
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Pillow's own limits (89 MP warns, 179 MP fails) are checked as the header is read.
        raise UploadRejected(TOO_MANY_PIXELS, limit=MAX_PIXELS // 1_000_000) from error
    except Exception as error:  # a hostile file can make a decoder raise almost anything
        raise UploadRejected(DAMAGED_IMAGE) from error
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


# PDF ------------------------------------------------------------------------------------------

WHITE = rb"\x00\t\n\x0c\r "
DELIMITERS = rb"()<>\[\]{}/%"
REGULAR = rb"[^" + WHITE + DELIMITERS + rb"]"
NAME_END = rb"(?=[" + WHITE + DELIMITERS + rb"]|\Z)"

PDF_HEADER = re.compile(rb"%PDF-\d\.\d")
PDF_TAIL = 1024  # startxref and %%EOF close the file; some writers add a few bytes after
# Names that make a reader run code, open attachments or act on its own; /Encrypt hides the
# rest from this check. /OpenAction itself is common (open at page 1); a script in it has /JS.
ACTIVE_NAMES = frozenset(
    b"JavaScript JS EmbeddedFile EmbeddedFiles Launch RichMedia XFA AA Encrypt".split()
)
ACTIVE_NAME = re.compile(
    rb"/(" + b"|".join(sorted(ACTIVE_NAMES, key=len, reverse=True)) + rb")" + NAME_END
)
ESCAPED_NAME = re.compile(rb"/" + REGULAR + rb"*#[0-9A-Fa-f]{2}" + REGULAR + rb"*")  # /J#53
HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PAGE = re.compile(rb"/Type[" + WHITE + rb"]*/Page" + NAME_END)
OBJECT_HEADER = re.compile(rb"\d+[" + WHITE + rb"]+\d+[" + WHITE + rb"]+obj" + NAME_END)
STREAM_KEYWORD = re.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
SPACE = re.compile(rb"[" + WHITE + rb"]*")
END_OF_STREAM = re.compile(rb"[" + WHITE + rb"]*endstream")
TOKEN = re.compile(
    rb"(?:[" + WHITE + rb"]++|%[^\r\n]*+)*+"  # whitespace and comments before the token
    rb"(/" + REGULAR + rb"*|<<|>>|\[|\]|\(|<[0-9A-Fa-f" + WHITE + rb"]*>|" + REGULAR + rb"+)"
)
STRING_PART = re.compile(rb"\\.|[()]", re.DOTALL)
INTEGER = re.compile(rb"[+-]?\d+")

# Bytes that are pixels, glyphs or offsets: they spell names by chance and no reader parses
# them, so they are not scanned (a dark photo is full of "/AA ").
BINARY_SUBTYPES = frozenset({b"Image", b"Type1C", b"CIDFontType0C", b"OpenType"})
DICTIONARY_LOOKBACK = 64 * 1024  # a stream's dictionary is a few hundred bytes
HEADER_TRIES = 8  # object headers tried before a stream keyword (one may sit in a string)
MAX_STREAMS = 20_000  # a 100-page scan has a few hundred; a million empty ones is an attack
MAX_DEPTH = 32
# Fonts with spaces in their names bring a few dozen; each one costs a Python call to decode.
MAX_ESCAPED_NAMES = 10_000
STREAM_CAP = 32 * MB  # inflated bytes kept from one stream
INFLATE_BUDGET = 256 * MB  # inflated bytes for one file: a zlib bomb stops here
INFLATE_STEP = 16 * 1024  # input fed to zlib at a time: at most ~16 MB comes out of it


class _Unparsable(Exception):
    """PDF syntax this reader does not follow."""


class _Name(bytes):
    """A PDF name, #xx escapes decoded, without its slash."""


@dataclass(frozen=True)
class _Ref:
    number: int


@dataclass(frozen=True)
class _Stream:
    dictionary: dict[bytes, Any]
    keyword: int  # where the word "stream" starts
    start: int  # first byte of the body
    end: int  # where endstream starts


def _pdf_pages(data: bytes) -> int:
    """The rough page count of a clean PDF; raises UploadRejected for anything else."""
    tail = data[-PDF_TAIL:]
    if not (PDF_HEADER.match(data) and b"%%EOF" in tail and b"startxref" in tail):
        raise UploadRejected(DAMAGED_PDF)
    if OBJECT_HEADER.search(data) is None:
        raise UploadRejected(DAMAGED_PDF)
    # Checked first and on every byte: encrypted streams would only look unreadable below.
    if b"Encrypt" in _active_names(data):
        raise UploadRejected(LOCKED_PDF)
    pages = 0
    for text in _readable_parts(data):
        found = _active_names(text)
        if b"Encrypt" in found:
            raise UploadRejected(LOCKED_PDF)
        if found:
            raise UploadRejected(ACTIVE_PDF)
        pages += len(PAGE.findall(text))
    if not pages:
        raise UploadRejected(DAMAGED_PDF)
    return pages


def _active_names(text: bytes | memoryview) -> set[bytes]:
    """The active names in PDF text, also when spelt with #xx escapes (/J#61vaScript)."""
    found = {bytes(match[1]) for match in ACTIVE_NAME.finditer(text)}
    escaped = ESCAPED_NAME.findall(text)
    if len(escaped) > MAX_ESCAPED_NAMES:
        raise UploadRejected(UNCHECKABLE_PDF)
    decoded = {_unescape(bytes(name[1:])) for name in escaped}
    return found | (decoded & ACTIVE_NAMES)


def _unescape(name: bytes) -> _Name:
    """A name's bytes with #xx escapes decoded."""
    return _Name(HEX_ESCAPE.sub(lambda match: bytes([int(match[1], 16)]), name))


def _readable_parts(data: bytes) -> Iterator[bytes | memoryview]:
    """Every part of a PDF where a reader finds objects: the file between stream bodies, and
    the bodies (inflated when they inflate) of streams that hold objects or text."""
    view = memoryview(data)
    position = 0
    budget = INFLATE_BUDGET
    for stream in _streams(data):
        yield view[position : stream.keyword]
        position = stream.end
        holds_objects = _holds_objects(stream.dictionary)
        body = view[stream.start : stream.end]
        if not (holds_objects or _is_text(stream.dictionary)):
            # A body without object headers is never read as objects, even when the
            # cross-reference table is rebuilt; one with headers is read as plain text.
            if OBJECT_HEADER.search(data, stream.start, stream.end):
                yield body
            continue
        filtered = stream.dictionary.get(b"Filter") is not None
        if not filtered:
            yield body
        if holds_objects and filtered and not _plain_flate(stream.dictionary):
            raise UploadRejected(UNCHECKABLE_PDF)  # e.g. a predictor that scrambles the text
        cap = STREAM_CAP if holds_objects else min(STREAM_CAP, budget)
        inflated, ended = _inflate(data, stream.start, cap) if cap > 0 else (b"", False)
        budget -= len(inflated)
        if holds_objects and filtered and not ended:
            raise UploadRejected(UNCHECKABLE_PDF)
        yield inflated
    yield view[position:]


def _holds_objects(dictionary: dict[bytes, Any]) -> bool:
    """Whether a stream is an object stream, or might be one (its /Type is indirect)."""
    kind = dictionary.get(b"Type")
    indirect = kind is not None and not isinstance(kind, _Name)
    return kind == b"ObjStm" or indirect or b"First" in dictionary


def _is_text(dictionary: dict[bytes, Any]) -> bool:
    """Whether a stream's body is text (page content, a form, metadata), not pixels or a font."""
    return not (
        _name(dictionary, b"Subtype") in BINARY_SUBTYPES
        or dictionary.get(b"Type") == b"XRef"
        or b"Length1" in dictionary  # an embedded TrueType or Type 1 font
    )


def _name(dictionary: dict[bytes, Any], key: bytes) -> bytes | None:
    """The name a dictionary has under key, or None (absent, or not a name)."""
    value = dictionary.get(key)
    return value if isinstance(value, _Name) else None


def _plain_flate(dictionary: dict[bytes, Any]) -> bool:
    """Whether a stream is compressed with FlateDecode alone, which zlib undoes fully."""
    filters = dictionary.get(b"Filter")
    parameters = dictionary.get(b"DecodeParms")
    if isinstance(filters, list) and len(filters) == 1:
        filters = filters[0]
    if isinstance(parameters, list) and len(parameters) == 1:
        parameters = parameters[0]
    if isinstance(parameters, dict):  # predictor 1 means none; others reorder the bytes
        parameters = None if parameters.get(b"Predictor", 1) == 1 else parameters
    return filters == b"FlateDecode" and parameters in (None, b"null")


def _inflate(data: bytes, start: int, cap: int) -> tuple[bytes, bool]:
    """The zlib stream at start, inflated (about cap bytes at most), and whether it ended."""
    inflater = zlib.decompressobj()
    parts: list[bytes] = []
    size = 0
    view = memoryview(data)
    try:
        for at in range(start, len(data), INFLATE_STEP):
            parts.append(inflater.decompress(view[at : at + INFLATE_STEP]))
            size += len(parts[-1])
            if inflater.eof or size > cap:
                break
    except zlib.error:
        pass  # not Flate (a JPEG, say) or damaged: nothing a reader could inflate either
    return b"".join(parts), inflater.eof and size <= cap


def _streams(data: bytes) -> Iterator[_Stream]:
    """The PDF's streams in file order, each with its dictionary and the extent of its body."""
    position = 0
    count = 0
    while (keyword := STREAM_KEYWORD.search(data, position)) is not None:
        count += 1
        if count > MAX_STREAMS:
            raise UploadRejected(UNCHECKABLE_PDF)
        dictionary = _stream_dictionary(data, position, keyword.start())
        if dictionary is None:
            # Not read the way a reader would: what is skipped as a body is unknown.
            raise UploadRejected(UNCHECKABLE_PDF)
        start = keyword.end()
        length = dictionary.get(b"Length")
        if isinstance(length, int) and END_OF_STREAM.match(data, start + length):
            end = start + length
        else:  # an indirect or wrong /Length: readers look for endstream too
            found = data.find(b"endstream", start)
            end = len(data) if found < 0 else found
        yield _Stream(dictionary, keyword.start(), start, end)
        position = end


def _stream_dictionary(data: bytes, low: int, keyword: int) -> dict[bytes, Any] | None:
    """The dictionary of the object whose stream keyword is at keyword, or None."""
    window = OBJECT_HEADER.finditer(data, max(low, keyword - DICTIONARY_LOOKBACK), keyword)
    headers = list(window)[-HEADER_TRIES:]
    for header in reversed(headers):
        try:
            value, end = _value(data, header.end(), 0)
        except _Unparsable:
            continue  # e.g. "9 0 obj" inside a string: try the header before
        if isinstance(value, dict) and SPACE.match(data, end).end() == keyword:
            return value
    return None


def _value(data: bytes, position: int, depth: int) -> tuple[Any, int]:
    """The PDF object at position (strings, numbers and keywords only roughly) and its end."""
    token, position = _token(data, position)
    if token == b"<<":
        return _dictionary(data, position, depth + 1)
    if token == b"[":
        return _array(data, position, depth + 1)
    if token == b"(":
        return b"", _string_end(data, position)
    if token.startswith(b"/"):
        return _unescape(token[1:]), position
    if INTEGER.fullmatch(token):
        # "12 0 R" is one value, a reference; a lone integer is a number.
        try:
            generation, after = _token(data, position)
            keyword, end = _token(data, after)
        except _Unparsable:
            return int(token), position
        if INTEGER.fullmatch(generation) and keyword == b"R":
            return _Ref(int(token)), end
        return int(token), position
    if token in (b">>", b"]"):
        raise _Unparsable
    return token, position


def _dictionary(data: bytes, position: int, depth: int) -> tuple[dict[bytes, Any], int]:
    """The entries of a dictionary whose << ends just before position."""
    if depth > MAX_DEPTH:
        raise _Unparsable
    entries: dict[bytes, Any] = {}
    while True:
        key, position = _token(data, position)
        if key == b">>":
            return entries, position
        name = _unescape(key[1:])
        # Readers differ on which of two equal keys wins: a dictionary with both is not read.
        if not key.startswith(b"/") or name in entries:
            raise _Unparsable
        entries[name], position = _value(data, position, depth)


def _array(data: bytes, position: int, depth: int) -> tuple[list[Any], int]:
    """The items of an array whose [ ends just before position."""
    if depth > MAX_DEPTH:
        raise _Unparsable
    items: list[Any] = []
    while True:
        token, after = _token(data, position)
        if token == b"]":
            return items, after
        item, position = _value(data, position, depth)
        items.append(item)


def _token(data: bytes, position: int) -> tuple[bytes, int]:
    """The next token after position and where it ends."""
    match = TOKEN.match(data, position)
    if match is None:
        raise _Unparsable
    return match[1], match.end()


def _string_end(data: bytes, position: int) -> int:
    """Where a literal string whose ( ends just before position ends (nested brackets)."""
    depth = 1
    for part in STRING_PART.finditer(data, position, position + DICTIONARY_LOOKBACK):
        if part[0] == b"(":
            depth += 1
        elif part[0] == b")":
            depth -= 1
            if depth == 0:
                return part.end()
    raise _Unparsable
