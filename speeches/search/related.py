"""Speeches like a given one: the index's more-like-this on words, then the database's
neighbours (same topic and region) when the index has too few or is not built yet."""

from django.db.models import Case, Count, F, IntegerField, Q, When
from whoosh import classify
from whoosh import query as wq

from speeches.models import Speech
from speeches.search import backend, columns, store
from speeches.search.evaluate import Evaluator, top

# Key words taken from the speech; one-character words (的, 要, 抓…) say little about
# what a speech is about and are skipped.
KEY_TERMS = 12
KEY_TERM_CANDIDATES = 30
# A speech matching only one or two of the key words is not "like" it.
MIN_MATCHED_TERMS = 3
# The database's neighbours are chosen among this many of the newest speeches of the
# region and of the topics (see _neighbour_ids).
NEIGHBOUR_POOL = 200


class _Expander(classify.Expander):
    """Whoosh's Expander (Bo1) with the collection frequencies from a table read once per
    reader (columns.py) instead of two term lookups per word in every segment, which
    took ~80 ms of a speech page at 10,000 speeches."""

    def __init__(self, reader, fieldname, frequencies):
        super().__init__(reader, fieldname, model=classify.Bo1Model)
        self.frequencies = frequencies

    def expanded_terms(self, number, normalize=True):
        # classify.Expander.expanded_terms with self.frequencies for the lookups.
        if not self.topN_weight:
            return []
        scored, maxweight = [], 0
        for word, weight in self.topN_weight.items():
            frequency = self.frequencies.get(word)
            if frequency is None:  # not in the index
                continue
            score = self.model.score(weight, frequency, self.top_total)
            maxweight = max(maxweight, score)
            scored.append((score, word))
        norm = self.model.normalizer(maxweight, self.top_total) if normalize else maxweight
        scored = sorted(((score / norm, word) for score, word in scored), key=lambda x: (0 - x[0], x[1]))
        return [(word, weight) for weight, word in scored[:number]]


def key_terms_from_text(searcher, fieldname, text, numterms):
    """searcher.key_terms_from_text(fieldname, text, numterms), faster (_Expander)."""
    reader = searcher.reader()
    expander = _Expander(reader, fieldname, columns.for_reader(reader).frequencies(reader, fieldname))
    expander.add_text(text)
    return expander.expanded_terms(numterms)


def _key_terms(searcher, speech):
    text = f"{speech.title}\n{speech.body}"
    candidates = key_terms_from_text(searcher, "body_words", text, KEY_TERM_CANDIDATES)
    return [(word, weight) for word, weight in candidates if len(word) >= 2][:KEY_TERMS]


def _similar_ids(speech, limit):
    """Ids of published speeches sharing the most key words with `speech`, best first."""
    searcher = store.searcher()
    if searcher is None:
        return []
    terms = _key_terms(searcher, speech)
    if len(terms) < MIN_MATCHED_TERMS:
        return []
    # like_query(terms), evaluated over posting blocks (evaluate.py): Whoosh's matchers
    # took ~45 ms for it at 10,000 speeches.
    docs = columns.for_reader(searcher.reader())
    scores, candidates = Evaluator(searcher, docs).weighted_terms("body_words", terms)
    candidates &= docs.published
    itself = searcher.document_number(id=str(speech.pk))
    if itself is not None:
        candidates[itself] = False
    return [int(searcher.stored_fields(docnum)["id"]) for docnum in top(scores, candidates, limit)]


def like_query(terms):
    """The more-like-this query in Whoosh's terms (what _similar_ids computes; the tests
    compare the two). Whoosh 2.7 ignores minmatch: any key word matches."""
    return wq.Or(
        [wq.Term("body_words", word, boost=weight) for word, weight in terms],
        minmatch=MIN_MATCHED_TERMS,
    )


def _neighbour_ids(speech, exclude, limit):
    """Ids of published speeches sharing a topic or the region with `speech`: topic and
    region both first, then topic only, then region only; more shared topics first,
    then the newest. Merged copies are left out: each redirects to the speech it was
    merged into, which may be `speech` itself.

    Chosen among the newest NEIGHBOUR_POOL speeches of its region and of its topics (an
    index each), not the whole archive: asked of every speech sharing a topic
    or the region at once, the database read each of 100,000 rows (2.8 s a speech page
    while the index was being built)."""
    own_topics = list(speech.topics.values_list("pk", flat=True))
    # The pools ask only what the listing indexes hold (published, newest first): a
    # merged copy is told by a column of the row, read for every speech walked past.
    published = Speech.objects.published()
    pools = [published.filter(topics__in=own_topics).distinct()] if own_topics else []
    if speech.region_id:
        pools.append(published.filter(region_id=speech.region_id))
    pool = set()
    for speeches in pools:
        pool.update(speeches.newest_first().values_list("pk", flat=True)[:NEIGHBOUR_POOL])
    if not pool:
        return []
    # Never true without topics: Q(topics__in=[]) makes Django answer the whole query with
    # nothing, so a speech still waiting for extraction would get no neighbour at all.
    shares_topic = Q(topics__in=own_topics) if own_topics else Q(pk__isnull=True)
    # Never true without a region. Not pk__in=[]: Django folds that CASE into a bare 0,
    # which PostgreSQL reads in GROUP BY as "column 0" and refuses.
    in_region = Q(region_id=speech.region_id) if speech.region_id else Q(pk__isnull=True)
    return list(
        Speech.objects.filter(pk__in=pool)
        .not_merged()
        .exclude(pk__in=[speech.pk, *exclude])
        .annotate(
            shared_topics=Count("topics", filter=shares_topic, distinct=True),
            same_region=Case(When(in_region, then=1), default=0, output_field=IntegerField()),
        )
        .annotate(
            closeness=Case(
                When(shared_topics__gt=0, then=F("same_region") + 2),
                default=F("same_region"),
                output_field=IntegerField(),
            )
        )
        .order_by("-closeness", "-shared_topics", "-date_key", "id")
        .values_list("pk", flat=True)[:limit]
    )


def related_speeches(speech, limit=5):
    """Up to `limit` published speeches like `speech` (never itself), most alike first,
    with their regions loaded and without their texts."""
    ids = backend.current().similar_ids(speech, limit)
    if len(ids) < limit:
        ids.extend(_neighbour_ids(speech, ids, limit - len(ids)))
    found = Speech.objects.select_related("region").defer("body", "import_log", "keywords").public_in_bulk(ids[:limit])
    # Withdrawn since the index was written: dropped, not shown.
    return [found[pk] for pk in ids[:limit] if pk in found]
