"""Text sanitised once on the way in, whatever the format: the pipeline passes every
parsed document through sanitise_document() before storing it.

Removed: control characters other than newline and tab (C0, DEL, C1: a form feed from a
PDF copy, \\x01 escaped in a JSON record), the Unicode noncharacters U+FFFE and U+FFFF
(neither XML nor Word can carry them), and the bidirectional embeddings, overrides and
isolates U+202A–U+202E and U+2066–U+2069, which make a title read backwards and which
no Chinese text needs. A carriage return alone ends a line (a newline in texts); vertical
tab, form feed and NEL become spaces, as do line breaks and tabs in one-line fields
(titles, headings), so no two words are glued together. Section offsets are moved to
match the cleaned body."""

import dataclasses
import re
from bisect import bisect_left

_SPACES = "\x0b\x0c\x85"
_UNWANTED = r"\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff"
_IN_TEXT = re.compile(rf"\r\n|[{_UNWANTED}]")
_IN_LINE = re.compile(rf"[\n\t{_UNWANTED}]")


def clean_text(text):
    """(cleaned text, sorted offsets in `text` of the characters removed)."""
    removed = []

    def replace(match):
        found = match.group()
        if found == "\r\n":
            removed.append(match.start())
            return "\n"
        if found == "\r":
            return "\n"
        if found in _SPACES:
            return " "
        removed.append(match.start())
        return ""

    return _IN_TEXT.sub(replace, text), removed


def clean_line(text):
    """A one-line field: line breaks and tabs become spaces, the rest as in clean_text."""
    return _IN_LINE.sub(lambda m: " " if m.group() in "\n\t\r" + _SPACES else "", text)


def _moved(offset, removed):
    return offset - bisect_left(removed, offset)


def _clean_strings(record):
    return {key: clean_line(value) if isinstance(value, str) else value for key, value in record.items()}


def sanitise_document(doc):
    """Clean a ParsedDocument in place (and return it)."""
    doc.title, doc.author = clean_line(doc.title), clean_line(doc.author)
    doc.intro = clean_text(doc.intro)[0]
    for speech in doc.speeches:
        speech.title, speech.url = clean_line(speech.title), clean_line(speech.url)
        speech.body, removed = clean_text(speech.body)
        speech.sections = [
            dataclasses.replace(
                section,
                number=clean_line(section.number),
                heading=clean_line(section.heading),
                start=_moved(section.start, removed),
                end=_moved(section.end, removed),
            )
            for section in speech.sections
        ]
        speech.repairs = [_clean_strings(repair) for repair in speech.repairs]
    return doc
