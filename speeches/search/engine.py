"""Running a search: request → tiers of matching documents (tiers.py) → hits, facets, snippets.

Two sides (backend.py). The database side, whatever the engine: the form read
(SearchRequest), the notes, the facets named, the hits' rows loaded and marked
(search, matching_ids, _facets, _hits). The index side, Whoosh's, answered through
whoosh_backend.WhooshBackend: answer() and answer_ids() with _listing, _filtered and
_facet_counts, over posting blocks (evaluate.py) and facet columns (columns.py).
"""

import re
from dataclasses import dataclass, field

import numpy as np

from speeches import serializers
from speeches.models import Official, Region, Speech, Topic
from speeches.search import backend, columns, tiers
from speeches.search.backend import IndexAnswer, IndexHit, IndexQuery
from speeches.search.evaluate import Evaluator
from speeches.search.highlight import excerpt, highlight
from speeches.search.query import parse

PER_PAGE = 10
MAX_PAGE = 1000
SORTS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
# Facet lists longer than this show their largest entries only.
FACET_LIMIT = 50
# The two ways a person is tied to a speech, as filters name them.
PERSON_LABELS = {"official": "人物", "speaker": "讲话人"}
_YEAR = re.compile(r"^\s*(\d{4})\s*(?:[-–—~～至到]\s*(\d{4})\s*)?$")


@dataclass
class SearchRequest:
    """The search form, validated: invalid values are dropped with a note."""

    q: str = ""
    region: str = ""
    topic: str = ""
    official: str = ""
    speaker: str = ""
    year: str = ""
    kind: str = ""
    sort: str = "relevance"
    page: int = 1
    notes: list = field(default_factory=list)

    @classmethod
    def from_params(cls, params):
        """From a QueryDict or dict of strings (the page's and the API's GET)."""

        def get(name):
            value = params.get(name, "")
            return value.strip() if isinstance(value, str) else ""

        request = cls(q=params.get("q", "") if isinstance(params.get("q", ""), str) else "")
        notes = request.notes
        request.region = get("region")[:12]
        request.topic = get("topic")[:100]
        for name in ("official", "speaker"):
            person = get(name)
            # ASCII digits only: int() refuses "²", and an id has at most 18 digits.
            if person and not (person.isascii() and person.isdigit() and len(person) <= 18):
                notes.append(f"{PERSON_LABELS[name]}编号“{person[:20]}”无效，已忽略。")
            else:
                setattr(request, name, person)
        year = get("year")
        if year and not _YEAR.match(year):
            notes.append(f"年份“{year[:20]}”无法识别（可写 2008 或 2000-2010），已忽略。")
        else:
            request.year = year
        kind = get("kind")
        if kind and kind not in dict(Speech.KINDS):
            notes.append(f"文稿类型“{kind[:20]}”无效，已忽略。")
        else:
            request.kind = kind
        sort = get("sort") or "relevance"
        if sort not in SORTS:
            notes.append(f"排序方式“{sort[:20]}”无效，已按相关度排序。")
            sort = "relevance"
        request.sort = sort
        page = get("page") or "1"
        # ASCII digits only, and no more of them than int() reads: a longer number is past the end.
        number = int(page[:9]) if page.isascii() and page.isdigit() else 0
        request.page = min(number, MAX_PAGE) if number >= 1 else 1
        return request

    @property
    def year_range(self):
        match = _YEAR.match(self.year) if self.year else None
        if not match:
            return None
        first, last = match.group(1), match.group(2) or match.group(1)
        return (min(first, last), max(first, last))

    @property
    def has_filters(self):
        return any((self.region, self.topic, self.official, self.speaker, self.year, self.kind))


@dataclass
class Hit:
    speech: Speech
    score: float  # None when sorted by date
    title_html: str
    snippet: str
    section: object  # Section or None
    tier: str = tiers.EXACT  # see tiers.py
    matched: list = field(default_factory=list)  # the query's words (or literals) the speech holds
    missing: list = field(default_factory=list)  # the query's words it lacks (word tiers)

    @property
    def tier_label(self):
        return tiers.TIER_LABELS[self.tier]

    @property
    def section_anchor(self):
        return self.section.anchor if self.section is not None else None

    @property
    def url(self):
        """The speech page, at the matching section when there is one."""
        url = self.speech.get_absolute_url()
        return f"{url}#{self.section_anchor}" if self.section is not None else url

    def as_dict(self):
        return {
            **serializers.speech_summary(self.speech),
            "section_anchor": self.section_anchor,
            "snippet": str(self.snippet),
            "score": self.score,
            "tier": self.tier,
            "matched": list(self.matched),
        }


@dataclass
class ActiveFilter:
    param: str
    value: str
    label: str


