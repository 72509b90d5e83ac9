"""Score answers against a question set: the metrics of the shared evaluation, reimplemented.

Matching follows the evaluation's rules: word bigrams (80% of a span's bigrams) decide
whether a passage holds an evidence span; case- and quote-folded substrings decide
whether an answer includes what it must.
"""
from __future__ import annotations

import json
import re
import statistics
from pathlib import Path

_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2014": " ", "\u2013": " "})
_MARKERS = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def _tokens(text: str) -> list[str]:
    text = re.sub(r"-\s*\n\s*", "-", text).translate(_FOLD).lower()
    return re.findall(r"[a-z0-9$%]+", text)


def bigrams(text: str) -> set[tuple[str, str]]:
    """Word bigrams as the evaluation matches them (quote-folded, line-broken hyphens joined)."""
    toks = _tokens(text)
    return set(zip(toks, toks[1:]))


def holds(passage: str, span: str, threshold: float = 0.8) -> bool:
    wanted = bigrams(span)
    return bool(wanted) and len(wanted & bigrams(passage)) / len(wanted) >= threshold


def includes(answer: str, groups: list[list[str]]) -> bool:
    norm = " ".join(answer.translate(_FOLD).lower().split())
    return all(any(" ".join(alt.translate(_FOLD).lower().split()) in norm for alt in group) for group in groups)


def _marker_numbers(text: str) -> set[int]:
    return {int(n) for g in _MARKERS.findall(text) for n in re.split(r"\s*,\s*", g)}


def _share(hits: int, total: int) -> float | None:
    return round(hits / total, 3) if total else None


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def asked_mid_conversation(questions: list[dict]) -> list[dict]:
    """The questions asked without history, each asked again after one turn: the answerable question before it in
    the set (cyclic), answered by its evidence. In a chat most questions come after a turn, but labelled sets give
    history only to follow-ups; a question that stands on its own must be answered, or declined, as it was alone."""
    turns = [(i, q) for i, q in enumerate(questions) if q.get("answerable") and not q.get("history") and q.get("evidence")]
    out = []
    for i, q in enumerate(questions):
        if q.get("history"):
            continue
        before = [p for j, p in turns if j < i] or [p for j, p in turns if j != i]
        if before:
            out.append({**q, "id": f"{q['id']}-mid", "history": [[before[-1]["question"], " ".join(before[-1]["evidence"])]]})
    return out


def score(questions: list[dict], answers: dict[str, dict]) -> tuple[dict, list[str]]:
    """(metrics, failure descriptions)."""
    m: dict = {"questions": len(questions)}
    failures: list[str] = []
    answerable = [q for q in questions if q.get("answerable")]
    evidenced = [q for q in answerable if q.get("evidence")]
    unanswerable = [q for q in questions if not q.get("answerable")]
    m["missing_answers"] = sum(q["id"] not in answers for q in questions)

    for k in (1, 3, 5):
        any_hit = all_hit = 0
        for q in evidenced:
            top = [r.get("text", "") for r in answers.get(q["id"], {}).get("retrieved", [])[:k]]
            found = [any(holds(t, span) for t in top) for span in q["evidence"]]
            any_hit += any(found)
            all_hit += all(found)
            if k == 5 and not any(found):
                failures.append(f"{q['id']}: no evidence in the top {k} passages")
        m[f"retrieval_recall@{k}"] = _share(any_hit, len(evidenced))
        m[f"retrieval_full_recall@{k}"] = _share(all_hit, len(evidenced))

    correct = supported = false_refusals = cited_ok = cited_total = bad_markers = 0
    for q in answerable:
        a = answers.get(q["id"], {})
        text, cites = a.get("answer", ""), a.get("citations", [])
        if a.get("refused"):
            false_refusals += 1
            failures.append(f"{q['id']}: refused an answerable question: {q['question']!r}")
            continue
        if includes(text, q.get("must_include", [])):
            correct += 1
        else:
            failures.append(f"{q['id']}: answer lacks {q.get('must_include')}: {q['question']!r} -> {text[:300]!r}")
        if q.get("evidence"):
            if any(holds(c.get("text", ""), span) for c in cites for span in q["evidence"]):
                supported += 1
            else:
                failures.append(f"{q['id']}: no citation holds the evidence")
            for c in cites:
                cited_total += 1
                cited_ok += any(holds(c.get("text", ""), span) for span in q["evidence"])
        if _marker_numbers(text) != {c.get("n") for c in cites}:
            bad_markers += 1
            failures.append(f"{q['id']}: markers do not match citations")
    m["answer_accuracy"] = _share(correct, len(answerable))
    m["citation_support"] = _share(supported, len(evidenced))
    m["citation_precision_lower_bound"] = _share(cited_ok, cited_total)
    m["marker_mismatch"] = bad_markers
    m["false_refusal_rate"] = _share(false_refusals, len(answerable))
    refused = 0
    for q in unanswerable:
        if answers.get(q["id"], {}).get("refused"):
            refused += 1
        else:
            failures.append(f"{q['id']}: answered what the brief cannot: {q['question']!r} -> {answers.get(q['id'], {}).get('answer', '')[:200]!r}")
    m["refusal_accuracy"] = _share(refused, len(unanswerable))
    lengths = sorted(len(answers[q["id"]].get("answer", "").split()) for q in answerable if q["id"] in answers)
    if lengths:
        m["answer_words_p50"] = statistics.median(lengths)
        m["answer_words_max"] = lengths[-1]
    latencies = sorted(a["latency_ms"] for a in answers.values() if isinstance(a.get("latency_ms"), (int, float)))
    if latencies:
        m["latency_ms_p50"] = round(statistics.median(latencies), 1)
        m["latency_ms_p95"] = round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 1)
    return m, failures


def answer_record(qid: str, answer) -> dict:
    """One line of answers JSONL, in the evaluation's format."""
    data = answer.model_dump()
    return {
        "id": qid,
        "answer": data["answer"],
        "refused": data["refused"],
        "citations": [{k: c[k] for k in ("n", "chunk_id", "source", "section", "page", "text", "quote")} for c in data["citations"]],
        "retrieved": [{k: r[k] for k in ("chunk_id", "text", "score")} for r in data["retrieved"]],
        "latency_ms": data["latency_ms"],
    }
