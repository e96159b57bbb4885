"""The fixed query mix both engines answer: (group, search parameters).

Every query also asks for facets (region, topic, year) and the page's highlights.
{province} and {topic} are filled in at run time with the province and topic
holding the most speeches, so filters narrow to a real share of the corpus.
"""

QUERY_MIX = [
    ("words", {"q": "经济"}),
    ("words", {"q": "改革开放"}),
    ("words", {"q": "科技创新"}),
    ("words", {"q": "知识产权 保护"}),
    ("words", {"q": "农业 农村 农民"}),
    ("words", {"q": "生态环境"}),
    ("phrase", {"q": '"社会主义市场经济"'}),
    ("phrase", {"q": "“国内生产总值”"}),
    ("phrase", {"q": '"深化改革"'}),
    ("phrase", {"q": '"人民群众"'}),
    ("1-2 chars", {"q": "国"}),
    ("1-2 chars", {"q": "的"}),
    ("1-2 chars", {"q": "民"}),
    ("1-2 chars", {"q": "识产"}),
    ("1-2 chars", {"q": "民共"}),
    ("1-2 chars", {"q": "教育"}),
    ("filter", {"q": "经济", "region": "{province}"}),
    ("filter", {"q": "改革", "topic": "{topic}"}),
    ("filter", {"q": "人民", "year": "2000-2010"}),
    ("filter", {"q": "发展", "region": "{province}", "year": "2015-2024"}),
    ("sort by date", {"q": "改革", "sort": "newest"}),
    ("sort by date", {"q": "教育", "sort": "oldest"}),
    ("sort by date", {"q": "就业", "sort": "newest", "topic": "{topic}"}),
    ("page 5", {"q": "发展", "page": "5"}),
    ("page 5", {"q": "经济", "page": "5", "sort": "newest"}),
    ("page 5", {"q": "工作", "page": "5"}),
]


def resolved(mix, province, topic):
    """The mix with {province} and {topic} filled in."""
    out = []
    for group, params in mix:
        out.append((group, {k: v.format(province=province, topic=topic) for k, v in params.items()}))
    return out
