"""A speech as a plain-text or Word file, for researchers who take it away."""

import io

from django.utils import timezone


def _header_lines(speech):
    lines = [speech.title]
    facts = [speech.date.isoformat() if speech.date else speech.display_year, speech.get_kind_display()]
    if speech.region:
        facts.append(" · ".join(r.name for r in speech.region.ancestors()))
    lines.append(" | ".join(facts))
    if speech.source:
        lines.append(f"来源:{speech.source}")
    if speech.url:
        lines.append(f"原文:{speech.url}")
    return lines


def speech_as_text(speech, permalink):
    parts = _header_lines(speech)
    parts.append(f"本档案链接:{permalink}")
    parts.append("")
    parts.extend(text for _i, text in speech.paragraphs())
    return "\n".join(parts) + "\n"


def speech_as_docx(speech, permalink):
    import docx

    document = docx.Document()
    document.core_properties.title = speech.title
    document.core_properties.created = timezone.now()
    header = _header_lines(speech)
    document.add_heading(header[0], level=0)
    for line in header[1:]:
        document.add_paragraph(line)
    document.add_paragraph(f"本档案链接:{permalink}")
    heading_levels = {s.start: s.level for s in speech.sections.all()}
    offset = 0
    for paragraph in speech.body.split("\n"):
        stripped = paragraph.strip()
        if stripped:
            level = heading_levels.get(offset)
            # Short numbered paragraphs are headings in Word's outline; long ones stay text.
            if level and len(stripped) <= 60:
                document.add_heading(stripped, level=min(level, 3))
            else:
                document.add_paragraph(stripped)
        offset += len(paragraph) + 1
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


EXPORT_FIELDS = ("id", "title", "url", "date", "year", "year_masked", "kind", "region_code", "region_name", "topics", "source", "text")


def speech_export_record(speech, base_url):
    """One speech as a flat record for CSV/JSON exports of search results."""
    return {
        "id": speech.uid,
        "title": speech.title,
        "url": base_url + speech.get_absolute_url(),
        "date": speech.date.isoformat() if speech.date else None,
        "year": speech.known_year,
        "year_masked": speech.year_masked,
        "kind": speech.kind,
        "region_code": speech.region.code if speech.region else None,
        "region_name": speech.region.name if speech.region else None,
        "topics": [t.name for t in speech.topics.all()],
        "source": speech.source.title if speech.source else None,
        "text": speech.body,
    }