@dataclass
class SearchResults:
    request: SearchRequest
    query: object  # ParsedQuery
    searched: bool = False  # False when there was nothing to search for
    total: int = 0
    hits: list = field(default_factory=list)
    facets: dict = field(default_factory=lambda: {"region": [], "topic": [], "year": [], "official": [], "speaker": []})
    filters: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    per_page: int = PER_PAGE
    # [{"tier", "label", "count"}] in the order listed (tiers.py); total is their sum.
    tiers: list = field(default_factory=list)
    words: object = None  # words.QueryWords when the speeches are found by the query's words

    @property
    def by_words(self):
        return self.words is not None

    @property
    def hit_groups(self):
        """The page's hits cut where the tier changes: [(tier dict, first number, hits)]."""
        groups, number = [], self.first_number
        labels = {tier["tier"]: tier for tier in self.tiers}
        for hit in self.hits:
            if not groups or groups[-1][0]["tier"] != hit.tier:
                groups.append((labels.get(hit.tier, {"tier": hit.tier, "label": hit.tier_label}), number, []))
            groups[-1][2].append(hit)
            number += 1
        return groups

    @property
    def page(self):
        return self.request.page

    @property
    def num_pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.num_pages

    @property
    def first_number(self):
        return (self.page - 1) * self.per_page + 1

    @property
    def page_numbers(self):
        """Pages to link: the first, the last and two either side of this one; None for a gap."""
        shown = sorted({1, self.num_pages, *range(max(1, self.page - 2), min(self.num_pages, self.page + 2) + 1)})
        numbers, previous = [], 0
        for number in shown:
            if number - previous > 1:
                numbers.append(None)
            numbers.append(number)
            previous = number
        return numbers

    def as_dict(self):
        """The search API's answer (its field names are a contract)."""
        return {
            "query": str(self.query),
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "notes": list(self.notes),
            "tiers": [dict(tier) for tier in self.tiers],
            "results": [hit.as_dict() for hit in self.hits],
            "facets": self.facets,
        }


# Facets ------------------------------------------------------------------------


def _facet_counts(docs, docset, region_codes):
    """{facet: {value: listed documents holding it}} of the documents of the mask
    docset, from the reader's facet postings in memory (columns.py); regions only for
    region_codes (IndexAnswer.facets)."""
    region_counts = docs.counts("region", docset)
    found = {"region": {code: region_counts[code] for code in region_codes if region_counts.get(code)}}
    for fieldname in ("topic", "year", "official", "speaker"):
        found[fieldname] = docs.counts(fieldname, docset)
    return found


def _facet_regions(region):
    """[(code, name)] of the regions the facet lists: the top level (provinces, the
    country) or the level below the filter."""
    if region is not None:
        candidates = Region.objects.filter(parent=region)
    else:
        candidates = Region.objects.filter(parent__isnull=True)
    return list(candidates.values_list("code", "name"))


def _facets(counts, region_names):
    """The facets shown: the index's counts (IndexAnswer.facets) named from the database."""
    regions = [
        {"code": code, "name": name, "count": counts["region"][code]}
        for code, name in region_names
        if counts["region"].get(code)
    ]
    regions.sort(key=lambda r: (-r["count"], r["code"]))

    topic_counts = counts["topic"]
    names = dict(Topic.objects.filter(slug__in=list(topic_counts)).values_list("slug", "name"))
    topics = sorted(
        ({"slug": slug, "name": names[slug], "count": n} for slug, n in topic_counts.items() if slug in names),
        key=lambda t: (-t["count"], t["name"]),
    )[:FACET_LIMIT]

    years = sorted(
        ({"year": int(y), "count": n} for y, n in counts["year"].items()),
        key=lambda y: -y["year"],
    )
    people = {name: _top_people(counts[name]) for name in PERSON_LABELS}
    # One query names the people of both lists.
    wanted = {int(pk) for top in people.values() for pk, _n in top}
    names = {str(o.pk): str(o) for o in Official.objects.public().filter(pk__in=wanted)} if wanted else {}
    return {
        "region": regions,
        "topic": topics,
        "year": years,
        **{name: _person_facet(top, names) for name, top in people.items()},
    }


def _top_people(counts):
    """The people of a person facet's counts most often cited in (official) or
    delivering (speaker) the matching speeches, more than are shown (some may not be public)."""
    return sorted(counts.items(), key=lambda item: (-item[1], int(item[0])))[: FACET_LIMIT * 2]


def _person_facet(top, names):
    return [{"id": int(pk), "name": names[pk], "count": n} for pk, n in top if pk in names][:FACET_LIMIT]


# The search ----------------------------------------------------------------------


