"""The officials finder measured against CLUENER-style gold: precision of the names it
reports, recall of the public-office name+position pairs, agreement of titles."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from speeches.evaluation.ner import (
    PRECISION_TARGET,
    RECALL_TARGET,
    TITLE_TARGET,
    evaluate_cluener,
    evaluate_cluener_file,
    gold_pairs,
    read_cluener,
    title_agrees,
)
from speeches.extract.officials import Mention
from tests.conftest import shared_path


def labelled(text, **kinds):
    """A CLUENER item: kind=[surface, …] becomes {kind: {surface: [[start, end]]}} (inclusive
    ends, first occurrence of each surface)."""
    label = {}
    for kind, surfaces in kinds.items():
        for surface in surfaces:
            start = text.index(surface)
            label.setdefault(kind, {})[surface] = [[start, start + len(surface) - 1]]
    return {"text": text, "label": label}


ITEMS = [
    labelled("市交通运输局局长李国华表示,新线路年内开通。", government=["市交通运输局"], position=["局长"], name=["李国华"]),
    labelled("华丰公司总经理王立平认为,市场仍有空间。", company=["华丰公司"], position=["总经理"], name=["王立平"]),
    labelled("本报记者赵晓明报道。", position=["记者"], name=["赵晓明"]),
    labelled("县政府副县长孙建军主持会议。", government=["县政府"], position=["副县长"], name=["孙建军"]),
]


def write_pretty(path, items):
    """Pretty-printed objects one after another, as the CLUENER files are."""
    path.write_text("\n".join(json.dumps(item, ensure_ascii=False, indent=2) for item in items) + "\n", encoding="utf-8")
    return path


def mention(text, name, title="", surname_only=False):
    offset = text.index(name)
    return Mention(name + title, name, title, "", offset, text, 0.9, surname_only, surname_only=surname_only)


def test_a_cluener_file_of_pretty_printed_objects_is_read_with_exclusive_ends(tmp_path):
    sentences = read_cluener(write_pretty(tmp_path / "dev.json", ITEMS))
    assert len(sentences) == 4
    first = sentences[0]
    (name,) = first.of_kind("name")
    assert first.text[name.start : name.end] == "李国华" == name.text


def test_a_file_that_is_not_cluener_gives_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"text": "一句话", "label": {}}\n{"label": {}}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 条"):
        read_cluener(bad)


def test_the_title_list_decides_which_pairs_are_public_offices(tmp_path):
    sentences = read_cluener(write_pretty(tmp_path / "dev.json", ITEMS))
    public = {p.name.text: p.public for i, s in enumerate(sentences) for p in gold_pairs(s, i)}
    assert public == {"李国华": True, "王立平": False, "赵晓明": False, "孙建军": True}


def test_precision_counts_exact_names_and_leaves_surname_mentions_apart(tmp_path):
    sentences = read_cluener(write_pretty(tmp_path / "dev.json", ITEMS))

    def finder(text):
        if text.startswith("市交通"):
            return [mention(text, "李国华", "市交通运输局局长")]
        if text.startswith("华丰"):
            return [mention(text, "王立", "华丰公司总经理")]  # cut short: wrong
        if text.startswith("县政府"):
            return [mention(text, "孙", "副县长", surname_only=True)]
        return []

    report = evaluate_cluener(sentences, finder)
    assert (report.precision.correct, report.precision.total) == (1, 2)
    assert report.surname_only == ["孙副县长"]
    assert (report.recall.correct, report.recall.total) == (1, 2)
    assert [name for name, _title, _text in report.wrong_names] == ["王立"]


@pytest.mark.parametrize(
    ("title", "agrees"),
    [
        ("局长", True),  # the gold position alone
        ("市交通运输局局长", True),  # with the gold organisation before it
        ("运输局局长", False),  # begun inside the gold organisation: cut short
        ("会上市交通运输局局长", False),  # reaching into words nobody marked
    ],
)
def test_a_title_agrees_when_it_begins_where_a_gold_span_begins(tmp_path, title, agrees):
    text = "会上市交通运输局局长李国华表示,新线路年内开通。"
    item = labelled(text, government=["市交通运输局"], position=["局长"], name=["李国华"])
    (sentence,) = read_cluener(write_pretty(tmp_path / "dev.json", [item]))
    (pair,) = gold_pairs(sentence, 0)
    assert title_agrees(sentence, pair, mention(text, "李国华", title)) is agrees


def test_the_table_says_which_targets_are_met_and_lists_the_public_pairs(tmp_path):
    report = evaluate_cluener_file(write_pretty(tmp_path / "dev.json", ITEMS))
    assert (report.precision.correct, report.precision.total) == (3, 3)  # the journalist is no official
    assert report.met()
    table = report.table()
    assert "CLUENER: 4 句" in table
    assert "✓ 李国华 | 市交通运输局局长 → 市交通运输局局长" in table
    assert "✓ 孙建军 | 县政府副县长 → 县政府副县长" in table
    assert "王立平" not in table.split("职务表算作公职")[1]
    assert table.count("达标") == 3 and "未达标" not in table


@pytest.mark.django_db
def test_the_evaluation_command_puts_cluener_in_its_table_and_lists_the_pairs(tmp_path):
    (tmp_path / "eval" / "ner").mkdir(parents=True)
    write_pretty(tmp_path / "eval" / "ner" / "cluener_dev.json", ITEMS)
    out = StringIO()
    call_command("evaluate_extraction", shared=str(tmp_path), verbose=True, stdout=out)
    printed = out.getvalue()
    assert "| cluener_dev.json | 官员姓名准确率（precision）" in printed
    assert "CLUENER: 4 句" in printed  # --verbose: the pairs behind the figures
    assert "职务表算作公职的金标准对" in printed


@pytest.mark.django_db
def test_an_unreadable_cluener_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CommandError, match="CLUENER"):
        call_command("evaluate_extraction", shared=str(tmp_path), cluener=str(bad), stdout=StringIO())


@pytest.mark.shared
def test_the_officials_finder_meets_its_targets_on_the_cluener_dev_set():
    report = evaluate_cluener_file(shared_path("eval", "ner", "cluener_dev.json"))
    assert report.sentences > 1000 and len(report.public_pairs) >= 10
    assert report.precision.rate >= PRECISION_TARGET, report.table()
    assert report.recall.rate >= RECALL_TARGET, report.table()
    assert report.title_agreement.rate >= TITLE_TARGET, report.table()
