"""Text normalisation shared by indexing, querying and highlighting.

Matching is defined on *folded* text: each character mapped on its own to its
simplified form (OpenCC t2s), Latin letters lower-cased, full-width ASCII made
half-width; whitespace and invisible control characters are ignored (scraped
texts break words with stray line breaks and full-width spaces: 李　强).

Folding is per character and keeps the length, so an offset into folded text is
an offset into the original: highlights are computed on folded text and applied
to the stored text. Converting whole strings with OpenCC would be context
dependent (t2s leaves 乾 alone in 乾隆 but turns a lone 乾 into 干), and a query
must fold exactly as the text it is looked up in.
"""

import re
import threading

import opencc

_t2s = opencc.OpenCC("t2s")
_t2s_lock = threading.Lock()

# Characters matching skips: whitespace and Unicode's control and format
# characters (categories Cc and Cf: zero-width spaces and joiners, direction
# marks, soft hyphens, byte-order marks…), listed from Python 3.11's Unicode 14 data.
_IGNORABLE_CLASS = (
    r"\x00-\x20\x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u1680\u180e"
    r"\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\ufff9-\ufffb"
    r"\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    r"\U000e0001\U000e0020-\U000e007f"
)
IGNORABLE = re.compile(f"[{_IGNORABLE_CLASS}]+")
IGNORABLE_GAP = f"[{_IGNORABLE_CLASS}]*"


def _fold_char(char, simplified):
    folded = simplified if len(simplified) == 1 else char
    if 0xFF01 <= ord(folded) <= 0xFF5E:  # full-width ASCII
        folded = chr(ord(folded) - 0xFEE0)
    lower = folded.lower()
    return lower if len(lower) == 1 else folded


def _t2s_char(char):
    if ord(char) < 0x2E80:  # below the CJK blocks OpenCC has nothing to convert
        return char
    with _t2s_lock:
        return _t2s.convert(char)


class _FoldTable(dict):
    """code point -> folded character, filled on first sight of each character."""

    def __missing__(self, code):
        char = chr(code)
        folded = _fold_char(char, _t2s_char(char))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text):
    """Simplified, lower-case, half-width text of the same length as `text`."""
    return text.translate(_FOLD_TABLE)


# Every character of the Basic Multilingual Plane and of the CJK extension
# planes whose fold differs from itself, by what it folds to: lets highlighting
# search the stored text directly instead of folding all of it.
_INVERSE_RANGES = [(0x2E80, 0xD7FF), (0xE000, 0xFFFF), (0x20000, 0x2FA1F), (0x30000, 0x3134F)]
_inverse = {}
_inverse_lock = threading.Lock()


def _build_inverse():
    inverse = {}
    for code in range(0x2E80):
        char = chr(code)
        folded = _fold_char(char, char)
        if folded != char:
            inverse.setdefault(folded, []).append(char)
    for first, last in _INVERSE_RANGES:
        chars = [chr(code) for code in range(first, last + 1)]
        # One call for the whole block: a line break stops OpenCC's phrase
        # matching, so each character converts exactly as it does alone.
        with _t2s_lock:
            converted = _t2s.convert("\n".join(chars)).split("\n")
        if len(converted) != len(chars):
            converted = [_t2s_char(char) for char in chars]
        for char, simplified in zip(chars, converted, strict=True):
            folded = _fold_char(char, simplified)
            if folded != char:
                inverse.setdefault(folded, []).append(char)
    return inverse


def variants(char):
    """Every character that folds to `char` (a folded character), itself included
    if it is its own fold; None for characters outside the planes covered."""
    if ord(char) >= 0x10000 and not any(a <= ord(char) <= b for a, b in _INVERSE_RANGES):
        return None
    if not _inverse:
        with _inverse_lock:
            if not _inverse:
                _inverse.update(_build_inverse())
    found = list(_inverse.get(char, ()))
    if fold(char) == char:
        found.append(char)
    return found


def strip_ignorable(text):
    return IGNORABLE.sub("", text)


def matchable(text):
    """The form literal matching compares: folded, ignorable characters removed."""
    return strip_ignorable(fold(text))


def char_grams(text):
    """(gram, position) for every character and every pair of adjacent characters
    of matchable(text); a pair sits at the position of its first character, so a
    string of n characters is found as a phrase of its n-1 pairs."""
    chars = matchable(text)
    last = len(chars) - 1
    for position, char in enumerate(chars):
        yield char, position
        if position < last:
            yield chars[position : position + 2], position


def literal_pattern(needle):
    """A regex finding `needle` (already matchable) in folded text, across the
    whitespace and control characters matching ignores."""
    return re.compile(literal_source(needle))


def literal_source(needle):
    """The source of literal_pattern(needle)."""
    return IGNORABLE_GAP.join(re.escape(char) for char in needle)


def unfolded_pattern(needle):
    """A regex finding `needle` (already matchable) in text that was NOT folded:
    each character may be any of its variants (知/知, 识/識, a/A/ａ). None when a
    character lies outside the planes variants() covers: fold the text instead."""
    source = unfolded_source(needle)
    return None if source is None else re.compile(source)


def unfolded_source(needle):
    """The source of unfolded_pattern(needle), or None."""
    parts = []
    for char in needle:
        found = variants(char)
        if found is None:
            return None
        if not found:
            return "(?!)"  # nothing folds to it: it cannot occur
        if len(found) == 1:
            parts.append(re.escape(found[0]))
        else:
            parts.append("[" + "".join(re.escape(c) for c in found) + "]")
    return IGNORABLE_GAP.join(parts)


# Between two Han characters a line break or space is debris, not a word boundary.
_HAN_GAP = re.compile(
    rf"(?<=[\u3400-\u9fff\uf900-\ufaff])[{_IGNORABLE_CLASS}]+(?=[\u3400-\u9fff\uf900-\ufaff])"
)


def word_text(text):
    """Folded text prepared for word segmentation."""
    return _HAN_GAP.sub("", fold(text))


# A character str.isalnum() accepts: \w is exactly those and the underscore.
_ALNUM = re.compile(r"[^\W_]")


def is_word(token):
    """Tokens worth indexing as words: those with a letter, digit or Han character."""
    # isalnum() first: most tokens are words through and through, and it answers in C
    # without the regular expression's call.
    return token.isalnum() or _ALNUM.search(token) is not None
