"""Who, where, what: regions, officials, topics, keywords and dates found in a speech.

Pure functions over text (extract_regions, extract_officials, assign_topics,
extract_keywords, extract_dates, find_speaker) and one writer, annotate_speech(speech),
that stores their results for a saved speech."""

from speeches.extract.dates import extract_dates
from speeches.extract.officials import extract_officials
from speeches.extract.regions import extract_regions
from speeches.extract.speaker import find_speaker
from speeches.extract.topics import assign_topics, extract_keywords


def annotate_speech(speech):
    # Imported here: the writer needs the models, the pure functions don't.
    from speeches.extract.annotate import annotate_speech as annotate

    return annotate(speech)


__all__ = [
    "annotate_speech",
    "assign_topics",
    "extract_dates",
    "extract_keywords",
    "extract_officials",
    "extract_regions",
    "find_speaker",
]
