"""PDFs people attach: opened and written anew by qpdf (through pikepdf), never kept as sent.

What a reader could act on or that tells about the sender goes: document info and XMP
metadata, automatic actions (/OpenAction, /AA), actions other than moving inside the document
(/URI, /GoToR, /SubmitForm, /Launch, JavaScript, …), embedded files, multimedia, and forms,
whose filled-in values are first drawn into the page so nothing the person typed is lost.
JPEG pictures inside keep their pixels byte for byte and lose their EXIF (a phone photo's GPS).
Only objects still reachable from the rewritten document are written out.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pikepdf
from pikepdf import Name

from domain.images import without_jpeg_metadata
from domain.messages import Invalid
from domain.pdfs import DAMAGED_PDF
from domain.pdfs import LOCKED_PDF

PDF_TAIL = 1024  # startxref and %%EOF close the file; some writers add a few bytes after

# Keys that make a reader act by itself, carry metadata or private data of the program that
# wrote the file; dropped from every dictionary they appear in.
DROPPED_KEYS = frozenset(
    "/OpenAction /AA /JS /JavaScript /Metadata /PieceInfo /EmbeddedFiles /EF /AF /RichMediaContent "
    "/URI /AcroForm /XFA /Collection".split()
)
# The one action that only moves within the document; any other (/URI, /Launch, /GoToR,
# /GoToE, /SubmitForm, /ImportData, /ResetForm, /JavaScript, /Rendition, …) is removed.
SAFE_ACTIONS = frozenset({"/GoTo"})
ACTION_KEYS = ("/A", "/Next", "/PA")  # where a dictionary refers to an action
# Annotations that only exist to play, open or submit something.
DROPPED_ANNOTATIONS = frozenset(
    "/FileAttachment /Sound /Movie /Screen /RichMedia /3D /Widget".split()
)


def rewritten(data: bytes) -> tuple[bytes, int]:
    """The PDF written anew without active parts or metadata, and its page count."""
    tail = data[-PDF_TAIL:]
    if b"%%EOF" not in tail or b"startxref" not in tail:
        raise Invalid(DAMAGED_PDF)  # a half-sent file: qpdf would rebuild what is left
    try:
        with pikepdf.open(io.BytesIO(data), suppress_warnings=True) as document:
            pages = len(document.pages)
            if not pages:
                raise Invalid(DAMAGED_PDF)
            _strip(document)
            out = io.BytesIO()
            document.save(
                out,
                encryption=False,  # a file openable without a password is stored unlocked
                preserve_pdfa=False,
                fix_metadata_version=False,
                # Streams are copied as they are: inflating a zlib bomb to recompress it
                # would cost what the size limit saved.
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                deterministic_id=True,
            )
    except pikepdf.PasswordError as error:
        raise Invalid(LOCKED_PDF) from error
    except (Invalid, MemoryError):
        raise  # out of memory is the caller's bound, not a damaged file
    except Exception as error:  # qpdf and a hostile file: anything it raises means damaged
        raise Invalid(DAMAGED_PDF) from error
    return out.getvalue(), pages


def _strip(document: pikepdf.Pdf) -> None:
    """Remove from the document everything listed in the module's docstring."""
    if Name.AcroForm in document.Root:
        # Filled-in values become part of the page before the form itself goes.
        document.generate_appearance_streams()
        document.flatten_annotations(mode="all")
    if Name.Info in document.trailer:
        del document.trailer[Name.Info]
    for page in document.pages:
        annotations = page.obj.get(Name.Annots)
        if isinstance(annotations, pikepdf.Array):
            kept = [a for a in annotations if not _dropped_annotation(a)]
            page.obj[Name.Annots] = pikepdf.Array(kept)
    for dictionary in _dictionaries(document):
        _strip_one(dictionary)


def _strip_one(dictionary: pikepdf.Dictionary | pikepdf.Stream) -> None:
    """Remove the keys and actions that act or inform from one dictionary; bare its JPEG."""
    for key in DROPPED_KEYS & set(dictionary.keys()):
        del dictionary[key]
    for key in ACTION_KEYS:
        if key in dictionary and not _safe_action(dictionary[key]):
            del dictionary[key]
    if isinstance(dictionary, pikepdf.Stream) and _is_jpeg(dictionary):
        raw = dictionary.read_raw_bytes()
        bare = without_jpeg_metadata(raw)
        if bare != raw:
            dictionary.write(bare, filter=Name.DCTDecode, decode_parms=None)


def _dictionaries(document: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary | pikepdf.Stream]:
    """Every dictionary and stream of the file, at the top of an object or nested in one."""
    pending = [obj for obj in document.objects if isinstance(obj, pikepdf.Object)]
    pending.append(document.trailer)
    seen: set[tuple[int, int]] = set()
    while pending:
        obj = pending.pop()
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            pending.extend(item for item in obj if _direct_container(item))
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            yield obj
            pending.extend(value for value in obj.values() if _direct_container(value))


def _direct_container(obj: object) -> bool:
    """Whether obj is a dictionary or array written inside another object (not a reference)."""
    return isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)) and not obj.is_indirect


def _safe_action(action: object) -> bool:
    """Whether an action only moves within the document (each of a list, for /Next)."""
    if isinstance(action, pikepdf.Array):
        return all(_safe_action(item) for item in action)
    if not isinstance(action, pikepdf.Dictionary):
        return False
    return str(action.get(Name.S, "")) in SAFE_ACTIONS


def _dropped_annotation(annotation: object) -> bool:
    if not isinstance(annotation, pikepdf.Dictionary):
        return True
    return str(annotation.get(Name.Subtype, "")) in DROPPED_ANNOTATIONS


def _is_jpeg(stream: pikepdf.Stream) -> bool:
    """Whether a stream is a picture compressed as JPEG alone (its raw bytes are the JPEG)."""
    filters = stream.get(Name.Filter)
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    return filters == Name.DCTDecode
