"""Running a search: request → Whoosh queries → hits, facets, snippets."""

import re
from dataclasses import dataclass, field

from django.db.models import F, Q
from whoosh import query as wq

from speeches.models import Official, Region, Speech, Topic
from speeches.search import columns, store
from speeches.search.dictionary import cut_words
from speeches.search.evaluate import CHAR_MATCH_WEIGHT, Evaluator, top
from speeches.search.highlight import excerpt, highlight
from speeches.search.query import parse

PER_PAGE = 10
MAX_PAGE = 1000
SORTS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
# Facet lists longer than this show their largest entries only.
FACET_LIMIT = 50
_YEAR = re.compile(r"^\s*(\d{4})\s*(?:[-–—~～至到]\s*(\d{4})\s*)?$")


@dataclass
class SearchRequest:
    """The search form, validated: invalid values are dropped with a note."""

    q: str = ""
    region: str = ""
    topic: str = ""
    official: str = ""
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
        official = get("official")
        # ASCII digits only: int() refuses "²", and an id has at most 18 digits.
        if official and not (official.isascii() and official.isdigit() and len(official) <= 18):
            notes.append(f"人物编号“{official[:20]}”无效,已忽略。")
        else:
            request.official = official
        year = get("year")
        if year and not _YEAR.match(year):
            notes.append(f"年份“{year[:20]}”无法识别(可写 2008 或 2000-2010),已忽略。")
        else:
            request.year = year
        kind = get("kind")
        if kind and kind not in dict(Speech.KINDS):
            notes.append(f"文稿类型“{kind[:20]}”无效,已忽略。")
        else:
            request.kind = kind
        sort = get("sort") or "relevance"
        if sort not in SORTS:
            notes.append(f"排序方式“{sort[:20]}”无效,已按相关度排序。")
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
        return any((self.region, self.topic, self.official, self.year, self.kind))


@dataclass
class Hit:
    speech: Speech
    score: float  # None when sorted by date
    title_html: str
    snippet: str
    section: object  # Section or None

    @property
    def section_anchor(self):
        return self.section.anchor if self.section is not None else None

    @property
    def url(self):
        """The speech page, at the matching section when there is one."""
        url = self.speech.get_absolute_url()
        return f"{url}#{self.section_anchor}" if self.section is not None else url

    def as_dict(self):
        speech = self.speech
        return {
            "id": speech.uid,
            "title": speech.title,
            "url": speech.get_absolute_url(),
            "section_anchor": self.section_anchor,
            "snippet": str(self.snippet),
            "date": speech.date.isoformat() if speech.date else None,
            "year": speech.known_year,
            "region": {"code": speech.region.code, "name": speech.region.name} if speech.region else None,
            "topics": [{"slug": t.slug, "name": t.name} for t in speech.topics.all()],
            "score": self.score,
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
    facets: dict = field(default_factory=lambda: {"region": [], "topic": [], "year": [], "official": []})
    filters: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    per_page: int = PER_PAGE

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
            "results": [hit.as_dict() for hit in self.hits],
            "facets": self.facets,
        }


# The query in Whoosh's terms ------------------------------------------------------
#
# What a search means, written as Whoosh queries: evaluate.py runs the same thing
# over posting blocks (much faster), and the tests check the two agree
# (tests/test_bench_search_equivalence.py).


def _char_query(fieldname, needle):
    if len(needle) <= 2:
        return wq.Term(fieldname, needle)
    return wq.Phrase(fieldname, [needle[i : i + 2] for i in range(len(needle) - 1)])


def literal_query(needle):
    """Documents whose title or text contains needle (matchable form) literally."""
    return wq.Or(
        [_char_query("title_chars", needle), _char_query("body_chars", needle)],
        boost=CHAR_MATCH_WEIGHT,
    )


def _ranking_query(parsed):
    words = []
    for literal in parsed.positive:
        words.extend(w for w in cut_words(literal.text) if w not in words)
    terms = [
        wq.Term(fieldname, word)
        for word in words
        for fieldname in ("title_words", "headings_words", "body_words")
    ]
    return wq.Or(terms) if terms else None


