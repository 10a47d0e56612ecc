"""PDFs are stored written anew: nothing a reader could run or follow, no metadata, no GPS.

Every document is built here with pikepdf (or byte by byte, for what pikepdf would not write),
and every stored file is opened again and walked object by object.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from pikepdf import Dictionary
from pikepdf import Name
from PIL import Image

from domain import images
from domain import pdfs
from tests.unit.test_uploads import PAGE_CONTENT
from tests.unit.test_uploads import clean_pdf
from tests.unit.test_uploads import encoded
from tests.unit.test_uploads import inspect
from tests.unit.test_uploads import object_stream
from tests.unit.test_uploads import phone_exif
from tests.unit.test_uploads import refusal
from tests.unit.test_uploads import textured

# Anything here found in a stored file means the rewrite let it through.
FORBIDDEN_KEYS = {
    "/OpenAction", "/AA", "/JS", "/JavaScript", "/Metadata", "/EmbeddedFiles", "/EmbeddedFile",
    "/EF", "/AF", "/AcroForm", "/XFA", "/URI", "/Info",
}  # fmt: skip
FORBIDDEN_ACTIONS = {"/URI", "/GoToR", "/SubmitForm", "/Launch", "/JavaScript", "/ImportData"}
FORBIDDEN_SUBTYPES = {"/Widget", "/FileAttachment", "/Screen", "/RichMedia"}
MARKERS = ("Nguyen Van A", "evil.example", "app.alert", "cmd.exe", "PhoneMaker")


def document_with(change) -> bytes:
    """A one-page PDF with a text page, as pikepdf writes it, after change(pdf, page)."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(595, 842))
        page = pdf.pages[0]
        page.obj.Contents = pdf.make_stream(PAGE_CONTENT)
        change(pdf, page.obj)
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()


def walk(data: bytes) -> tuple[set[str], set[str], str]:
    """Every key, every name value and all string text of a PDF, object streams included."""
    keys: set[str] = set()
    names: set[str] = set()
    text: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pending = [*pdf.objects, pdf.trailer]
        seen = set()
        while pending:
            obj = pending.pop()
            if isinstance(obj, pikepdf.Object) and obj.is_indirect:
                if obj.objgen in seen:
                    continue
                seen.add(obj.objgen)
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                keys |= set(obj.keys())
                pending.extend(obj.values())
                if isinstance(obj, pikepdf.Stream) and obj.get(Name.Filter) != Name.DCTDecode:
                    text.append(obj.read_bytes().decode("latin-1"))
            elif isinstance(obj, pikepdf.Array):
                pending.extend(obj)
            elif isinstance(obj, pikepdf.Name):
                names.add(str(obj))
            elif isinstance(obj, pikepdf.String):
                text.append(str(obj))
    return keys, names, "\n".join(text)


def page_content(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    parts = contents if isinstance(contents, pikepdf.Array) else [contents]
    return b"\n".join(part.read_bytes() for part in parts)


def assert_inert(data: bytes) -> None:
    keys, names, text = walk(data)
    assert not keys & FORBIDDEN_KEYS
    assert not names & (FORBIDDEN_ACTIONS | FORBIDDEN_SUBTYPES)
    assert not [marker for marker in MARKERS if marker in text]
    assert b"Nguyen Van A" not in data and b"evil.example" not in data


def action(kind: str, **entries: object) -> Dictionary:
    return Dictionary(Type=Name.Action, S=Name("/" + kind), **entries)


def link(pdf: pikepdf.Pdf, page: Dictionary, what: Dictionary) -> None:
    annotation = pdf.make_indirect(
        Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 700, 200, 720], A=what)
    )
    page.Annots = pdf.make_indirect(pikepdf.Array([annotation]))


def with_info(pdf, page):
    pdf.docinfo["/Author"] = "Nguyen Van A"
    pdf.docinfo["/Producer"] = "evil.example scanner"


def with_xmp(pdf, page):
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = ["Nguyen Van A"]


def with_open_action(pdf, page):
    pdf.Root.OpenAction = action("JavaScript", JS=pikepdf.String("app.alert(1)"))


