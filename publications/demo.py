"""Small, real PDFs written with pypdf: demonstration files for `make run`, fixtures for tests."""

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

A4 = (595, 842)
MARGIN, LEADING, CHARACTERS_PER_LINE, LINES_PER_PAGE = 56, 16, 80, 45


def pdf_text(text: str) -> str:
    """A PDF string literal in WinAnsi encoding (accents included), with delimiters escaped."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("cp1252", "replace").decode("latin-1")


def wrap(paragraph: str) -> list[str]:
    lines, line = [], ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > CHARACTERS_PER_LINE:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def make_pdf(paragraphs: list[str], *, title: str = "") -> bytes:
    """A PDF whose pages carry the given paragraphs as real, extractable text."""
    lines = [line for paragraph in paragraphs for line in [*wrap(paragraph), ""]]
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    writer = PdfWriter()
    # Streams must be indirect objects; pypdf offers only the underscored method to add them.
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    for page_lines in pages:
        page = writer.add_blank_page(*A4)
        commands = [f"BT /F1 11 Tf {LEADING} TL {MARGIN} {A4[1] - MARGIN} Td"]
        commands += [f"({pdf_text(line)}) Tj T*" for line in page_lines]
        commands.append("ET")
        stream = DecodedStreamObject()
        stream.set_data("\n".join(commands).encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
        page[NameObject("/Resources")] = DictionaryObject(
            {
                NameObject("/Font"): DictionaryObject({NameObject("/F1"): font}),
                NameObject("/ProcSet"): ArrayObject([NameObject("/PDF"), NameObject("/Text")]),
            }
        )
    if title:
        writer.add_metadata({"/Title": title, "/Producer": "ASM-PACE portal"})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
