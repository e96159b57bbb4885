"""A speech as a plain-text or Word file, for researchers who take it away, and the
rules every export follows: XML-safe text (Word files, feeds) and spreadsheet-safe cells."""

import io
import re

from django.utils import timezone

# Characters XML 1.0 cannot carry. The importer removes them, but a text stored before it
# did, or changed by hand, must not fail a Word download or a whole feed.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell a spreadsheet would run as a formula (=HYPERLINK(…), @SUM(…), +1-2) or whose
# leading tab or carriage return hides the formula behind it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def xml_safe(value):
    """`value` with the characters XML cannot carry replaced by spaces (non-strings as they are)."""
    return _NOT_XML.sub(" ", value) if isinstance(value, str) else value


def spreadsheet_safe(value):
    """A CSV cell that spreadsheets show as text: one that could start a formula gets a
    leading apostrophe (OWASP's advice), shown by none of them. Non-strings as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _header_lines(speech):
    lines = [speech.title]
    facts = [speech.date.isoformat() if speech.date else speech.display_year, speech.get_kind_display()]
    if speech.region:
        facts.append(" · ".join(r.name for r in speech.region.ancestors()))
    lines.append(" | ".join(facts))
    if speech.source:
        lines.append(f"来源：{speech.source}")
    if speech.url:
        lines.append(f"原文：{speech.url}")
    return lines


def speech_as_text(speech, permalink):
    parts = _header_lines(speech)
    parts.append(f"本档案链接：{permalink}")
    parts.append("")
    parts.extend(text for _i, text in speech.paragraphs())
    return "\n".join(parts) + "\n"


def speech_as_docx(speech, permalink):
    import docx

    document = docx.Document()
    document.core_properties.title = xml_safe(speech.title)
    document.core_properties.created = timezone.now()
    header = [xml_safe(line) for line in _header_lines(speech)]
    document.add_heading(header[0], level=0)
    for line in header[1:]:
        document.add_paragraph(line)
    document.add_paragraph(xml_safe(f"本档案链接：{permalink}"))
    heading_levels = {s.start: s.level for s in speech.sections.all()}
    offset = 0
    for paragraph in speech.body.split("\n"):
        stripped = paragraph.strip()
        if stripped:
            level = heading_levels.get(offset)
            # Short numbered paragraphs are headings in Word's outline; long ones stay text.
            if level and len(stripped) <= 60:
                document.add_heading(xml_safe(stripped), level=min(level, 3))
            else:
                document.add_paragraph(xml_safe(stripped))
        offset += len(paragraph) + 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
