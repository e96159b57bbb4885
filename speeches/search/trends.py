"""Term trends: how often phrases occur per year and per province, counted from the index.

    term_trends(terms, request) -> Trends
    body_occurrences(reader, needle) -> {document number: occurrences}

A term is looked up as search looks up a literal: folded and without whitespace
(text.matchable), so 改革開放 counts 改革开放 and a phrase broken by a stray line break
still counts. Only the text of a speech counts, not its title. Occurrences are read from
the body_chars postings (schema.py: every character and adjacent pair of the folded
text at its position): a term of n >= 3 characters starts wherever its pairs sit at
consecutive positions. Occurrences do not overlap, as str.count counts them in
matchable(body): 哈哈 occurs once in 哈哈哈. Characters per year come from the
body_length column written with each document, so no text is read per request.
"""

from dataclasses import dataclass, field

from speeches.search import columns, store
from speeches.search.engine import SearchRequest, _filtered
from speeches.search.evaluate import Evaluator, read_postings
from speeches.search.query import CLOSE_QUOTES, OPEN_QUOTES
from speeches.search.text import matchable

FIELD = "body_chars"
LENGTH_COLUMN = "body_length"
# Terms compared at once (a chart of more lines is unreadable) and characters per term.
MAX_TERMS = 6
MAX_TERM_CHARS = 50
NATIONAL_CODE = "000000"
PROVINCE_CODE_LENGTH = 2


@dataclass
class YearCount:
    year: int
    occurrences: int
    speeches: int  # speeches of the year holding the term
    speeches_in_year: int  # speeches of the year the filters leave
    chars_in_year: int

    @property
    def per_10k_chars(self):
        return self.occurrences * 10000 / self.chars_in_year if self.chars_in_year else 0.0

    @property
    def share(self):
        """The share of the year's speeches holding the term (0 to 1)."""
        return self.speeches / self.speeches_in_year if self.speeches_in_year else 0.0


@dataclass
class PlaceCount:
    code: str
    occurrences: int = 0
    speeches: int = 0


@dataclass
class TermTrend:
    term: str  # as typed
    needle: str  # as matched
    years: list = field(default_factory=list)  # YearCount for every year of the filtered archive
    occurrences: int = 0
    speeches: int = 0
    undated_occurrences: int = 0  # in speeches whose year is unknown (not on the chart)
    undated_speeches: int = 0
    places: dict = field(default_factory=dict)  # province code (or NATIONAL_CODE) -> PlaceCount


@dataclass
class Trends:
    terms: list = field(default_factory=list)
    years: list = field(default_factory=list)  # the years with speeches, ascending
    speeches: int = 0  # speeches the filters leave
    undated_speeches: int = 0
    notes: list = field(default_factory=list)
    searched: bool = False  # False before the first index build or without terms


def read_terms(values):
    """(terms, notes): the typed terms without quotes or duplicates, at most MAX_TERMS of
    them and MAX_TERM_CHARS characters each; blank ones are dropped."""
    terms, needles, notes = [], set(), []
    for value in values:
        text = str(value).strip().strip(OPEN_QUOTES + CLOSE_QUOTES).strip()
        if len(text) > MAX_TERM_CHARS:
            notes.append(f"“{text[:10]}…”太长，只用了前 {MAX_TERM_CHARS} 个字。")
            text = text[:MAX_TERM_CHARS]
        needle = matchable(text)
        if not needle or needle in needles:
            continue
        if len(terms) == MAX_TERMS:
            notes.append(f"一次最多比较 {MAX_TERMS} 个词语，其余的没有统计。")
            break
        needles.add(needle)
        terms.append(text)
    return terms, notes


