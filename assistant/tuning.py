"""Every tuning number of the answering pipeline, in one place.

Numbers a user may want to change per deployment (top_k, word budget) are settings; these are
the knobs of the method itself. The learned parts (the reader's weights, the reranker's and the
decider's coefficients, the decider's threshold) are not here: ``assistant train`` fits them.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    # retrieval
    rrf_k: int = 20  # reciprocal-rank fusion constant
    # Chroma's HNSW candidate list at search time, far above its default 100 so that a query is all but exact: at
    # 100 two builds of the same documents returned different passages for 2 of 40 questions (a query can meet
    # vectors still in Chroma's brute-force buffer, or a graph built in another order); at 400, 0 of 40, three times
    hnsw_ef_search: int = 400
    bm25_weight: float = 1.6  # BM25's vote in the fusion (dense passages and dense sentences vote 1.0); exact words carry further into a document the reader never saw (chosen on eval/tuning: 0.5 / 0.8 / 1.0 / 1.2 / 1.6)
    fusion_depth: int = 20  # how deep each ranker is read before fusing
    pool: int = 10  # passages whose sentences the reranker reads
    decide_quantity_sentences: int = 3  # best-ranked sentences the decider looks in for a quantity asked for
    # reading a question
    stands_alone_terms: int = 3  # content words a question needs to be searched without the asker's sentences before it
    typo_min_letters: int = 5  # shorter words are not corrected (rule `typo`): one edit from a short word is often another word
    # reading a conversation
    follow_up_pointing_terms: int = 5  # a question whose first pointing word ("that", "it") comes before every content word leans on the turn before when it names at most this many (chosen on eval/tuning and its mid-conversation copies: 4 / 5 / 6 / 8 / any)
    item_turns: int = 3  # "the third one" picks from the list of the last of this many answers that gave one
    defining_passages: int = 2  # rule `definition`: passages with a sentence defining the term asked about that join the pool, at most
    typed_passages: int = 3  # ... and the best passages for the words just typed join its passages, this many at most
    history_chars: int = 300  # how much of the previous answer a follow-up's query carries
    said_sentences: int = 12  # the previous answer's sentences a follow-up embeds to know what was said (our answers hold fewer; a client's history may hold a page)
    # deciding
    hedge_below: float = 0.5  # rule `hedge`: an answer the decider gives less than even odds of being in the documents says so
    # composing
    close_to_best: float = 0.3  # a further sentence joins the answer while its probability is at least this share of the best's
    max_sentences: int = 3  # sentences picked by the reranker (cohesion may add their antecedent or list)
    list_max_sentences: int = 4  # ... when the question asks for a list
    redundancy: float = 0.92  # a sentence this similar to one already chosen adds nothing
    continuation_below_words: int = 40  # an answer shorter than this goes on with the sentence after its best one
    sequence_gap_passages: int = 3  # passages a counted sequence may run past its opening one, its items each explained at length (chosen on eval/tuning: the brief in users' voices)
    coverage_depth: int = 5  # rule `coverage` looks this deep in the ranking for a sentence holding a question word the answer lacks
    coverage_floor: float = 0.1  # ... at least this share of the best sentence's probability (depth and floor chosen on eval/tuning: 3 / 5 / 8 and 0.05 / 0.1 / 0.2)
    overview_window: int = 20  # rule `overview`: the document's first sentences (of some length) its opening is read from
    overview_sentences: int = 3  # ... of which the answer shows this many in reading order, from the first whose words the rest of the document uses:
    overview_floor: float = 0.5  # ... at least this share of its content words in another passage of the document (a site's navigation: 0; the openings of a research report, a project's policy page and a library's manual: 0.92, 0.83, 0.77)
    overview_min_words: int = 8  # ... a sentence shorter than this (a title, a version line, "Press ? to show this help") is not one
    sibling_reach: int = 12  # rule `sibling_items`: sentences before a chosen item its list's announcement may lie
    cohesion_words: int = 45  # an antecedent or announced list is brought only while the answer stays under budget + this


TUNING = Tuning()
