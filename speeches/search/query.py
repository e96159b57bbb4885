"""Reading what the user typed.

    经济 发展            both must occur (each literally, anywhere)
    "经济发展" “改革开放”  exact text (straight, curly or corner quotes)
    -房地产              must not occur
    雄安 OR 浦东          either (OR binds its neighbours: a b OR c = a and (b or c))

Every word is looked up literally after folding (see text.py), so 识产 finds
知识产权 and 知識產權. Bad input is read as sensibly as possible and explained
in `notes`; it never raises.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from speeches.search.text import matchable

# Longer queries are cut: nobody types more, and a pasted page would only slow the search.
MAX_QUERY_CHARS = 200
MAX_TERMS = 20

OPEN_QUOTES = '"“”「『＂'
CLOSE_QUOTES = '"“”」』＂'
MINUS = "-－"
OR_WORDS = ("OR", "|", "｜")


@dataclass(frozen=True)
class Literal:
    """One word or phrase: `text` as typed, `needle` as matched (folded, no spaces)."""

    text: str
    needle: str
    quoted: bool = False


@dataclass
class ParsedQuery:
    raw: str = ""
    typed: bool = False  # anything but spaces and control characters
    clauses: list = field(default_factory=list)  # all must match; each a list of alternatives
    excluded: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # how the input was read, for the user

    @property
    def is_empty(self):
        return not self.clauses

    @property
    def positive(self):
        return [literal for clause in self.clauses for literal in clause]

    def __str__(self):
        parts = []
        for clause in self.clauses:
            parts.append(" OR ".join(_show(literal) for literal in clause))
        parts.extend("-" + _show(literal) for literal in self.excluded)
        return " ".join(parts)


def _show(literal):
    return f'"{literal.text}"' if literal.quoted else literal.text


def _without_control_characters(text):
    # Controls and invisible format characters become spaces: they separate, never match.
    return "".join(
        " " if unicodedata.category(char) in ("Cc", "Cf") else char for char in text
    )


def _tokens(text, notes):
    """("word"|"phrase", text, negated) and ("or", …) tokens."""
    tokens, i, n = [], 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
            continue
        negated = False
        if char in MINUS and i + 1 < n and not text[i + 1].isspace():
            negated, i = True, i + 1
            char = text[i]
        if char in OPEN_QUOTES:
            end = next((j for j in range(i + 1, n) if text[j] in CLOSE_QUOTES), None)
            if end is None:
                notes.append("引号没有配对：已把引号后面的全部文字当作一个短语。")
                end = n
            tokens.append(("phrase", text[i + 1 : end], negated))
            i = end + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] not in OPEN_QUOTES:
            end += 1
        word = text[i:end]
        i = end
        if word in OR_WORDS and not negated:
            tokens.append(("or", word, False))
        else:
            tokens.append(("word", word, negated))
    return tokens


_OPERATOR_DEBRIS = re.compile(rf"^[{re.escape(MINUS)}+]+$")


def parse(raw):
    """A ParsedQuery for the user's input (any string, any length)."""
    raw = raw or ""
    query = ParsedQuery(raw=raw)
    text = _without_control_characters(raw).strip()
    query.typed = bool(text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        query.notes.append(f"检索式太长，只用了前 {MAX_QUERY_CHARS} 个字。")
    join_next = False
    for kind, value, negated in _tokens(text, query.notes):
        if kind == "or":
            join_next = bool(query.clauses)
            continue
        if kind == "word" and _OPERATOR_DEBRIS.match(value):
            continue  # a lone "-" or "+"
        literal = Literal(text=value.strip(), needle=matchable(value), quoted=kind == "phrase")
        if not literal.needle:
            continue  # "" or quotes around spaces
        if negated:
            query.excluded.append(literal)
        elif join_next:
            query.clauses[-1].append(literal)
        else:
            query.clauses.append([literal])
        join_next = False
    if len(query.clauses) + len(query.excluded) > MAX_TERMS:
        query.notes.append(f"检索词太多，只用了前 {MAX_TERMS} 个。")
        query.clauses = query.clauses[:MAX_TERMS]
        query.excluded = query.excluded[: max(0, MAX_TERMS - len(query.clauses))]
    if query.is_empty and text:
        if query.excluded:
            query.notes.append("检索式里只有排除的词（以 - 开头），请再输入至少一个要查找的词。")
        else:
            query.notes.append("检索式里只有运算符（OR、-、引号），请输入要查找的词。")
    return query