def _starts(reader, needle):
    """{document number: positions where needle starts in matchable(body)}."""
    decode = reader.schema[FIELD].format.decode_positions
    if len(needle) <= 2:
        postings = read_postings(reader, FIELD, needle, positions=True)
        return {docnum: decode(value) for docnum, value in zip(postings.ids, postings.values, strict=True)}
    pairs = [needle[i : i + 2] for i in range(len(needle) - 1)]
    # Pairs at offsets 0, 2, 4, … and the last spell the whole needle.
    cover = sorted({*range(0, len(pairs), 2), len(pairs) - 1})
    where = {}
    for i in cover:
        if pairs[i] not in where:
            postings = read_postings(reader, FIELD, pairs[i], positions=True)
            where[pairs[i]] = dict(zip(postings.ids, postings.values, strict=True))
    candidates = set.intersection(*(set(found) for found in where.values()))
    found = {}
    for docnum in candidates:
        starts = set(decode(where[pairs[cover[0]]][docnum]))
        for i in cover[1:]:
            starts.intersection_update(p - i for p in decode(where[pairs[i]][docnum]))
            if not starts:
                break
        if starts:
            found[docnum] = sorted(starts)
    return found


def _without_overlaps(starts, width):
    count, free_from = 0, 0
    for start in starts:
        if start >= free_from:
            count += 1
            free_from = start + width
    return count


def body_occurrences(reader, needle):
    """{document number: non-overlapping occurrences of needle (matchable) in the text},
    deleted documents left out; documents without it are absent."""
    return {
        docnum: _without_overlaps(starts, len(needle))
        for docnum, starts in _starts(reader, needle).items()
    }


def _body_lengths(reader):
    """{document number: characters of its text as matching counts them}."""
    lengths = {}
    for leaf, offset in reader.leaf_readers():
        if not leaf.doc_count_all():
            continue
        column = leaf.column_reader(LENGTH_COLUMN)
        for docnum in range(leaf.doc_count_all()):
            lengths[docnum + offset] = column[docnum]
    return lengths


def _year_of(docs, docset):
    years = {}
    for year, _held in docs.terms["year"].items():
        for docnum in docs.docs_with("year", year) & docset:
            years[docnum] = int(year)
    return years


def _places(docs, counts):
    """{province code or NATIONAL_CODE: PlaceCount} of the documents in counts."""
    places = {}
    for code in docs.terms["region"]:
        if len(code) != PROVINCE_CODE_LENGTH and code != NATIONAL_CODE:
            continue
        held = docs.docs_with("region", code)
        place = PlaceCount(code)
        for docnum, n in counts.items():
            if docnum in held:
                place.occurrences += n
                place.speeches += 1
        if place.speeches:
            places[code] = place
    return places


def term_trends(terms, request):
    """Trends of the terms (as typed) over the published speeches that `request` (a
    SearchRequest or a dict of search parameters; its q is ignored) leaves."""
    if not isinstance(request, SearchRequest):
        request = SearchRequest.from_params(request)
    terms, notes = read_terms(terms)
    trends = Trends(notes=list(request.notes) + notes)
    searcher = store.searcher()
    if searcher is None:
        return trends
    reader = searcher.reader()
    docs = columns.for_reader(reader)
    docset = _filtered(docs, Evaluator(searcher, docs).live_docs(), request)
    year_of = _year_of(docs, docset)
    lengths = _body_lengths(reader)
    speeches_in, chars_in = {}, {}
    for docnum, year in year_of.items():
        speeches_in[year] = speeches_in.get(year, 0) + 1
        chars_in[year] = chars_in.get(year, 0) + lengths.get(docnum, 0)
    trends.years = sorted(speeches_in)
    trends.speeches = len(docset)
    trends.undated_speeches = len(docset) - len(year_of)
    trends.searched = bool(terms)
    for term in terms:
        needle = matchable(term)
        counts = {d: n for d, n in body_occurrences(reader, needle).items() if d in docset}
        trend = TermTrend(term=term, needle=needle, occurrences=sum(counts.values()), speeches=len(counts))
        by_year = {year: [0, 0] for year in trends.years}
        for docnum, n in counts.items():
            year = year_of.get(docnum)
            if year is None:
                trend.undated_occurrences += n
                trend.undated_speeches += 1
            else:
                by_year[year][0] += n
                by_year[year][1] += 1
        trend.years = [
            YearCount(year, occurrences, speeches, speeches_in[year], chars_in[year])
            for year, (occurrences, speeches) in sorted(by_year.items())
        ]
        trend.places = _places(docs, counts)
        trends.terms.append(trend)
    return trends
