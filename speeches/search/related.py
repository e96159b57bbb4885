"""Speeches like a given one: the index's more-like-this on words, then the database's
neighbours (same topic and region) when the index has too few or is not built yet."""

from whoosh import query as wq

from speeches.models import Speech
from speeches.search import store

# Key words taken from the speech; one-character words (的, 要, 抓…) say little about
# what a speech is about and are skipped.
KEY_TERMS = 12
KEY_TERM_CANDIDATES = 30
# A speech matching only one or two of the key words is not "like" it.
MIN_MATCHED_TERMS = 3


def _key_terms(searcher, speech):
    text = f"{speech.title}\n{speech.body}"
    candidates = searcher.key_terms_from_text("body_words", text, numterms=KEY_TERM_CANDIDATES)
    return [(word, weight) for word, weight in candidates if len(word) >= 2][:KEY_TERMS]


def _similar_ids(speech, limit):
    """Ids of published speeches sharing the most key words with `speech`, best first."""
    searcher = store.searcher()
    if searcher is None:
        return []
    terms = _key_terms(searcher, speech)
    if len(terms) < MIN_MATCHED_TERMS:
        return []
    like = wq.Or(
        [wq.Term("body_words", word, boost=weight) for word, weight in terms],
        minmatch=MIN_MATCHED_TERMS,
    )
    own = searcher.document_number(id=str(speech.pk))
    found = searcher.search(
        like,
        filter=wq.Term("status", Speech.PUBLISHED),
        mask={own} if own is not None else None,
        limit=limit,
    )
    return [int(hit["id"]) for hit in found]


def _neighbour_querysets(speech):
    """Database fallbacks, closest first: same topic and region, same topic, same region."""
    others = Speech.objects.published().exclude(pk=speech.pk)
    topic_ids = list(speech.topics.values_list("pk", flat=True))
    if topic_ids and speech.region_id:
        yield others.filter(topics__in=topic_ids, region_id=speech.region_id)
    if topic_ids:
        yield others.filter(topics__in=topic_ids)
    if speech.region_id:
        yield others.filter(region_id=speech.region_id)


def related_speeches(speech, limit=5):
    """Up to `limit` published speeches like `speech` (never itself), most alike first,
    with region and source loaded for listing."""
    ids = _similar_ids(speech, limit)
    for queryset in _neighbour_querysets(speech):
        if len(ids) >= limit:
            break
        more = queryset.exclude(pk__in=ids).distinct().newest_first().values_list("pk", flat=True)
        ids.extend(more[: limit - len(ids)])
    found = Speech.objects.published().for_listing().in_bulk(ids[:limit])
    # Withdrawn since the index was written: dropped, not shown.
    return [found[pk] for pk in ids[:limit] if pk in found]
