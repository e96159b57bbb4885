"""What a speech's text is, as plain values the importer (which knows no database) and
the models share: how a text is recognised again, and the kinds of text there are."""

import hashlib

# Kinds of text (Speech.kind); classified by speeches.ingest.parse.classify_kind.
SPEECH, WORK_REPORT, NEWS_SUMMARY, RESOLUTION = "speech", "work_report", "news_summary", "resolution"
KINDS = [
    (SPEECH, "讲话"),
    (WORK_REPORT, "工作报告"),
    (NEWS_SUMMARY, "新闻综述"),
    (RESOLUTION, "决议"),
]


# A speech's title is cut to this length before it is hashed (Speech.title's max_length).
TITLE_LENGTH = 300


def content_hash(text):
    """Hash of a text, whitespace ignored: how re-imports recognise it."""
    return hashlib.sha256("".join(text.split()).encode("utf-8")).hexdigest()


def speech_hash(title, body):
    """A speech's identity: its title and body, whitespace ignored (Speech.content_hash)."""
    return content_hash(title + "\n" + body)