def _match_query(parsed):
    required = wq.And(
        [wq.Or([literal_query(lit.needle) for lit in clause]) for clause in parsed.clauses]
    )
    if parsed.excluded:
        required = wq.AndNot(required, wq.Or([literal_query(lit.needle) for lit in parsed.excluded]))
    return required


def _filter_query(request):
    terms = [wq.Term("status", Speech.PUBLISHED)]
    if request.region:
        terms.append(wq.Term("region", request.region))
    if request.topic:
        terms.append(wq.Term("topic", request.topic))
    if request.official:
        terms.append(wq.Term("official", request.official))
    if request.year_range:
        first, last = request.year_range
        terms.append(wq.Term("year", first) if first == last else wq.TermRange("year", first, last))
    if request.kind:
        terms.append(wq.Term("kind", request.kind))
    return wq.And(terms)


# Facets ------------------------------------------------------------------------


def _facets(docs, docset, request, region):
    """Counts of the matching documents per region, topic, year and official, from
    the reader's facet postings in memory (columns.py)."""
    docbits = docs.bitset(docset)
    # Regions: the top level (provinces, the country) or the level below the filter.
    if region is not None:
        candidates = Region.objects.filter(parent=region)
    else:
        candidates = Region.objects.filter(parent__isnull=True)
    regions = []
    for code, name in candidates.values_list("code", "name"):
        count = docs.count("region", code, docset, docbits)
        if count:
            regions.append({"code": code, "name": name, "count": count})
    regions.sort(key=lambda r: (-r["count"], r["code"]))

    topic_counts = docs.counts("topic", docset, docbits)
    names = dict(Topic.objects.filter(slug__in=list(topic_counts)).values_list("slug", "name"))
    topics = sorted(
        ({"slug": slug, "name": names[slug], "count": n} for slug, n in topic_counts.items() if slug in names),
        key=lambda t: (-t["count"], t["name"]),
    )[:FACET_LIMIT]

    official_counts = docs.counts("official", docset, docbits)
    top = sorted(official_counts.items(), key=lambda item: (-item[1], int(item[0])))[: FACET_LIMIT * 2]
    shown = Official.objects.public().filter(pk__in=[int(k) for k, _ in top])
    names = {str(pk): str(o) for pk, o in ((o.pk, o) for o in shown)}
    officials = [
        {"id": int(pk), "name": names[pk], "count": n} for pk, n in top if pk in names
    ][:FACET_LIMIT]

    years = sorted(
        ({"year": int(y), "count": n} for y, n in docs.counts("year", docset, docbits).items()),
        key=lambda y: -y["year"],
    )
    return {"region": regions, "topic": topics, "year": years, "official": officials}


# The search ----------------------------------------------------------------------


def _active_filters(request, results):
    region = None
    if request.region:
        region = Region.objects.filter(code=request.region).first()
        if region is None:
            results.notes.append(f"没有代码为“{request.region}”的地区。")
        results.filters.append(ActiveFilter("region", request.region, f"地区:{region.name if region else request.region}"))
    if request.topic:
        topic = Topic.objects.filter(slug=request.topic).first()
        if topic is None:
            results.notes.append(f"没有标识为“{request.topic}”的主题。")
        results.filters.append(ActiveFilter("topic", request.topic, f"主题:{topic.name if topic else request.topic}"))
    if request.official:
        official = Official.objects.public().filter(pk=int(request.official)).first()
        if official is None:
            results.notes.append(f"没有编号为 {request.official} 的人物。")
        results.filters.append(ActiveFilter("official", request.official, f"人物:{official.name if official else request.official}"))
    if request.year_range:
        first, last = request.year_range
        label = f"年份:{first}" if first == last else f"年份:{first}–{last}"
        results.filters.append(ActiveFilter("year", request.year, label))
    if request.kind:
        results.filters.append(ActiveFilter("kind", request.kind, f"类型:{dict(Speech.KINDS)[request.kind]}"))
    return region


def _as_request(request):
    return request if isinstance(request, SearchRequest) else SearchRequest.from_params(request)


