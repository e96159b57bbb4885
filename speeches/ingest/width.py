"""Full-width and half-width forms read alike, for recognising structure only.

Chinese documents write `同志们：`, `（一）`, `１．`, `时间：` and ideographic spaces (`李　强`);
pages copied from some sites write the half-width forms (`同志们:`, `(一)`). Every rule of
the importer reads the folded form; the stored text keeps what was written. The fold maps
one character to one character, so an offset found in the folded text is an offset in the
original.
"""

from functools import lru_cache

# U+FF01..U+FF5E are the full-width forms of ASCII U+0021..U+007E; U+3000 is the
# ideographic space. Dashes and the ideographic full stop have variants of their own.
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0xFF61: ord("。"), 0xFF64: ord("、")})


# Short lines are folded again and again as each rule looks at them: remember them.
_CACHED_CHARS = 200


def fold(text):
    """text with full-width letters, digits, punctuation and spaces in their half-width form."""
    if len(text) <= _CACHED_CHARS:
        return _fold_short(text)
    return text.translate(_FOLD)


@lru_cache(maxsize=16384)
def _fold_short(text):
    return text.translate(_FOLD)