def with_page_actions(pdf, page):
    page.AA = Dictionary(O=action("URI", URI=pikepdf.String("http://evil.example/")))


def with_uri_link(pdf, page):
    link(pdf, page, action("URI", URI=pikepdf.String("http://evil.example/")))


def with_remote_go_to(pdf, page):
    link(pdf, page, action("GoToR", F=pikepdf.String("//evil.example/x.pdf"), D=[0, Name.Fit]))


def with_submit_form(pdf, page):
    link(pdf, page, action("SubmitForm", F=pikepdf.String("http://evil.example/post")))


def with_launch(pdf, page):
    link(pdf, page, action("Launch", F=pikepdf.String("cmd.exe")))


def with_chained_script(pdf, page):
    script = action("JavaScript", JS=pikepdf.String("app.alert(2)"))
    link(pdf, page, action("GoTo", D=[page, Name.Fit], Next=script))


def with_document_script(pdf, page):
    script = pdf.make_indirect(action("JavaScript", JS=pikepdf.String("app.alert(3)")))
    names = pikepdf.Array([pikepdf.String("init"), script])
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=names))


def with_attachment(pdf, page):
    spec = pikepdf.AttachedFileSpec(pdf, b"MZ cmd.exe payload", mime_type="application/x-msdos")
    pdf.attachments["cmd.exe"] = spec


def with_attachment_annotation(pdf, page):
    spec = pikepdf.AttachedFileSpec(pdf, b"MZ cmd.exe payload")
    annotation = Dictionary(
        Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 0, 10, 10], FS=spec.obj
    )
    page.Annots = pikepdf.Array([pdf.make_indirect(annotation)])


def with_form(pdf, page):
    field = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=pikepdf.String("ho_ten"),
            V=pikepdf.String("Tran Thi B"), Rect=[72, 600, 300, 620], P=page,
            AA=Dictionary(K=action("JavaScript", JS=pikepdf.String("app.alert(4)"))),
        )
    )  # fmt: skip
    page.Annots = pikepdf.Array([field])
    pdf.Root.AcroForm = Dictionary(
        Fields=[field], DA=pikepdf.String("/Helv 12 Tf 0 g"), NeedAppearances=True,
        XFA=pdf.make_stream(b"<xdp:xdp>app.alert(5)</xdp:xdp>"),
    )  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(with_info, id="document info"),
        pytest.param(with_xmp, id="xmp metadata"),
        pytest.param(with_open_action, id="open action"),
        pytest.param(with_page_actions, id="page additional actions"),
        pytest.param(with_uri_link, id="uri"),
        pytest.param(with_remote_go_to, id="gotor"),
        pytest.param(with_submit_form, id="submitform"),
        pytest.param(with_launch, id="launch"),
        pytest.param(with_chained_script, id="javascript after a harmless action"),
        pytest.param(with_document_script, id="document javascript"),
        pytest.param(with_attachment, id="embedded file"),
        pytest.param(with_attachment_annotation, id="file attachment annotation"),
        pytest.param(with_form, id="acroform and xfa"),
    ],
)
def test_a_stored_pdf_carries_none_of_it(change) -> None:
    document = document_with(change)
    with pytest.raises(AssertionError):
        assert_inert(document)  # the test PDF does carry it
    clean = inspect(document)
    assert clean.pages == 1 and clean.mimetype == "application/pdf"
    assert_inert(clean.data)
    with pikepdf.open(io.BytesIO(clean.data)) as stored:
        assert PAGE_CONTENT in page_content(stored.pages[0])


def test_a_filled_in_form_keeps_what_was_typed_on_the_page() -> None:
    stored = inspect(document_with(with_form)).data
    keys, names, text = walk(stored)
    assert "/AcroForm" not in keys and "/Widget" not in names
    assert "Tran Thi B" in text  # drawn into the page before the form went


def test_a_link_within_the_document_stays() -> None:
    def with_inner_link(pdf, page):
        link(pdf, page, action("GoTo", D=[page, Name.Fit]))

    with pikepdf.open(io.BytesIO(inspect(document_with(with_inner_link)).data)) as stored:
        annotation = stored.pages[0].Annots[0]
        assert Name.GoTo == annotation.A.S


