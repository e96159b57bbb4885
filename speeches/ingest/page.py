"""A scraped compilation page cut into speech blocks, with the site's debris removed.

A page looks like: page title, a header line with time and author, a site-written intro,
then speeches, each a title line (工作会议领导讲话) or a bare salutation (同志们:) followed by
paragraphs; pagination (3 / 页,当前第。 / 1 2 3) between them and a footer of site links
(相关范文推荐, 猜您喜欢 …) at the end.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from speeches.ingest.errors import IngestError

# Header line: 时间:2023-12-21 04:04:16 作者:某某
_META_FIELD = re.compile(r"(时间|发布时间|日期|作者|来源|编辑)\s*[::]\s*(.*?)(?=\s+(?:时间|发布时间|日期|作者|来源|编辑)\s*[::]|$)")
_DATETIME = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")

# Footer markers: the site's link lists start here and run to the end of the page.
FOOTER_MARKERS = ("相关范文推荐", "猜您喜欢", "热门推荐", "相关文章推荐", "相关推荐", "推荐阅读", "延伸阅读", "上一篇", "下一篇")

# Pagination: a lone page number, a run of page numbers, or the pager's words.
_PAGINATION = re.compile(
    r"^(?:\d{1,3}(?:\s+\d{1,3})*"
    r"|页[,,]?\s*当前第\s*\d*\s*[页。.]?"
    r"|(?:共\s*\d*\s*页[,,]?\s*)?当前第\s*\d*\s*页[。.]?"
    r"|第\s*\d+\s*页|共\s*\d+\s*页"
    r"|上一页|下一页|首页|尾页|(?:上一页\s*)?(?:\d+\s*)+(?:下一页)?)$"
)

# Site-written blurbs placed before a speech ("below is what our editor collected").
_BLURB = re.compile(r"小编|本站|仅供参考|供大家参考|欢迎阅读|希望对(?:您|你|大家)有所帮助|一起来(?:了解|看看|学习)|整理的")

SALUTATION = re.compile(
    r"^(?:同志们|各位(?:代表|领导|来宾|委员|同志|同仁)[^::。]{0,20}|女士们[、,,]?先生们|老师们[、,,]?同学们)[::,,!!]?$"
)

# Words that make a short unpunctuated line a speech title.
_TITLE_GENRE = re.compile(r"讲话|致辞|发言|总结|报告|讲稿|演讲|主持词|会议|动员|部署")
_COMPILATION = re.compile(r"大全|汇编|合集|范文|精选|\(\d+篇\)|(\d+篇)")
_SENTENCE_END = "。!?;:,、…!?;:,"
_NUMBERED = re.compile(r"^(?:[一二三四五六七八九十百]+[、.]|[((][一二三四五六七八九十\d]+[))]|\d{1,2}[、.．])")


@dataclass
class Block:
    """The lines of one speech as found on the page."""

    title: str
    lines: list
    first_line: int
    titled: bool = True


@dataclass
class Page:
    title: str = ""
    published_at: datetime | None = None
    author: str = ""
    intro: str = ""
    blocks: list = field(default_factory=list)
    debris: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def count_debris(self, kind, n=1):
        self.debris[kind] = self.debris.get(kind, 0) + n


def is_title_line(line):
    return (
        2 <= len(line) <= 40
        and line[-1] not in _SENTENCE_END
        and not _NUMBERED.match(line)
        and not SALUTATION.match(line)
        and not _PAGINATION.match(line)
        and bool(_TITLE_GENRE.search(line))
    )


def is_pagination(line):
    return bool(_PAGINATION.match(line))


def parse_header(line):
    """(published_at, author) from a header line, or None if it is not one."""
    fields = dict(_META_FIELD.findall(line))
    if not fields or not line.lstrip().startswith(tuple(k for k in ("时间", "发布时间", "日期", "作者", "来源", "编辑"))):
        return None
    published = None
    stamp = fields.get("时间") or fields.get("发布时间") or fields.get("日期") or ""
    m = _DATETIME.search(stamp)
    if m:
        y, mo, d, h, mi, s = (int(x) if x else 0 for x in m.groups())
        try:
            published = datetime(y, mo, d, h, mi, s)
        except ValueError:
            published = None
    return published, fields.get("作者", "").strip()


def split_page(text, fallback_title=""):
    """Cut page text into a Page of speech Blocks; raises IngestError if none is found."""
    numbered = [(i + 1, line.strip()) for i, line in enumerate(text.splitlines())]
    lines = [(n, line) for n, line in numbered if line]
    page = Page()
    lines = _take_header(lines, page)
    lines = _cut_footer(lines, page)
    kept = []
    for n, line in lines:
        if is_pagination(line):
            page.count_debris("pagination")
        else:
            kept.append((n, line))
    _cut_blocks(kept, page, fallback_title)
    if not page.blocks:
        raise IngestError("找不到讲话:没有标题行、称呼语或成段的正文")
    return page


def _take_header(lines, page):
    if not lines:
        return lines
    first = lines[0][1]
    has_meta = len(lines) > 1 and parse_header(lines[1][1]) is not None
    if has_meta or (len(first) <= 60 and _COMPILATION.search(first)):
        page.title = first
        lines = lines[1:]
    # Metadata lines directly after the page title.
    while lines and (meta := parse_header(lines[0][1])) is not None:
        page.published_at = page.published_at or meta[0]
        page.author = page.author or meta[1]
        page.count_debris("header")
        lines = lines[1:]
    return lines


def _cut_footer(lines, page):
    for i, (_n, line) in enumerate(lines):
        if line in FOOTER_MARKERS:
            page.count_debris("footer", len(lines) - i)
            return lines[:i]
    return lines


def _cut_blocks(lines, page, fallback_title):
    intro = []
    current = None
    body_lines_since_salutation = 0

    def start(title, n, titled):
        nonlocal current, body_lines_since_salutation
        current = Block(title=title, lines=[], first_line=n, titled=titled)
        page.blocks.append(current)
        body_lines_since_salutation = 0

    for n, line in lines:
        if is_title_line(line):
            start(line, n, True)
            continue
        if SALUTATION.match(line):
            # A bare salutation after a finished speech begins an untitled one.
            if current is None or body_lines_since_salutation >= 3:
                start(untitled_title(page.title or fallback_title), n, False)
                page.warnings.append(f"第 {n} 行:这篇讲话没有标题行,标题取自页面")
            current.lines.append(line)
            body_lines_since_salutation = 0
            continue
        if current is None:
            intro.append(line)
            continue
        current.lines.append(line)
        body_lines_since_salutation += 1

    # A single speech in a file of its own: the first line is its title.
    if not page.blocks and intro:
        title, *rest = intro
        if rest and len(title) <= 60 and title[-1] not in _SENTENCE_END:
            page.blocks.append(Block(title=title, lines=rest, first_line=lines[0][0]))
            intro = []
    page.intro = "\n".join(intro)
    for block in page.blocks:
        _drop_blurbs(block, page)
    page.blocks = [b for b in page.blocks if b.lines]


def _drop_blurbs(block, page):
    """Remove site-written paragraphs that precede the speech proper."""
    kept = []
    for i, line in enumerate(block.lines):
        before_salutation = any(SALUTATION.match(x) for x in block.lines[i + 1 : i + 3])
        if (i == 0 or before_salutation) and _BLURB.search(line):
            page.count_debris("site_blurb")
            continue
        kept.append(line)
    block.lines = kept


def untitled_title(page_title):
    """A title for a speech the page gave none: the page title without its
    compilation words (大全, (15篇) …)."""
    title = _COMPILATION.sub("", page_title).strip()
    return title or "未命名讲话"
