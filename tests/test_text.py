"""Word-level helpers shared by retrieval and answering."""
from assistant.text import common_terms, content_terms, stem, words


def test_possessives_are_the_word_itself():
    assert words("The region’s leaders and the brief's account") == ["the", "region", "leaders", "and", "the", "brief", "account"]
    assert content_terms("the consortium's partners") == content_terms("the consortium partners")


def test_hyphenated_compounds_count_whole_and_by_part():
    terms = content_terms("cross-sector partnerships")
    assert stem("cross-sector") in terms and "sector" in terms and stem("partnerships") in terms


def test_common_terms_leave_out_all_but_the_last_word_of_a_name():
    terms = common_terms("the Fresno Unified School District and the Los Angeles High Impact consortium")
    assert "district" in terms and "consortium" in terms
    assert "school" not in terms and "high" not in terms
    # a capitalised word alone (a sentence's first word) is an ordinary word
    assert {"high", "school"} <= set(common_terms("High schools are not waiting."))