def _active_filters(request, results):
    region = None
    if request.region:
        region = Region.objects.filter(code=request.region).first()
        if region is None:
            results.notes.append(f"没有代码为“{request.region}”的地区。")
        results.filters.append(ActiveFilter("region", request.region, f"地区：{region.name if region else request.region}"))
    if request.topic:
        topic = Topic.objects.filter(slug=request.topic).first()
        if topic is None:
            results.notes.append(f"没有标识为“{request.topic}”的主题。")
        results.filters.append(ActiveFilter("topic", request.topic, f"主题：{topic.name if topic else request.topic}"))
    for name in ("official", "speaker"):
        if value := getattr(request, name):
            person = Official.objects.public().filter(pk=int(value)).first()
            if person is None:
                results.notes.append(f"没有编号为 {value} 的人物。")
            label = f"{PERSON_LABELS[name]}：{person.name if person else value}"
            results.filters.append(ActiveFilter(name, value, label))
    if request.year_range:
        first, last = request.year_range
        label = f"年份：{first}" if first == last else f"年份：{first}–{last}"
        results.filters.append(ActiveFilter("year", request.year, label))
    if request.kind:
        results.filters.append(ActiveFilter("kind", request.kind, f"类型：{dict(Speech.KINDS)[request.kind]}"))
    return region


def _as_request(request):
    return request if isinstance(request, SearchRequest) else SearchRequest.from_params(request)


def _nothing_to_search(parsed, request):
    # Operators alone (explained by parse's notes) or a blank box without filters;
    # filters alone list their speeches.
    return parsed.is_empty and (parsed.typed or not request.has_filters)


def _narrowed(docs, mask, request):
    """The mask without unpublished documents and those the request's filters leave out."""
    mask = mask & docs.published
    for name in ("region", "topic", "official", "speaker", "kind"):
        if value := getattr(request, name):
            mask &= docs.holding(name, value)
    if request.year_range:
        first, last = request.year_range
        in_range = np.zeros(docs.size, bool)
        for year in docs.terms["year"]:
            if first <= year <= last:
                in_range |= docs.holding("year", year)
        mask &= in_range
    return mask


def _filtered(docs, docset, request):
    """The set docset without unpublished documents and those the request's filters
    leave out (_narrowed, for callers counting in sets: trends.py)."""
    return set(np.flatnonzero(_narrowed(docs, docs.mask(docset), request)).tolist())


def _listing(searcher, parsed, request):
    """(tiers.Listing of the published documents the request finds, columns, evaluator)."""
    docs = columns.for_reader(searcher.reader())
    evaluator = Evaluator(searcher, docs)
    if parsed.is_empty:  # filters alone: every speech they keep
        found = tiers.Listing(tiers=[(tiers.EXACT, _narrowed(docs, evaluator.live(), request))], size=evaluator.size)
    else:
        found = tiers.listing(evaluator, parsed, lambda mask: _narrowed(docs, mask, request))
    found.tiers = [(tier, docset) for tier, docset in found.tiers if docset.any()]
    return found, docs, evaluator


def _word_notes(found):
    """What the user is told when the speeches are found by the query's words (found:
    the IndexAnswer)."""
    words = found.words
    if words is None:
        return []
    notes = []
    if words.split:
        note = f"没有讲话含有完整的检索词，已按其中的词语查找：{'、'.join(words.labels)}"
        if words.optional:
            note += f"（不要求出现：{'、'.join(words.optional)}）"
        notes.append(note + "。")
    if not found.total:
        if words.split:
            notes.append(f"也没有讲话含有其中任何一个词语：{'、'.join(words.labels)}。")
        return notes
    if not any(tier == tiers.ALL_WORDS for tier, _count in found.tiers):
        absent = [unit.label for unit, held in zip(words.units, found.units_held, strict=True) if not held]
        if absent:
            notes.append(f"没有同时包含全部词语的讲话；以下结果不含：{'、'.join(absent)}。")
        else:
            notes.append("没有同时包含全部词语的讲话；以下结果各含其中一部分，每条都列出所含的词语。")
    return notes


def _index_query(request, parsed, **window):
    """The IndexQuery of a search request (backend.py)."""
    return IndexQuery(
        parsed=parsed,
        region=request.region,
        topic=request.topic,
        official=request.official,
        speaker=request.speaker,
        year_range=request.year_range,
        kind=request.kind,
        **window,
    )


