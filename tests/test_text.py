"""Word-level helpers shared by retrieval and answering."""
from assistant.text import content_terms, stem, words


def test_possessives_are_the_word_itself():
    assert words("The region’s leaders and the brief's account") == ["the", "region", "leaders", "and", "the", "brief", "account"]
    assert content_terms("the consortium's partners") == content_terms("the consortium partners")


def test_hyphenated_compounds_count_whole_and_by_part():
    terms = content_terms("cross-sector partnerships")
    assert stem("cross-sector") in terms and "sector" in terms and stem("partnerships") in terms
