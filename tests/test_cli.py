"""The command line, driven with Typer's runner against a real index in a temp folder."""
import json

from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()
FIELDS = {"id", "answer", "refused", "citations", "retrieved", "latency_ms"}


def _env(brief_index):
    source, index = brief_index
    return {"ASSISTANT_SOURCE_DIR": str(source), "ASSISTANT_INDEX_DIR": str(index)}


def test_ask_prints_the_answer_then_numbered_citations(brief_index):
    result = runner.invoke(app, ["ask", "What did leaders say conversations do not require?"], env=_env(brief_index))
    assert result.exit_code == 0, result.output
    cited = [line for line in result.output.splitlines() if line.startswith("[1] ") and " · " in line]
    assert cited and ", p. " in cited[-1]  # [1] Title · Section, p. N: "quote"
    assert "source/" not in result.output  # the document by its title, never a folder path


def test_ask_json_is_one_answer_object(brief_index):
    result = runner.invoke(app, ["ask", "--json", "Which county office leads the NCCPA?"], env=_env(brief_index))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "Sonoma" in data["answer"] and data["citations"][0]["text"]


def test_ask_jsonl_matches_the_evaluation_format(brief_index, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "question": "What is systems change, according to the brief?"})
        + "\n"
        + json.dumps({"id": "b", "question": "Who said that?", "history": [["q", "Sustainability is the result of systems change."]]})
        + "\n"
        + json.dumps({"id": "c", "question": "What's a good lasagna recipe?"})
        + "\n"
    )
    result = runner.invoke(app, ["ask", "--jsonl", str(questions)], env=_env(brief_index))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    for line in lines:
        assert FIELDS <= set(line)
        for c in line["citations"]:
            assert {"n", "chunk_id", "source", "section", "page", "text"} <= set(c)
        for r in line["retrieved"]:
            assert set(r) == {"chunk_id", "text", "score"}
        scores = [r["score"] for r in line["retrieved"]]
        assert scores and scores == sorted(scores, reverse=True), "retrieved[] must be best first, scores decreasing"
    assert lines[1]["refused"] is False and lines[1]["citations"]  # a follow-up is read with its history
    assert lines[2]["refused"] is True


def test_eval_prints_the_metrics(brief_index, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "1", "question": "How long was the grant period?", "answerable": True, "evidence": ["the four-year grant period"], "must_include": [["four-year"]]})
        + "\n"
        + json.dumps({"id": "2", "question": "Tell me a joke about cats.", "answerable": False, "evidence": [], "must_include": []})
        + "\n"
    )
    result = runner.invoke(app, ["eval", str(questions), "--json"], env=_env(brief_index))
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output.strip().splitlines()[-1])
    assert metrics["answer_accuracy"] == 1.0 and metrics["refusal_accuracy"] == 1.0 and metrics["marker_mismatch"] == 0


def test_index_reports_what_it_did(brief_index):
    result = runner.invoke(app, ["index"], env=_env(brief_index))
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output.lower()


def test_user_mistakes_are_one_line_errors(brief_index, tmp_path):
    result = runner.invoke(app, ["ask", "--jsonl", str(tmp_path / "missing.jsonl")], env=_env(brief_index))
    assert result.exit_code == 2 and "cannot read" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["ask", "hello"], env={**_env(brief_index), "ASSISTANT_TOP_K": "zero"})
    assert result.exit_code == 2 and "invalid setting" in result.output
    result = runner.invoke(app, ["index"], env={**_env(brief_index), "ASSISTANT_SOURCE_DIR": str(tmp_path / "nothing")})
    assert result.exit_code == 1 and "nothing to index" in result.output


def test_serve_on_a_taken_port_says_which_flag_to_use_before_loading_anything(brief_index):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = runner.invoke(app, ["serve", "--port", str(port)], env=_env(brief_index))
    assert result.exit_code == 2
    assert "--port" in result.output and str(port) in result.output


def test_an_empty_source_folder_is_named_with_the_setting_that_changes_it(tmp_path):
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    result = runner.invoke(app, ["index", "--source-dir", str(empty), "--index-dir", str(tmp_path / "index")])
    assert result.exit_code == 1
    out = " ".join(result.output.split())
    assert str(empty.resolve()) in out.replace(" ", "") or str(empty.resolve()) in out
    assert "--source-dir" in out


def test_a_quoted_citation_is_not_wrapped_in_a_second_pair_of_quotes():
    from assistant.answering.citations import format_citation_line
    from assistant.types import Citation

    line = format_citation_line(Citation(n=1, chunk_id="c", source="source/a.txt", section="S", page=3, text="t", quote="“We saw it,” she said."))
    assert "““" not in line and line.endswith("“We saw it,” she said.")


def test_help_has_no_type_tags_and_shows_examples():
    import re

    for command in ["", "train", "index", "ask", "eval", "serve"]:
        args = [command, "--help"] if command else ["--help"]
        result = runner.invoke(app, args, env={"COLUMNS": "100"})
        assert result.exit_code == 0, result.output
        assert not re.search(r"<(bool|str|path|int|text|float)>", result.output), result.output
        assert "Examples:" in result.output and f"assistant {command}".strip() in result.output
    ask = runner.invoke(app, ["ask", "--help"], env={"COLUMNS": "100"}).output
    assert "--source-dir DIR" in ask and "--json " in ask and "[QUESTION]" in ask


def test_serve_imports_gradio_without_rewriting_its_stub_files():
    import subprocess
    import sys

    code = (
        "from assistant.cli import _skip_gradio_stub_writing\n"
        "_skip_gradio_stub_writing()\n"
        "import gradio as gr, gradio.component_meta as meta\n"
        "assert meta.create_or_modify_pyi('any', 'Class', []) is None\n"
        "with gr.Blocks() as demo:\n"
        "    gr.Chatbot(); gr.Textbox()\n"
        "print(len(demo.blocks))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert int(run.stdout.split()[-1]) >= 2  # gradio still builds components with the stub writer switched off
