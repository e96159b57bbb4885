"""A speech as JSON, in one place: the API's list and detail, the search results and the
exports of search results all start from speech_summary()."""


def region_json(region):
    return {"code": region.code, "name": region.name} if region else None


def speech_summary(speech):
    """What every JSON view of a speech says of it (the API's list, search hits)."""
    return {
        "id": speech.uid,
        "title": speech.title,
        "url": speech.get_absolute_url(),
        "date": speech.date.isoformat() if speech.date else None,
        "year": speech.known_year,
        "year_masked": speech.year_masked,
        "region": region_json(speech.region),
        "speaker": speech.speaker_as_delivered(),
        "topics": [{"name": topic.name, "slug": topic.slug} for topic in speech.topics.all()],
    }


def speech_detail(speech):
    """The summary with the text, its outline, the officials it cites, its source and kind."""
    officials, seen = [], set()
    for citation in speech.citations.select_related("official"):
        if citation.official_id not in seen:
            seen.add(citation.official_id)
            officials.append({"name": citation.official.name, "title": citation.official.title})
    source = speech.source
    return {
        **speech_summary(speech),
        "text": speech.body,
        "sections": [
            {"number": section.number, "heading": section.heading, "level": section.level, "anchor": section.anchor}
            for section in speech.sections.all()
        ],
        "officials": officials,
        "source": {
            "title": source.title,
            "path": source.display_name,
            "published": source.published_at.isoformat() if source.published_at else None,
            "author": source.author,
        }
        if source
        else None,
        "kind": speech.kind,
    }


# The columns of a search export, in order.
EXPORT_FIELDS = (
    "id", "title", "url", "date", "year", "year_masked", "kind", "region_code", "region_name",
    "speaker_name", "speaker_title", "topics", "source", "text",
)


def speech_export_record(speech, base_url):
    """One speech as a flat record for CSV/JSON exports of search results: the summary's
    facts in flat columns, with the kind, the source's title and the text."""
    summary = speech_summary(speech)
    region, speaker = summary["region"], summary["speaker"]
    return {
        "id": summary["id"],
        "title": summary["title"],
        "url": base_url + summary["url"],
        "date": summary["date"],
        "year": summary["year"],
        "year_masked": summary["year_masked"],
        "kind": speech.kind,
        "region_code": region["code"] if region else None,
        "region_name": region["name"] if region else None,
        "speaker_name": speaker["name"] if speaker else None,
        "speaker_title": speaker["title"] if speaker else None,
        "topics": [topic["name"] for topic in summary["topics"]],
        "source": speech.source.title if speech.source else None,
        "text": speech.body,
    }
