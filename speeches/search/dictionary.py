"""Word segmentation with the archive's own vocabulary.

Names of officials, regions and topics (and topic keywords) are added to the
segmenter so that 田力普 or 万村千乡 are ranked as words. The word list is kept in
a file in the index directory: it is written from the database when missing and
removed (see mark_stale) after a name changes, so every process picks up the
change on its next use. rjieba keeps no cache on disk; jieba would write one to /tmp.
Words curators add (DictionaryTerm) are part of the vocabulary too.

The vocabulary shapes ranking only: literal matching uses character n-grams, so
a stale dictionary never hides a speech.
"""

import os
import threading

import rjieba
from django.conf import settings

from speeches.search.text import is_word, word_text

FILE_NAME = "userdict.txt"
_lock = threading.Lock()
_loaded = {"key": None, "jieba": None}


def _path():
    return settings.SEARCH_INDEX_DIR / FILE_NAME


def vocabulary():
    """The archive's words, folded, from the database."""
    from speeches.models import DictionaryTerm, Official, Region, Topic

    words = set(DictionaryTerm.objects.values_list("term", flat=True))
    words.update(Official.objects.values_list("name", flat=True))
    words.update(Region.objects.values_list("name", flat=True))
    for name, keywords in Topic.objects.values_list("name", "keywords"):
        words.add(name)
        words.update(k for k in (keywords or []) if isinstance(k, str))
    folded = {word_text(w).strip() for w in words if w}
    return sorted(w for w in folded if len(w) >= 2 and is_word(w) and "\n" not in w)


def write_file():
    """Write the vocabulary file from the database (atomically)."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{FILE_NAME}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text("\n".join(vocabulary()) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def mark_stale():
    """A name changed: the next segmentation, in any process, reloads the vocabulary."""
    try:
        _path().unlink()
    except FileNotFoundError:
        pass


def _read_file():
    """(key, path) of the vocabulary file, writing it first when it is missing."""
    path = _path()
    for _attempt in range(3):
        try:
            stat = path.stat()
            return (str(path), stat.st_mtime_ns, stat.st_size), path
        except FileNotFoundError:
            write_file()
    return None, None  # another process keeps invalidating it


def segmenter():
    """An rjieba segmenter loaded with the current vocabulary."""
    key, path = _read_file()
    if key is not None and _loaded["key"] == key:
        return _loaded["jieba"]
    with _lock:
        if key is None or _loaded["key"] != key:
            try:
                words = path.read_text(encoding="utf-8").split("\n") if path else vocabulary()
            except FileNotFoundError:
                words, key = vocabulary(), None
            jieba = rjieba.Jieba()
            for word in words:
                if word:
                    jieba.add_word(word, max(jieba.suggest_freq(word), 3), None)
            _loaded["jieba"], _loaded["key"] = jieba, key
        return _loaded["jieba"]


def cut_words(text):
    """The words of text, folded, in order (punctuation and spaces dropped)."""
    return list(filter(is_word, segmenter().cut(word_text(text))))


def tag_words(text):
    """(word, part of speech) for each token of text, folded, in order: jieba's tag
    set (n noun, v verb, r pronoun, u… particle, x other…); words of the archive's
    vocabulary have an empty tag. Punctuation and spaces are tokens too."""
    return [(word, tag or "") for word, tag in segmenter().tag(word_text(text))]


def search_pieces(word):
    """The shorter words inside a long word, as jieba's search mode cuts them
    (中华人民共和国 -> 中华, 人民, 共和国…), folded, the word itself left out."""
    folded = word_text(word)
    return [piece for piece in segmenter().cut_for_search(folded) if len(piece) >= 2 and piece != folded]
