"""The OpenAPI 3.0 description of the JSON API, served at /api/schema/.

Written by hand next to the views it describes; tests check every documented path
answers as described (tests/api/test_api_schema.py)."""

NULLABLE_STRING = {"type": "string", "nullable": True}

REGION_REF = {
    "type": "object",
    "nullable": True,
    "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
    "required": ["code", "name"],
}
SPEAKER_REF = {
    "type": "object",
    "nullable": True,
    "description": "who delivered the speech, as its header, byline, delegation line or text names "
    "them (null where nothing names anyone); title as the speech gives it",
    "properties": {
        "name": {"type": "string"},
        "title": {"type": "string"},
        "url": {"type": "string", "description": "the person's page: speeches by them and citing them"},
    },
    "required": ["name", "title"],
}
TOPIC = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "slug": {"type": "string"}},
    "required": ["name", "slug"],
}
ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
SPEECH_SUMMARY = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "description": "stable public id, used in URLs"},
        "title": {"type": "string"},
        "url": {"type": "string", "description": "path of the speech page"},
        "date": {**NULLABLE_STRING, "format": "date"},
        "year": {"type": "integer", "nullable": True},
        "year_masked": {"type": "boolean", "description": "the text masks its year (20xx)"},
        "region": {"$ref": "#/components/schemas/RegionRef"},
        "speaker": {"$ref": "#/components/schemas/SpeakerRef"},
        "topics": {"type": "array", "items": {"$ref": "#/components/schemas/Topic"}},
    },
    "required": ["id", "title", "url", "date", "region", "speaker", "topics"],
}
SPEECH_DETAIL = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "text": {"type": "string"},
        "sections": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "number": {"type": "string", "description": "as written: 一、 / (一) / 1、"},
                    "heading": {"type": "string"},
                    "level": {"type": "integer"},
                    "anchor": {"type": "string", "description": "an id on the speech page"},
                },
                "required": ["number", "heading", "level", "anchor"],
            },
        },
        "region": {"$ref": "#/components/schemas/RegionRef"},
        "speaker": {"$ref": "#/components/schemas/SpeakerRef"},
        "topics": {"type": "array", "items": {"$ref": "#/components/schemas/Topic"}},
        "officials": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "title": {"type": "string"}},
                "required": ["name", "title"],
            },
        },
        "source": {
            "type": "object",
            "nullable": True,
            "properties": {
                "title": {"type": "string"},
                # The file's name only (the field kept its name): never a server path.
                "path": {"type": "string", "description": "the imported file's name, or the page's web address"},
                "published": {**NULLABLE_STRING, "format": "date-time"},
                "author": {"type": "string"},
            },
        },
        "date": {**NULLABLE_STRING, "format": "date"},
        "year": {"type": "integer", "nullable": True},
        "year_masked": {"type": "boolean"},
        "kind": {"type": "string", "enum": ["speech", "work_report", "news_summary", "resolution"]},
        "url": {"type": "string"},
    },
    "required": [
        "id", "title", "text", "sections", "region", "speaker", "topics", "officials", "source", "date", "url",
    ],
}
PAGE_FIELDS = {
    "count": {"type": "integer"},
    "next": NULLABLE_STRING,
    "previous": NULLABLE_STRING,
    "page": {"type": "integer"},
}
FACET_ITEM = {"type": "object", "properties": {"count": {"type": "integer"}}, "required": ["count"]}
TIERS = ["exact", "all_words", "some_words"]
SEARCH_RESULTS = {
    "type": "object",
    "description": (
        "When some speech holds the query as typed (every unquoted run and quoted phrase literally), "
        "the results are those speeches (tier exact). Otherwise each unquoted run is cut into words "
        "(interrogatives, particles and punctuation are never required; quoted phrases stay whole) and "
        "the results are the speeches holding all the words (tier all_words), then those holding some "
        "of them (tier some_words); notes then say which words were searched and which no result "
        "holds. total, facets and the format=csv/json download count every speech listed, all tiers."
    ),
    "properties": {
        "query": {"type": "string"},
        "total": {"type": "integer", "description": "speeches listed, all tiers together"},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "notes": {
            "type": "array",
            "items": {"type": "string"},
            "description": "how the query was read: words searched, words no result holds, ignored input",
        },
        "tiers": {
            "type": "array",
            "description": "the tiers listed, in order, with the number of speeches in each",
            "items": {
                "type": "object",
                "properties": {
                    "tier": {"type": "string", "enum": TIERS},
                    "label": {"type": "string"},
                    "count": {"type": "integer"},
                },
                "required": ["tier", "label", "count"],
            },
        },
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "title": {"type": "string"},
                    "url": {"type": "string"},
                    "section_anchor": NULLABLE_STRING,
                    "snippet": {"type": "string", "description": "HTML-escaped text with <mark> around matches"},
                    "date": {**NULLABLE_STRING, "format": "date"},
                    "year": {"type": "integer", "nullable": True},
                    "year_masked": {"type": "boolean"},
                    "region": {"$ref": "#/components/schemas/RegionRef"},
                    "speaker": {"$ref": "#/components/schemas/SpeakerRef"},
                    "topics": {"type": "array", "items": {"$ref": "#/components/schemas/Topic"}},
                    "score": {"type": "number", "nullable": True,
                              "description": "BM25F within the hit's tier; null when sorted by date"},
                    "tier": {"type": "string", "enum": TIERS},
                    "matched": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "the query's words (tier exact: its literals) the speech holds",
                    },
                },
                "required": [
                    "id", "title", "url", "section_anchor", "snippet", "date", "region", "speaker", "topics", "score",
                    "tier", "matched",
                ],
            },
        },
        "facets": {
            "type": "object",
            "properties": {
                name: {"type": "array", "items": FACET_ITEM}
                for name in ("region", "topic", "year", "official", "speaker")
            },
            "required": ["region", "topic", "year", "official", "speaker"],
        },
    },
    "required": ["query", "total", "page", "per_page", "notes", "tiers", "results", "facets"],
}
REGION_NODE = {
    "type": "object",
    "properties": {
        "code": {"type": "string"},
        "name": {"type": "string"},
        "level": {"type": "string"},
        "count": {"type": "integer"},
        "url": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#/components/schemas/RegionNode"}},
    },
    "required": ["code", "name", "level", "count", "children"],
}

