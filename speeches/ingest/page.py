"""Page text cut into documents: a compilation page into its speeches, a file that holds
one document into that one, with the site's debris removed.

A compilation page looks like: page title, a header line with time and author, a
site-written intro, then speeches, each a title line (工作会议领导讲话) or a bare salutation
(同志们:) followed by paragraphs; pagination (3 / 页,当前第。 / 1 2 3) between them and a
footer of site links (相关范文推荐, 猜您喜欢 …) at the end.

A file of one document (a city's government work report) has a header (title, meeting
line, speaker) or simply begins with its salutation; its inner headings and the
salutations it repeats (各位代表!) never cut it. Which of the two a text is, is decided
from its content (is_single_document).
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from speeches.ingest.errors import IngestError
from speeches.ingest.furniture import find_furniture
from speeches.ingest.header import Header, read_header
from speeches.ingest.layout import recover_paragraphs
from speeches.ingest.lines import (
    SALUTATION,
    TITLE_BREAKERS,
    ends_paragraph,
    is_salutation,
    opens_speech,
    outline_number,
)
from speeches.ingest.width import fold

_META_NAMES = ("时间", "发布时间", "日期", "作者", "来源", "编辑")
# Header line: 时间:2023-12-21 04:04:16 作者:某某 (folded text)
_META_FIELD = re.compile(r"(时间|发布时间|日期|作者|来源|编辑)\s*:\s*(.*?)(?=\s+(?:时间|发布时间|日期|作者|来源|编辑)\s*:|$)")
_DATETIME = re.compile(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")

# Footer markers: the site's link lists start here and run to the end of the page.
FOOTER_MARKERS = ("相关范文推荐", "猜您喜欢", "热门推荐", "相关文章推荐", "相关推荐", "推荐阅读", "延伸阅读", "上一篇", "下一篇")

# Pagination: a lone page number, a run of page numbers, or the pager's words (folded text).
_PAGINATION = re.compile(
    r"^(?:\d{1,3}(?:\s+\d{1,3})*"
    r"|页,?\s*当前第\s*\d*\s*[页。.]?"
    r"|(?:共\s*\d*\s*页,?\s*)?当前第\s*\d*\s*页[。.]?"
    r"|第\s*\d+\s*页|共\s*\d+\s*页"
    r"|上一页|下一页|首页|尾页|(?:上一页\s*)?(?:\d+\s*)+(?:下一页)?)$"
)

# Site-written blurbs placed before a speech ("below is what our editor collected").
_BLURB = re.compile(r"小编|本站|仅供参考|供大家参考|欢迎阅读|希望对(?:您|你|大家)有所帮助|一起来(?:了解|看看|学习)|整理的")

# Words that make a short unpunctuated line a speech title.
_TITLE_GENRE = re.compile(r"讲话|致辞|发言|总结|报告|讲稿|演讲|主持词|会议|动员|部署")
_COMPILATION = re.compile(r"大全|汇编|合集|范文|精选|\(\d+篇\)")
# How far after a title line its speech's salutation may come.
SALUTATION_REACH = 2
# Body lines after which a bare salutation begins another speech.
MIN_SPEECH_LINES = 3

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass
class Block:
    """The lines of one speech as found on the page."""

    title: str
    lines: list
    first_line: int
    titled: bool = True
    # The header of a file that holds one document (read_header), else None.
    header: Header | None = None


@dataclass
class Page:
    title: str = ""
    published_at: datetime | None = None
    author: str = ""
    intro: str = ""
    blocks: list = field(default_factory=list)
    debris: dict = field(default_factory=dict)
    furniture: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    single: bool = False

    def count_debris(self, kind, n=1):
        self.debris[kind] = self.debris.get(kind, 0) + n


def is_title_line(line):
    if len(line) > 40:
        return False
    text = fold(line)
    return (
        2 <= len(text) <= 40
        and text[-1] not in TITLE_BREAKERS
        and outline_number(text) is None
        and not SALUTATION.match(text)
        and not _PAGINATION.match(text)
        and bool(_TITLE_GENRE.search(text))
    )


def is_pagination(line):
    return len(line) <= 40 and bool(_PAGINATION.match(fold(line)))


def parse_header(line):
    """(published_at, author) from a page's header line, or None if it is not one."""
    if len(line) > 200:
        return None
    text = fold(line).strip()
    fields = dict(_META_FIELD.findall(text))
    if not fields or not text.startswith(_META_NAMES):
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
    recovered = recover_paragraphs(lines)
    if recovered.page_numbers:
        page.count_debris("page_number", recovered.page_numbers)
    page.warnings.extend(recovered.notes)
    lines = _take_header(recovered.lines, page)
    lines = _cut_footer(lines, page)
    kept = []
    for n, line in lines:
        if is_pagination(line):
            page.count_debris("pagination")
        else:
            kept.append((n, line))
    if is_single_document(kept, page):
        _one_document(kept, page)
    else:
        _cut_blocks(kept, page, fallback_title)
    if not page.blocks:
        raise IngestError(f"找不到讲话：{_what_is_missing(kept)}")
    return page


def _what_is_missing(lines):
    if not lines:
        return "去掉页码、网站栏目文字和页脚之后什么也不剩"
    return (
        f"{len(lines)} 行中没有标题行、称呼语或成段的正文"
        "（没有一行是讲话标题、对听众的称呼或完整的句子）"
    )