def search(request):
    """Search published speeches. `request` is a SearchRequest (or a dict of params)."""
    request = _as_request(request)
    parsed = parse(request.q)
    results = SearchResults(request=request, query=parsed, notes=list(request.notes) + list(parsed.notes))
    region = _active_filters(request, results)
    if _nothing_to_search(parsed, request):
        if not parsed.typed:
            results.notes.append("请输入要查找的词语或短语。")
        return results

    results.searched = True
    sort = request.sort
    if parsed.is_empty and sort == "relevance":
        sort = "newest"  # nothing to rank by
    first = (request.page - 1) * PER_PAGE
    region_names = _facet_regions(region)
    query = _index_query(
        request, parsed, sort=sort, first=first, limit=first + PER_PAGE,
        facet_regions=tuple(code for code, _name in region_names),
    )
    found = backend.current().query(query)
    if found is None:  # no index built yet
        return results
    results.words = found.words
    results.notes.extend(_word_notes(found))
    results.tiers = [{"tier": tier, "label": tiers.TIER_LABELS[tier], "count": count} for tier, count in found.tiers]
    results.total = found.total
    results.facets = _facets(found.facets, region_names)
    results.hits = _hits(found.hits, found.needles)
    return results


def matching_ids(request):
    """The ids of every published speech the search lists, all tiers (no ranking, no page)."""
    request = _as_request(request)
    parsed = parse(request.q)
    if _nothing_to_search(parsed, request):
        return set()
    return backend.current().matching_ids(_index_query(request, parsed))


def _hits(page, needles):
    """The page's hits (IndexHit) with their rows from the database, marked."""
    speeches = (
        # What a hit shows: no source (its raw bytes are large), sections for the anchor.
        Speech.objects.select_related("region", "speaker")
        .prefetch_related("topics", "sections")
        .public_in_bulk([found.speech_id for found in page])
    )
    hits = []
    for found in page:
        speech = speeches.get(found.speech_id)
        if speech is None:  # deleted or withdrawn since the index was written
            continue
        marked = excerpt(speech.body, list(speech.sections.all()), needles)
        hits.append(
            Hit(
                speech=speech,
                score=round(found.score, 4) if found.score is not None else None,
                title_html=highlight(speech.title, needles),
                snippet=marked.html,
                section=marked.section,
                tier=found.tier,
                matched=list(found.matched),
                missing=list(found.missing),
            )
        )
    return hits


# The index side (Whoosh) -----------------------------------------------------------
# What whoosh_backend.WhooshBackend answers: an IndexQuery evaluated over the index's
# posting blocks (evaluate.py) and facet columns (columns.py); _filtered, _listing and
# _facet_counts above belong to it too.


def _matched(docnum, parsed, listing, evaluator):
    """(the query's words or literals the document holds, the words it lacks)."""
    if listing.words is None:
        return [lit.text for lit in parsed.positive if evaluator.holders(lit.needle)[docnum]], []
    held = set(listing.matched(docnum))
    labels = listing.words.labels
    return [labels[i] for i in sorted(held)], [label for i, label in enumerate(labels) if i not in held]


def _units_held(listing):
    """Per unit of words, whether a listed document holds it (only asked when no
    document holds them all: _word_notes)."""
    if listing.words is None or any(tier == tiers.ALL_WORDS for tier, _docs in listing.tiers):
        return [True] * len(listing.unit_docs)
    listed = listing.docs
    return [bool((docs & listed).any()) for docs in listing.unit_docs]


def answer(searcher, query):
    """The IndexAnswer of an IndexQuery over a Whoosh searcher."""
    listing, docs, evaluator = _listing(searcher, query.parsed, query)
    found = IndexAnswer(
        tiers=[(tier, int(np.count_nonzero(docset))) for tier, docset in listing.tiers],
        needles=listing.needles,
        words=listing.words,
        units_held=_units_held(listing),
    )
    docset = listing.docs
    found.facets = _facet_counts(docs, docset, query.facet_regions)
    if query.first >= found.total:
        return found
    if query.sort == "relevance":
        scores = tiers.scores(listing, evaluator)
        ranked = tiers.ranked(listing, scores, query.limit)[query.first : query.limit]
        page = [(docnum, tier, float(scores[docnum])) for docnum, tier in ranked]
    else:
        ordered = tiers.in_date_order(listing, docs, query.sort, query.limit)[query.first : query.limit]
        page = [(docnum, tier, None) for docnum, tier in ordered]
    for docnum, tier, score in page:
        matched, missing = _matched(docnum, query.parsed, listing, evaluator)
        speech_id = int(searcher.stored_fields(docnum)["id"])
        found.hits.append(IndexHit(speech_id, tier, score, matched, missing))
    return found


def answer_ids(searcher, query):
    """The speech ids an IndexQuery lists over a Whoosh searcher, all tiers."""
    listing, _docs, _evaluator = _listing(searcher, query.parsed, query)
    return {int(searcher.stored_fields(docnum)["id"]) for docnum in np.flatnonzero(listing.docs).tolist()}