def _nothing_to_search(parsed, request):
    # Operators alone (explained by parse's notes) or a blank box without filters;
    # filters alone list their speeches.
    return parsed.is_empty and (parsed.typed or not request.has_filters)


def whoosh_form(parsed, request):
    """(match, ranking or None, filter): the search as Whoosh queries. Whoosh's own
    answer is set(docs_for_query(And([match, filter]))) for the documents found and
    search(AndMaybe(match, ranking), filter=those) for their order."""
    match = _match_query(parsed) if not parsed.is_empty else wq.Every()
    return match, (_ranking_query(parsed) if not parsed.is_empty else None), _filter_query(request)


def _filtered(docs, docset, request):
    """docset without unpublished documents and those the request's filters leave out."""
    docset -= docs.unpublished()
    if request.region:
        docset &= docs.docs_with("region", request.region)
    if request.topic:
        docset &= docs.docs_with("topic", request.topic)
    if request.official:
        docset &= docs.docs_with("official", request.official)
    if request.year_range:
        first, last = request.year_range
        in_range = set()
        for year in docs.terms["year"]:
            if first <= year <= last:
                in_range |= docs.docs_with("year", year)
        docset &= in_range
    if request.kind:
        docset &= docs.docs_with("kind", request.kind)
    return docset


def _matching_docnums(searcher, parsed, request, scored=False):
    """(the set of matching published document numbers, their scores or None, columns)."""
    docs = columns.for_reader(searcher.reader())
    evaluator = Evaluator(searcher, docs)
    if parsed.is_empty:
        docset, scores = evaluator.live_docs(), None
    else:
        found = evaluator.match(parsed, scored)
        docset, scores = found.docs, found.scores
    docset = _filtered(docs, docset, request)
    if scored and scores is not None:
        evaluator.add_ranking(parsed, docset, scores)
    return docset, scores, docs


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

    searcher = store.searcher()
    results.searched = True
    if searcher is None:
        return results
    sort = request.sort
    if parsed.is_empty and sort == "relevance":
        sort = "newest"  # nothing to rank by
    first = (request.page - 1) * PER_PAGE
    limit = first + PER_PAGE
    docset, scores, docs = _matching_docnums(searcher, parsed, request, scored=sort == "relevance")
    results.total = len(docset)
    results.facets = _facets(docs, docset, request, region)
    if first >= results.total:
        return results
    if sort == "relevance":
        page = [(docnum, scores[docnum]) for docnum in top(scores, docset, limit)[first:limit]]
    else:
        page = [(docnum, None) for docnum in docs.first_in_order(sort, docset, limit)[first:limit]]
    results.hits = _hits(searcher, page, parsed, scored=sort == "relevance")
    return results


def matching_ids(request):
    """The ids of every published speech the search finds (no ranking, no page)."""
    request = _as_request(request)
    parsed = parse(request.q)
    searcher = store.searcher()
    if searcher is None or _nothing_to_search(parsed, request):
        return set()
    docnums, _scores, _docs = _matching_docnums(searcher, parsed, request)
    return {int(searcher.stored_fields(docnum)["id"]) for docnum in docnums}


def _hits(searcher, page, parsed, scored):
    ids = [int(searcher.stored_fields(docnum)["id"]) for docnum, _ in page]
    speeches = (
        Speech.objects.published()
        .filter(Q(merged_into=None) | Q(merged_into=F("pk")))
        # What a hit shows: no source (its raw bytes are large), sections for the anchor.
        .select_related("region")
        .prefetch_related("topics", "sections")
        .in_bulk(ids)
    )
    needles = [literal.needle for literal in parsed.positive]
    hits = []
    for (_docnum, score), speech_id in zip(page, ids, strict=True):
        speech = speeches.get(speech_id)
        if speech is None:  # deleted or withdrawn since the index was written
            continue
        found = excerpt(speech.body, list(speech.sections.all()), needles)
        hits.append(
            Hit(
                speech=speech,
                score=round(score, 4) if scored and score is not None else None,
                title_html=highlight(speech.title, needles),
                snippet=found.html,
                section=found.section,
            )
        )
    return hits