def test_a_script_hidden_in_a_compressed_object_stream_goes() -> None:
    hidden = object_stream({5: b"<< /S /JavaScript /JS (app.alert('x')) >>"})
    assert b"/JS" not in hidden  # invisible without inflating
    document = clean_pdf(hidden, catalog=b"/OpenAction 5 0 R")
    assert_inert(inspect(document).data)


def jpeg_in_pdf(jpeg: bytes, size: tuple[int, int]) -> bytes:
    def with_photo(pdf, page):
        photo = pdf.make_stream(
            jpeg, Type=Name.XObject, Subtype=Name.Image, Width=size[0], Height=size[1],
            ColorSpace=Name.DeviceRGB, BitsPerComponent=8, Filter=Name.DCTDecode,
        )  # fmt: skip
        page.Resources = Dictionary(XObject=Dictionary(Im0=photo))
        page.Contents = pdf.make_stream(b"q 400 0 0 300 72 400 cm /Im0 Do Q")

    return document_with(with_photo)


def test_a_phone_photo_inside_a_pdf_loses_its_gps_and_keeps_its_pixels() -> None:
    photo = encoded(textured((400, 300)), "JPEG", quality=90, exif=phone_exif())
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)
    stored = inspect(jpeg_in_pdf(photo, (400, 300))).data
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        kept = pdf.pages[0].Resources.XObject.Im0.read_raw_bytes()
    picture = Image.open(io.BytesIO(kept))
    assert not picture.getexif() and not picture.getexif().get_ifd(0x8825)
    assert b"PhoneMaker" not in kept and b"PhoneMaker" not in stored
    # The compressed pixels are the same bytes: nothing was decoded or encoded again.
    scan = photo.index(b"\xff\xda")
    assert kept.endswith(photo[scan:])
    assert picture.tobytes() == Image.open(io.BytesIO(photo)).tobytes()


def test_jpeg_metadata_removal_keeps_what_decoding_needs() -> None:
    cmyk = encoded(Image.new("CMYK", (16, 16), (0, 200, 200, 0)), "JPEG")  # has APP14 Adobe
    assert images.without_jpeg_metadata(cmyk) == cmyk
    assert (
        images.without_jpeg_metadata(b"\xff\xd8\x00 not segments") == b"\xff\xd8\x00 not segments"
    )


def test_a_pdf_printed_by_pillow_is_accepted() -> None:
    document = encoded(textured((600, 800)), "PDF", resolution=100)
    assert inspect(document).pages == 1


def test_pages_inside_an_object_stream_are_counted() -> None:
    def with_three_pages(pdf, page):
        pdf.add_blank_page()
        pdf.add_blank_page()

    assert inspect(document_with(with_three_pages)).pages == 3


def test_a_pdf_with_a_password_is_refused() -> None:
    def locked(pdf, page):
        pass

    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="chu", user="mo"))
    error = refusal(out.getvalue())
    assert error.message == pdfs.LOCKED_PDF
    assert "mật khẩu" in str(error)


def test_a_pdf_locked_only_against_editing_is_stored_unlocked() -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(owner="chu", user=""))
    stored = inspect(out.getvalue()).data
    with pikepdf.open(io.BytesIO(stored)) as reopened:
        assert not reopened.is_encrypted and len(reopened.pages) == 1


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7", id="header only"),
        pytest.param(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", id="no %%EOF"),
        pytest.param(clean_pdf()[:-200], id="cut short"),
        pytest.param(b"%PDF-1.7\n" + bytes(2000) + b"startxref\n0\n%%EOF\n", id="no objects"),
        pytest.param(clean_pdf().replace(b"/Pages 2 0 R", b"/Pages 9 0 R"), id="no page tree"),
    ],
)
def test_a_pdf_that_is_not_whole_is_refused(data: bytes) -> None:
    error = refusal(data)
    assert error.message == pdfs.DAMAGED_PDF
    assert str(error) == "Tệp PDF bị hỏng hoặc chưa tải lên hết. Bạn hãy chọn lại tệp."
