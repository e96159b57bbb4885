"""Web-page furniture copied along with a text: breadcrumbs, source and editor lines,
font-size switches, page tools, QR-code prompts, the site's footer.

Each class is recognised by the shape of a whole line, never by a site's wording of one
page; a line of the text proper is never long and bare enough to match. Pages (page.py)
and records (records.py) both drop what this module finds, and the import report lists it.
"""

import re

from speeches.ingest.width import fold

# Lines longer than this are text, whatever words they contain.
MAX_FURNITURE_CHARS = 80
# The end of a copied page: furniture, then nothing but furniture and scraps (a logo's
# caption: 党政机关).
MAX_TAIL_SCRAP_CHARS = 12

_META_NAMES = (
    r"(?:信息|文章|新闻|稿件)?来源|(?:责任|网络)?编辑|责编|审核|校对|作者|撰稿|记者|摄影|通讯员"
    r"|(?:发布|更新|发表|成文)?(?:时间|日期)|浏览(?:次数|量)?|阅读(?:次数|量)?|访问量|点击(?:数|量|率)?"
)
_META_VALUE = r"(?:\d{1,2}:\d{2}(?::\d{2})?|[^:])"
_META_FIELD = re.compile(rf"({_META_NAMES})\s*:")
# A bare 时间:/日期: line may be a meeting's own time; it is furniture only beside a site's field.
_PLAIN_DATE_FIELDS = {"时间", "日期"}
_CLASSES = (
    # 您的位置:首页 > 政务公开 > … / 当前位置: / 首页 » 新闻
    ("breadcrumb", re.compile(r"^(?:您的?(?:当前)?(?:所在)?位置|当前(?:所在)?位置|所在位置)\s*[:>»]")),
    ("breadcrumb", re.compile(r"^(?:网站)?首页\s*(?:[>»/]\s*[^>»/]{1,20}\s*){1,6}$")),
    # 来源:四川日报 / 发布时间:2024-01-30 来源:市政府 浏览次数:123 / 作者:
    ("source_line", re.compile(rf"^(?:(?:{_META_NAMES})\s*:\s*{_META_VALUE}{{0,40}}?\s*)+$")),
    # 【字体:大 中 小】 / 字号:大 中 小 / [字体:默认 大 中 小]
    ("font_size", re.compile(r"字[体号]\s*:?\s*(?:默认\s*)?[大中小]\s*[大中小]\s*[大中小]")),
    # 下载 打印 全屏 收藏 / 打印关闭分享到: / [打印本页] [关闭窗口]
    (
        "page_tools",
        re.compile(
            r"^(?:[\s\[\]【】|:/()<>]*"
            r"(?:下载|打印(?:本页|此页)?|全屏|收藏|加入收藏|分享(?:到)?|关闭(?:窗口|本页)?|返回顶部|返回|"
            r"纠错|我要纠错|页面纠错|设为首页|默认|繁体|简体|无障碍|长者模式|保存|复制链接|微信|微博|QQ空间))+"
            r"[\s\[\]【】|:/()<>]*$"
        ),
    ),
    # 扫一扫在手机打开当前页 / (附件二维码) / 手机版
    ("qr_code", re.compile(r"扫一扫|扫描二维码|二维码\)?$|手机(?:版|扫一扫|浏览|查看|打开)")),
    # 网站地图 | 联系我们 / 版权所有 / 备案号 / 主办单位:…
    (
        "site_footer",
        re.compile(
            r"网站地图|版权所有|版权声明|ICP备|ICP证|公网安备|备案号|网站标识码|主办单位|承办单位|"
            r"技术支持|联系我们|关于我们|网站声明|隐私(?:政策|声明)|Copyright|©",
            re.I,
        ),
    ),
)
_SENTENCE_INSIDE = re.compile(r"[。!?;][^)】」”]")
# The same, read in the text as written: a line of text is rejected before it is folded.
_SENTENCE_INSIDE_AS_WRITTEN = re.compile(r"[。!?;！？；][^)）】」”]")
_OUTLINE_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十\d]+\)|\d{1,2}[.、])")


def furniture_kind(line):
    """The class of web furniture a whole line is, or None for a line of text."""
    if len(line) > 2 * MAX_FURNITURE_CHARS or _SENTENCE_INSIDE_AS_WRITTEN.search(line):
        return None
    text = fold(line).strip()
    if not text or len(text) > MAX_FURNITURE_CHARS or _SENTENCE_INSIDE.search(text) or _OUTLINE_NUMBER.match(text):
        return None
    for kind, pattern in _CLASSES:
        if pattern.search(text):
            if kind == "source_line" and set(_META_FIELD.findall(text)) <= _PLAIN_DATE_FIELDS:
                continue
            return kind
    return None


def _is_tail_scrap(line):
    """A short line that may be a caption among a page's closing furniture; a line ending a
    sentence is text (the last line of a short speech, 我讲三点意见。), never a scrap."""
    text = fold(line).strip()
    return len(text) <= MAX_TAIL_SCRAP_CHARS and not text.endswith(("。", "!", "?", "…"))


def find_furniture(lines):
    """{index: kind} of the furniture among lines (strings): each furniture line, and the
    scraps among the furniture that ends a page (a logo's caption)."""
    found = {}
    for i, line in enumerate(lines):
        kind = furniture_kind(line)
        if kind:
            found[i] = kind
    if not found:
        return found
    # Where furniture begins the page's last run of short lines, the whole run is the page's.
    tail = len(lines)
    while tail > 0 and (tail - 1 in found or _is_tail_scrap(lines[tail - 1])):
        tail -= 1
    first = next((i for i in range(tail, len(lines)) if i in found), None)
    if first is not None:
        for i in range(first, len(lines)):
            found.setdefault(i, "site_footer")
    return found