TOPIC_COUNT = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "slug": {"type": "string"},
        "count": {"type": "integer"},
        "url": {"type": "string"},
    },
    "required": ["name", "slug", "count"],
}
OFFICIAL_COUNT = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "title": {"type": "string"},
        "organisation": {"type": "string"},
        "count": {"type": "integer"},
        "url": {"type": "string"},
    },
    "required": ["id", "name", "title", "count"],
}
TREND_YEAR = {
    "type": "object",
    "properties": {
        "year": {"type": "integer"},
        "occurrences": {"type": "integer", "description": "non-overlapping occurrences in the texts"},
        "speeches": {"type": "integer", "description": "speeches of the year holding the term"},
        "per_10k_chars": {"type": "number", "description": "occurrences per 10,000 characters of the year's texts"},
        "speeches_in_year": {"type": "integer"},
        "share": {"type": "number", "description": "speeches / speeches_in_year"},
    },
    "required": ["year", "occurrences", "speeches", "per_10k_chars"],
}
TRENDS = {
    "type": "object",
    "properties": {
        "terms": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "term": {"type": "string"},
                    "occurrences": {"type": "integer"},
                    "speeches": {"type": "integer"},
                    "years": {"type": "array", "items": {"$ref": "#/components/schemas/TrendYear"}},
                    "places": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "code": {"type": "string", "description": "province code, or 000000 for national speeches"},
                                "name": {"type": "string"},
                                "occurrences": {"type": "integer"},
                                "speeches": {"type": "integer"},
                            },
                            "required": ["code", "name", "occurrences", "speeches"],
                        },
                    },
                },
                "required": ["term", "years"],
            },
        },
        "speeches": {"type": "integer", "description": "speeches the filters leave"},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["terms"],
}
REUSE = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "passages": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "start": {"type": "integer", "description": "offset of the passage in the speech's text"},
                    "end": {"type": "integer"},
                    "text": {"type": "string"},
                    "also_in": {
                        "type": "array",
                        "description": "the other speeches holding it, earliest first",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string"},
                                "title": {"type": "string"},
                                "url": {"type": "string"},
                                "date": {**NULLABLE_STRING, "format": "date"},
                                "start": {"type": "integer", "description": "offset in that speech's text"},
                                "end": {"type": "integer"},
                            },
                            "required": ["id", "title", "url", "date", "start", "end"],
                        },
                    },
                },
                "required": ["start", "end", "text", "also_in"],
            },
        },
    },
    "required": ["passages"],
}


