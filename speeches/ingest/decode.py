"""Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK."""

import codecs
import itertools
import re

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
        raise IngestError("文件是空的")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return _check_text(raw.decode(encoding)), encoding
            except UnicodeDecodeError as exc:
                raise IngestError(f"文件以 {encoding} 标记开头，内容却不是 {encoding}：{exc}") from exc
    # Anywhere, not only near the start: a NUL cannot be stored in a PostgreSQL text column.
    if (nul := raw.find(b"\x00")) >= 0:
        raise IngestError(f"这是二进制文件（第 {nul} 字节是 NUL），不是文本")
    for encoding in _FALLBACK_ENCODINGS:
        try:
            return _check_text(raw.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    raise IngestError("文件既不是 UTF-8 也不是 GB18030/GBK 文本（是否被截断，或混用了编码？）")


# Control characters other than line breaks, tabs and form feeds.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def _check_text(text):
    # Counted by the regex engine up to the limit: a loop over each character in Python
    # took 0.7 s for a 12 MB file of records.
    limit = max(8, len(text) // 100)
    controls = sum(1 for _ in itertools.islice(_CONTROL.finditer(text), limit + 1))
    if controls > limit:
        raise IngestError("文件像是二进制数据：控制字符太多，不是文本")
    if not text.strip():
        raise IngestError("文件是空的")
    return text
