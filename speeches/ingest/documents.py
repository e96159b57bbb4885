"""Text out of HTML pages and Word files, keeping paragraph structure.

HTML: scripts, styles, navigation, headers, footers and side bars are dropped; block
elements become line breaks; the text then goes through the same page parser as .txt.
Word (.docx): one speech or report per file; header lines such as
`----2025年1月15日某某市长在……` give the date.
"""

import io
import re
import zipfile
from html.parser import HTMLParser

from speeches.ingest.archive import MAX_RATIO
from speeches.ingest.errors import IngestError

_SKIPPED_TAGS = {
    "script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
    "svg", "template", "select", "button", "object", "embed", "canvas",
}
_BLOCK_TAGS = {
    "p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article",
    "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "hr", "main", "center",
}
_VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "source", "wbr"}
# Site furniture marked by class or id rather than by tag.
_FURNITURE = re.compile(r"(^|[\s_-])(nav|navbar|menu|footer|sidebar|breadcrumb|comment|share|advert|ads?|banner|copyright|pager)([\s_-]|$)", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
# python-docx unpacks every part into memory: a Word file's text is a few MB at most.
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024


class _PageText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.title = ""
        self._skip_depth = 0
        self._stack = []
        self._in_title = False
        self._in_h1 = False
        self.h1 = ""

    def handle_starttag(self, tag, attrs):
        if tag in _VOID_TAGS:
            if tag in _BLOCK_TAGS and not self._skip_depth:
                self.parts.append("\n")
            return
        attributes = dict(attrs)
        furniture = _FURNITURE.search(f"{attributes.get('class') or ''} {attributes.get('id') or ''}")
        skip = tag in _SKIPPED_TAGS or bool(furniture)
        self._stack.append((tag, skip))
        if skip:
            self._skip_depth += 1
        if tag == "title":
            self._in_title = True
        if tag == "h1" and not self._skip_depth:
            self._in_h1 = True
        if tag in _BLOCK_TAGS and not self._skip_depth:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS:
            return
        # Close up to the matching tag: scraped HTML often leaves tags open.
        while self._stack:
            open_tag, skip = self._stack.pop()
            if skip:
                self._skip_depth -= 1
            if open_tag == tag:
                break
        if tag == "title":
            self._in_title = False
        if tag == "h1":
            self._in_h1 = False
        if tag in _BLOCK_TAGS and not self._skip_depth:
            self.parts.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title += data
            return
        if self._skip_depth:
            return
        if self._in_h1:
            self.h1 += data
        self.parts.append(data)


def html_to_text(html):
    """(text with one paragraph per line, page title) of an HTML document."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parser.parts).split("\n"))
    text_lines = [line for line in lines if line]
    heading = parser.h1.strip()
    # Anything above the page's main heading is site furniture.
    if heading and heading in text_lines:
        text_lines = text_lines[text_lines.index(heading):]
    return "\n".join(text_lines), (heading or parser.title.strip())


def docx_paragraphs(raw):
    """The non-empty paragraphs of a .docx file, tables included, in order."""
    try:
        import docx
    except ImportError as exc:  # pragma: no cover - the dependency is pinned
        raise IngestError("读取 .docx 需要 python-docx") from exc
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise IngestError("不是 Word .docx 文件：.docx 是 zip 包，而这个文件不是")
    _check_package_size(raw)
    try:
        document = docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises several kinds for broken packages
        raise IngestError(f"无法读取的 Word .docx 文件：{exc}") from exc
    paragraphs = []
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: one line per row
            for row in block.rows:
                paragraphs.append(" ".join(c.text.strip() for c in row.cells if c.text.strip()))
        else:
            paragraphs.append(block.text.strip())
    title = (document.core_properties.title or "").strip()
    return [p for p in paragraphs if p], title


def _check_package_size(raw):
    """Refuse a zip bomb posing as a .docx before python-docx unpacks it (zipfile never
    reads more than a member's declared size, so the declared sizes bound the memory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            infos = package.infolist()
    except zipfile.BadZipFile as exc:
        raise IngestError(f"无法读取的 Word .docx 文件：{exc}") from exc
    total = sum(info.file_size for info in infos)
    if total > MAX_DOCX_UNPACKED_BYTES:
        raise IngestError(f".docx 解压后有 {total} 字节，最多 {MAX_DOCX_UNPACKED_BYTES} 字节（疑似压缩炸弹）")
    for info in infos:
        if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
            raise IngestError(
                f".docx 中的 {info.filename} 压缩比为 {info.file_size // info.compress_size} 倍（疑似压缩炸弹）"
            )