def _take_header(lines, page):
    """The page's title and header lines (time, author) go to the page; web furniture
    anywhere is dropped and listed."""
    furniture = find_furniture([line for _n, line in lines])
    meta = {i for i, (_n, line) in enumerate(lines) if parse_header(line) is not None}
    body = [i for i in range(len(lines)) if i not in furniture or i in meta]
    if body:
        first = body[0]
        following = body[1] if len(body) > 1 else None
        has_meta = following is not None and following in meta
        title = lines[first][1]
        if has_meta or (len(title) <= 60 and _COMPILATION.search(fold(title))):
            page.title = title
            body = body[1:]
    # Metadata lines directly after the page title.
    header_lines = set()
    while body and body[0] in meta:
        published, author = parse_header(lines[body[0]][1])
        page.published_at = page.published_at or published
        page.author = page.author or author
        page.count_debris("header")
        header_lines.add(body[0])
        body = body[1:]
    kept = set(body)
    for i, kind in sorted(furniture.items()):
        if i in meta:
            published, author = parse_header(lines[i][1])
            page.published_at = page.published_at or published
            page.author = page.author or author
        kept.discard(i)
        if i not in header_lines:
            page.count_debris(kind)
        page.furniture.append(f"{kind}: {lines[i][1]}")
    return [lines[i] for i in sorted(kept)]


def _cut_footer(lines, page):
    for i, (_n, line) in enumerate(lines):
        if len(line) <= 8 and fold(line) in FOOTER_MARKERS:
            page.count_debris("footer", len(lines) - i)
            return lines[:i]
    return lines


# ---- One document or many ----


def speech_starts(texts):
    """Indexes of the lines where a speech begins: a title line with an opening salutation
    just after it, or an opening salutation (同志们:) after a finished stretch of text."""
    starts = []
    since_start = None
    i = 0
    while i < len(texts):
        line = texts[i]
        titled = is_title_line(line) and any(
            opens_speech(x) for x in texts[i + 1 : i + 1 + SALUTATION_REACH]
        )
        if titled or (opens_speech(line) and (since_start is None or since_start >= MIN_SPEECH_LINES)):
            starts.append(i)
            since_start = 0
            if titled:
                i += 1 + next(k for k, x in enumerate(texts[i + 1 :]) if opens_speech(x))
        elif since_start is not None:
            since_start += 1
        i += 1
    return starts


def numeral_value(number):
    """The value of an outline number: 一、→1, (十二)→12, 3.→3."""
    digits = re.sub(r"[^\d一二三四五六七八九十百]", "", fold(number))
    if digits.isdigit():
        return int(digits)
    if "十" in digits:
        tens, _sep, ones = digits.partition("十")
        return _CN_DIGITS.get(tens, 1) * 10 + _CN_DIGITS.get(ones, 0)
    return _CN_DIGITS.get(digits, 0)


def outline_runs_on(texts, starts):
    """Whether the outline's top level keeps counting across the starts (一、 … 二、 … 三、):
    one document. Speeches of a compilation each count from 1 again."""
    numbered = [(i, outline_number(t)) for i, t in enumerate(texts)]
    numbered = [(i, found) for i, found in numbered if found]
    if not numbered:
        return False
    ranks = ("part", "cn", "paren_cn", "arabic", "paren_arabic")
    top = min((style for _i, (style, _n) in numbered), key=ranks.index)
    firsts = []
    for start, end in zip(starts, [*starts[1:], len(texts)], strict=False):
        values = [numeral_value(n) for i, (style, n) in numbered if style == top and start <= i < end]
        if values:
            firsts.append(values[0])
    return len(firsts) >= 2 and all(value > 1 for value in firsts[1:])


def is_single_document(lines, page):
    """Whether page text (page header and furniture removed) is one document: a file that
    holds one report or speech, not a compilation. A compilation page has a page header or
    several speeches that each open with their title and salutation; one document has a
    report header, or one opening, or an outline that counts on across its salutations."""
    if page.title or page.published_at or page.author:
        return False
    texts = [line for _n, line in lines]
    header = read_header(texts)
    if header.meeting_line or (header.speaker_name and not header.byline):
        return True
    starts = speech_starts(texts)
    return len(starts) <= 1 or outline_runs_on(texts, starts)


def _one_document(lines, page):
    texts = [line for _n, line in lines]
    # A document has at least a salutation or a sentence; scraps and numbers are none.
    if not any(ends_paragraph(t) or is_salutation(t) for t in texts):
        return
    header = read_header(texts)
    rest = lines[header.title_paragraphs:]
    block = Block(title=header.title, lines=[line for _n, line in rest], first_line=lines[0][0], header=header)
    page.single = True
    page.blocks.append(block)
    _drop_blurbs(block, page)
    page.blocks = [b for b in page.blocks if b.lines]


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
        if is_salutation(line):
            # A bare salutation after a finished speech begins an untitled one.
            if current is None or body_lines_since_salutation >= MIN_SPEECH_LINES:
                start(untitled_title(page.title or fallback_title), n, False)
                page.warnings.append(f"第 {n} 行：这篇讲话没有标题行，标题取自页面")
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
        if rest and len(title) <= 60 and fold(title)[-1] not in TITLE_BREAKERS:
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
        before_salutation = any(is_salutation(x) for x in block.lines[i + 1 : i + 3])
        if (i == 0 or before_salutation) and _BLURB.search(line):
            page.count_debris("site_blurb")
            continue
        kept.append(line)
    block.lines = kept


def untitled_title(page_title):
    """A title for a speech the page gave none: the page title without its
    compilation words (大全, (15篇) …)."""
    # Matched in the folded title, cut from the title as written (fold keeps offsets).
    spans = [m.span() for m in _COMPILATION.finditer(fold(page_title))]
    title = page_title
    for start, end in reversed(spans):
        title = title[:start] + title[end:]
    return title.strip() or "未命名讲话"
