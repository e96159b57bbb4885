from speeches.extract.officials import extract_officials


def people(text):
    return {p.name: p for p in extract_officials(text)}


def test_a_title_before_the_name_gives_name_title_and_organisation():
    found = people("省农业农村厅副厅长陈立伟、市委书记杨建国出席会议。")
    assert found["陈立伟"].title == "省农业农村厅副厅长"
    assert found["陈立伟"].organisation == "省农业农村厅"
    assert found["杨建国"].title == "市委书记"


def test_a_name_before_the_title_is_found():
    found = people("刚才,何志远局长通报了情况,县委郑书记也提了要求。")
    assert found["何志远"].title == "局长"
    assert found["郑书记"].title == "县委书记"


def test_a_given_name_alone_joins_the_full_name_of_the_same_speech():
    found = people("会后,请钱国栋同志牵头。国栋同志要抓紧制定方案。刘德胜市长很关心,德胜市长多次过问。")
    assert set(found) == {"钱国栋", "刘德胜"}
    assert [m.mention for m in found["钱国栋"].mentions] == ["钱国栋同志", "国栋同志"]
    assert len(found["刘德胜"].mentions) == 2


def test_a_surname_only_mention_stays_as_written_and_is_marked_partial():
    found = people("在验收期间,县委罗书记带队视察。随后,包市长强调要抓好落实。")
    assert set(found) == {"罗书记", "包市长"}
    assert all(p.name_is_partial for p in found.values())


def test_a_given_name_alone_is_kept_as_written_when_no_full_name_matches():
    found = people("刚才,雅琴同志作了报告。")
    assert set(found) == {"雅琴"}
    assert found["雅琴"].name_is_partial


def test_groups_and_bare_titles_are_not_officials():
    text = (
        "主要领导同志高度重视,有关同志要各负其责,各位同志辛苦了。不能形成股长管局长的情况,"
        "局长要围绕县长的要求办,市政府领导同志出席会议。"
    )
    assert extract_officials(text) == []


def test_names_listed_after_one_title_are_all_found():
    found = people("国家某局副局长张明华、李建军分别作出批示。")
    assert set(found) == {"张明华", "李建军"}


def test_each_mention_keeps_its_sentence_and_offset():
    text = "会议开始。副县长马文斌同志讲话。"
    (person,) = extract_officials(text)
    mention = person.mentions[0]
    assert text[mention.offset : mention.offset + 3] == "马文斌"
    assert mention.sentence == "副县长马文斌同志讲话。"
    assert 0 < person.confidence <= 1


def test_ascii_punctuation_inside_chinese_text_is_a_boundary():
    found = people("刚才,雷申部长总结了工作,副局长张勤:同意。")
    assert {"雷申", "张勤"} <= set(found)
