"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK."""

import codecs

from speeches.ingest.errors import IngestError

# GB18030 is a superset of GBK and GB2312, so one attempt covers the three.
_FALLBACK_ENCODINGS = ("utf-8", "gb18030")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(raw):
    """Return (text, encoding) or raise IngestError saying why the bytes are not text."""
    if not raw or not raw.strip():
        raise IngestError("the file is empty")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _check_text(raw.decode(encoding)), encoding
            except UnicodeDecodeError as exc:
                raise IngestError(f"the file starts with a {encoding} mark but is not {encoding}: {exc}") from exc
    # Anywhere, not only near the start: a NUL cannot be stored in a PostgreSQL text column.
    if (nul := raw.find(b"\x00")) >= 0:
        raise IngestError(f"the file is binary (it contains a NUL byte at byte {nul}), not text")
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return _check_text(raw.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    raise IngestError("the file is neither UTF-8 nor GB18030/GBK text (truncated or mixed encodings?)")


def _check_text(text):
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise IngestError("the file looks binary: too many control characters for text")
    if not text.strip():
        raise IngestError("the file is empty")
    return text