# Any text but NUL (%00), which is refused with 400 before any view (speeches/request_guard.py).
TEXT = {"type": "string", "pattern": "^[^\\x00]*$"}


def _param(name, description, schema=None, required=False):
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or TEXT,
    }


def _json_response(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _page_response(description, item_schema):
    return _json_response(
        description,
        {
            "type": "object",
            "properties": {**PAGE_FIELDS, "results": {"type": "array", "items": item_schema}},
            "required": ["count", "results"],
        },
    )


def _list_response(description, item_schema):
    return _json_response(
        description,
        {
            "type": "object",
            "properties": {"results": {"type": "array", "items": item_schema}},
            "required": ["results"],
        },
    )


ERROR_RESPONSES = {
    "400": _json_response("bad parameter", {"$ref": "#/components/schemas/Error"}),
    "404": _json_response("no such page or record", {"$ref": "#/components/schemas/Error"}),
    "429": _json_response("too many requests from this client; see Retry-After", {"$ref": "#/components/schemas/Error"}),
}
PAGE_PARAM = _param("page", "page number, from 1 (404 past the last page)", {"type": "integer", "minimum": 1})
FILTER_PARAMS = [
    _param("region", "GB/T 2260 region code; includes its sub-regions (404 if unknown)"),
    _param("topic", "topic slug (404 if unknown)"),
    _param("year", "a year (2008), or 'unknown' for unknown or masked years",
           {"type": "string", "pattern": r"^([1-9][0-9]{0,3}|unknown)?$"}),
    _param("speaker", "id of the person who delivered the speech (404 if unknown)",
           {"type": "string", "pattern": "^[0-9]{0,18}$"}),
]


def openapi_document(server_url):
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "领导讲话档案 API",
            "version": "1.0",
            "description": "Published speeches, their outlines, regions, speakers, topics and cited officials; "
            "full-text Chinese search with facets. JSON, UTF-8. Anonymous clients are rate limited.",
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": {
            "/api/speeches/": {
                "get": {
                    "summary": "Published speeches, newest first",
                    "parameters": [PAGE_PARAM, *FILTER_PARAMS],
                    "responses": {
                        "200": _page_response(
                            "a page of speeches (20 a page)", {"$ref": "#/components/schemas/SpeechSummary"}
                        ),
                        **ERROR_RESPONSES,
                    },
                }
            },
            "/api/speeches/{id}/": {
                "get": {
                    "summary": "One published speech with its text and outline",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": TEXT}
                    ],
                    "responses": {
                        "200": _json_response("the speech", {"$ref": "#/components/schemas/SpeechDetail"}),
                        "301": {"description": "a merged duplicate: redirects to the speech kept"},
                        **ERROR_RESPONSES,
                    },
                }
            },
            "/api/speeches/{id}/reuse/": {
                "get": {
                    "summary": "Passages of a speech that other speeches share, near-identical (50+ characters)",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": TEXT}
                    ],
                    "responses": {
                        "200": _json_response("the passages, in the order of the text", {"$ref": "#/components/schemas/Reuse"}),
                        "301": {"description": "a merged duplicate: redirects to the speech kept"},
                        **ERROR_RESPONSES,
                    },
                }
            },
            "/api/search/": {
                "get": {
                    "summary": "Full-text search (words, \"phrases\", -exclude, OR, questions) with facets",
                    "parameters": [
                        # Control characters, NUL included, separate words like spaces.
                        _param("q", "the query; any text of one character or more is found literally; "
                               "text no speech holds as typed (a question, several words) is searched by its "
                               "words, in tiers (see SearchResults)", {"type": "string"}),
                        *FILTER_PARAMS[:2],
                        _param("official", "official id: speeches citing or delivered by the person"),
                        _param("speaker", "official id: speeches delivered by the person"),
                        _param("year", "a year (2008) or a range (2000-2010)"),
                        _param("kind", "speech, work_report, news_summary or resolution"),
                        _param("sort", "relevance (default), newest or oldest; anything else is relevance"),
                        _param("format", "csv or json: every speech listed, all tiers (with its text), as a "
                               "streamed download instead of a page of hits"),
                        _param("page", "page number; anything not a number from 1 reads as 1"),
                    ],
                    "responses": {
                        "200": {
                            "description": "a page of hits with facets; with format=csv or format=json, "
                            "all matching speeches as a download",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/SearchResults"}},
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        **ERROR_RESPONSES,
                    },
                }
            },
            "/api/trends/": {
                "get": {
                    "summary": "Occurrences of terms per year (and province) in the texts, with the search's filters",
                    "parameters": [
                        {"name": "q", "in": "query", "required": False, "style": "form", "explode": True,
                         "description": "a term; repeat for up to 6 (folded as search folds: traditional or "
                         "simplified, whitespace ignored); without one, no terms and a note",
                         "schema": {"type": "array", "items": TEXT}},
                        *FILTER_PARAMS[:2],
                        _param("official", "official id"),
                        _param("year", "a year (2008) or a range (2000-2010)"),
                        _param("kind", "speech, work_report, news_summary or resolution"),
                        _param("format", "json (default) or csv", {"type": "string", "enum": ["json", "csv"]}),
                    ],
                    "responses": {
                        "200": {
                            "description": "per term, a row per year of the filtered archive",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Trends"}},
                                "text/csv": {"schema": {"type": "string"}},
                            },
                        },
                        **ERROR_RESPONSES,
                    },
                }
            },
            "/api/regions/": {
                "get": {
                    "summary": "Regions holding speeches as a tree, counts include sub-regions",
                    "responses": {
                        "200": _list_response("the tree", {"$ref": "#/components/schemas/RegionNode"}),
                        "429": ERROR_RESPONSES["429"],
                    },
                }
            },
            "/api/topics/": {
                "get": {
                    "summary": "Topics with the number of published speeches",
                    "responses": {
                        "200": _list_response("topics", {"$ref": "#/components/schemas/TopicCount"}),
                        "429": ERROR_RESPONSES["429"],
                    },
                }
            },
            "/api/officials/": {
                "get": {
                    "summary": "Officials cited by published speeches, most cited first",
                    "parameters": [PAGE_PARAM],
                    "responses": {
                        "200": _page_response(
                            "a page of officials (100 a page)", {"$ref": "#/components/schemas/OfficialCount"}
                        ),
                        **ERROR_RESPONSES,
                    },
                }
            },
            "/api/schema/": {
                "get": {
                    "summary": "This description",
                    "responses": {"200": _json_response("OpenAPI 3.0 document", {"type": "object"})},
                }
            },
        },
        "components": {
            "schemas": {
                "Error": ERROR,
                "RegionRef": REGION_REF,
                "SpeakerRef": SPEAKER_REF,
                "Topic": TOPIC,
                "SpeechSummary": SPEECH_SUMMARY,
                "SpeechDetail": SPEECH_DETAIL,
                "SearchResults": SEARCH_RESULTS,
                "RegionNode": REGION_NODE,
                "TopicCount": TOPIC_COUNT,
                "OfficialCount": OFFICIAL_COUNT,
                "TrendYear": TREND_YEAR,
                "Trends": TRENDS,
                "Reuse": REUSE,
            }
        },
    }
