"""PDFs people attach: stored byte for byte, and only when they carry no script, attachment,
automatic action or encryption, looked for in the file and in its streams, inflated.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from domain.messages import N_
from domain.messages import Invalid

MB = 1024 * 1024

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


def pages(data: bytes) -> int:
    """The rough page count of a clean PDF; raises Invalid for anything else."""
    tail = data[-PDF_TAIL:]
    if not (PDF_HEADER.match(data) and b"%%EOF" in tail and b"startxref" in tail):
        raise Invalid(DAMAGED_PDF)
    if OBJECT_HEADER.search(data) is None:
        raise Invalid(DAMAGED_PDF)
    # Checked first and on every byte: encrypted streams would only look unreadable below.
    if b"Encrypt" in _active_names(data):
        raise Invalid(LOCKED_PDF)
    pages = 0
    for text in _readable_parts(data):
        found = _active_names(text)
        if b"Encrypt" in found:
            raise Invalid(LOCKED_PDF)
        if found:
            raise Invalid(ACTIVE_PDF)
        pages += len(PAGE.findall(text))
    if not pages:
        raise Invalid(DAMAGED_PDF)
    return pages


def _active_names(text: bytes | memoryview) -> set[bytes]:
    """The active names in PDF text, also when spelt with #xx escapes (/J#61vaScript)."""
    found = {bytes(match[1]) for match in ACTIVE_NAME.finditer(text)}
    escaped = ESCAPED_NAME.findall(text)
    if len(escaped) > MAX_ESCAPED_NAMES:
        raise Invalid(UNCHECKABLE_PDF)
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
            raise Invalid(UNCHECKABLE_PDF)  # e.g. a predictor that scrambles the text
        cap = STREAM_CAP if holds_objects else min(STREAM_CAP, budget)
        inflated, ended = _inflate(data, stream.start, cap) if cap > 0 else (b"", False)
        budget -= len(inflated)
        if holds_objects and filtered and not ended:
            raise Invalid(UNCHECKABLE_PDF)
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
            raise Invalid(UNCHECKABLE_PDF)
        dictionary = _stream_dictionary(data, position, keyword.start())
        if dictionary is None:
            # Not read the way a reader would: what is skipped as a body is unknown.
            raise Invalid(UNCHECKABLE_PDF)
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
