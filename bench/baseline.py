"""The common setup the project is measured against: Whoosh with jieba's
ChineseAnalyzer, the body stored, results highlighted by whoosh.highlight's
default highlighter, facets from Whoosh's grouping.

It reads the same JSON-lines files the project imports and indexes each row as
it comes (file to searchable in one step). It has no extraction: region, topic
and year come from the generator's own columns (region_path, topic, delivered).
It lives in bench/ only; nothing in the archive uses it.
"""

import json
import logging

from whoosh import index, sorting
from whoosh import query as wq
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.qparser import MultifieldParser

PER_PAGE = 10
FACETS = ("region", "topic", "year")


def _jieba(cache_dir):
    import jieba

    # jieba writes its dictionary cache to /tmp unless told otherwise.
    jieba.dt.tmp_dir = str(cache_dir)
    jieba.setLogLevel(logging.WARNING)
    return jieba


def schema():
    from jieba.analyse import ChineseAnalyzer

    analyzer = ChineseAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True),
        body=TEXT(analyzer=analyzer, stored=True),
        region=KEYWORD(),
        topic=KEYWORD(),
        year=ID(),
        date=NUMERIC(int, bits=32, sortable=True),
    )


class Baseline:
    def __init__(self, directory, cache_dir, group=None):
        _jieba(cache_dir)
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        # How the parser joins the words of a query: Whoosh's default (AND), or
        # whoosh.qparser.OrGroup as the usual question-answering setup does.
        self.group = group
        self.ix = None
        self.searcher = None

    def index_files(self, paths):
        """Index every row of the JSON-lines files; returns the number of documents."""
        self.ix = index.create_in(str(self.directory), schema())
        writer = self.ix.writer(limitmb=256)
        count = 0
        for path in paths:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        continue
                    row = json.loads(line)
                    delivered = row.get("delivered") or ""
                    writer.add_document(
                        id=row["link"],
                        title=row["headline"],
                        body=row["content"],
                        region=" ".join(row.get("region_path") or []),
                        topic=row.get("topic") or "",
                        year=delivered[:4] or None,
                        date=int(delivered.replace("-", "")) if delivered else 0,
                    )
                    count += 1
        writer.commit()
        self.searcher = self.ix.searcher()
        return count

    def _query(self, params):
        if self.group is None:
            parser = MultifieldParser(["title", "body"], self.ix.schema)
        else:
            parser = MultifieldParser(["title", "body"], self.ix.schema, group=self.group)
        return parser.parse(params.get("q", ""))

    def _filter(self, params):
        terms = []
        if params.get("region"):
            terms.append(wq.Term("region", params["region"]))
        if params.get("topic"):
            terms.append(wq.Term("topic", params["topic"]))
        if params.get("year"):
            first, _, last = params["year"].partition("-")
            terms.append(wq.TermRange("year", first, last or first))
        return wq.And(terms) if terms else None

    def search(self, params):
        """(results page, facets) without highlights: what a search costs before highlighting."""
        page = max(1, int(params.get("page") or 1))
        sort = params.get("sort")
        sortedby = None
        if sort in ("newest", "oldest"):
            sortedby = sorting.FieldFacet("date", reverse=sort == "newest")
        groups = {
            name: sorting.FieldFacet(name, allow_overlap=name in ("region", "topic"), maptype=sorting.Count)
            for name in FACETS
        }
        results = self.searcher.search_page(
            self._query(params), page, pagelen=PER_PAGE, filter=self._filter(params),
            sortedby=sortedby, groupedby=groups,
        )
        facets = {name: results.results.groups(name) for name in FACETS}
        return results, facets

    @staticmethod
    def highlights(results):
        """whoosh.highlight's default Highlighter (context fragments, HTML formatter,
        the stored text re-analyzed) on the page's hits: title and body excerpt each."""
        return [(hit.highlights("title"), hit.highlights("body")) for hit in results]

    def search_with_highlights(self, params):
        results, facets = self.search(params)
        return results.total, self.highlights(results), facets

    def close(self):
        if self.searcher is not None:
            self.searcher.close()
