"""``assistant``: ask the documents questions, train the reader, build the index, evaluate, serve the web chat.

Each command is a few lines around the ``Assistant`` service. Settings come from
``ASSISTANT_*`` environment variables; the flags below override them.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

app = typer.Typer(
    help=(
        "Answers questions about the documents in the source folder, citing the passages that support "
        "each answer, and says so when they do not answer.\n\n"
        "\b\nExamples:\n"
        "  assistant ask \"What does the report recommend?\"\n"
        "  assistant ask \"What are the main findings?\" --json\n"
        "  assistant serve --port 7860           (web chat at http://127.0.0.1:7860/)\n"
        "  assistant index --rebuild\n"
        "  assistant eval eval/users.jsonl\n"
        "  assistant train                       (once; ask and serve do it when needed)\n\n"
        "Settings come from ASSISTANT_* environment variables; each flag overrides its variable. "
        "Run 'assistant COMMAND --help' for a command's flags."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no <bool>/<str> type tags, examples keep their indentation
)
err = Console(stderr=True)
out = Console()

SourceOpt = Annotated[Optional[Path], typer.Option("--source-dir", metavar="DIR", help="Documents to answer from (env ASSISTANT_SOURCE_DIR; default source).")]
IndexOpt = Annotated[Optional[Path], typer.Option("--index-dir", metavar="DIR", help="Where the index lives (env ASSISTANT_INDEX_DIR; default index).")]
ModelOpt = Annotated[Optional[str], typer.Option("--embedding-model", metavar="MODEL", help="trained (default: the reader trained here), all-MiniLM-L6-v2 as shipped, or a local sentence-transformers folder (env ASSISTANT_EMBEDDING_MODEL).")]
ChromaOpt = Annotated[Optional[str], typer.Option("--chroma-url", metavar="URL", help="Use a Chroma server, e.g. http://127.0.0.1:8000 (env ASSISTANT_CHROMA_URL).")]
ProviderOpt = Annotated[Optional[str], typer.Option("--llm-provider", metavar="NAME", help="Who writes answers: extractive | openai | ollama (env ASSISTANT_LLM_PROVIDER).")]
LLMURLOpt = Annotated[Optional[str], typer.Option("--llm-base-url", metavar="URL", help="LLM server, e.g. http://127.0.0.1:8080/v1 (env ASSISTANT_LLM_BASE_URL).")]
RulesOpt = Annotated[Optional[str], typer.Option("--disable-rule", metavar="RULES", help="Comma-separated answering rules to switch off, to measure them (see assistant/rules.py).")]
LLMModelOpt = Annotated[Optional[str], typer.Option("--llm-model", metavar="NAME", help="Model name on the LLM server (env ASSISTANT_LLM_MODEL).")]


def _settings(**flags):
    """Settings from the environment, overridden by the flags that were given."""
    from pydantic import ValidationError

    from .settings import Settings

    try:
        return Settings(**{k: v for k, v in flags.items() if v is not None})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        _fail(f"invalid setting: {problems}", code=2)


def _fail(message: str, code: int = 1):
    err.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def _assistant(settings):
    from .prompts import PromptError
    from .service import Assistant

    problems: tuple[type[Exception], ...] = (PromptError,)
    if settings.llm_provider != "extractive":  # the LLM code (LangChain's chat models) is imported only when it is used
        from .answering.generative import GeneratorConfigError

        problems += (GeneratorConfigError,)
    try:
        return Assistant(settings)
    except problems as exc:
        _fail(str(exc))


def _user_errors():
    from .embeddings import EmbeddingModelError
    from .index import IndexError_
    from .prompts import PromptError
    from .service import NoDocumentsError, QuestionError

    from .reader import ReaderMissing

    return (EmbeddingModelError, IndexError_, PromptError, NoDocumentsError, QuestionError, ReaderMissing)


def _ensure(assistant) -> None:
    """Build the index first when it is missing (with a progress bar on a terminal)."""
    if assistant.store.current() is None:
        err.print(f"Building the index in {assistant.settings.index_dir} (first run)...")
    assistant.ensure_index(progress=sys.stderr.isatty())


@app.command(short_help="Fine-tune the reader on training/ (once; cached).")
def train(
    force: Annotated[bool, typer.Option("--force", metavar="", help="Train again even when a reader for this training data is cached.")] = False,
    training_dir: Annotated[Optional[Path], typer.Option("--training-dir", metavar="DIR", help="Labelled questions and their documents (env ASSISTANT_TRAINING_DIR).")] = None,
    models_dir: Annotated[Optional[Path], typer.Option("--models-dir", metavar="DIR", help="Where readers are cached (env ASSISTANT_MODELS_DIR).")] = None,
):
    """Fine-tune the reader from the shipped MiniLM on the labelled questions in training/ and fit its heads.

    Deterministic (fixed seed) and cached by a hash of the training data, the base model and the
    recipe: a second run with nothing changed returns at once. About 10 minutes on 2 CPU cores.
    ask, index and serve train it themselves when it is missing.

    \b
    Examples:
      assistant train
      assistant train --force            (train again even though a reader is cached)
    """
    from .reader import reader_key, reading_settings
    from .training.train import train as run

    settings = _settings(training_dir=training_dir, models_dir=models_dir)
    try:
        err.print(f"reader key {reader_key(settings.training_dir, reading_settings(settings))} (training data {settings.training_dir})", highlight=False)
        reader = run(settings, force=force, say=lambda m: err.print(m, highlight=False))
    except (ValueError, OSError) as exc:
        _fail(f"cannot train: {exc}")
    except _user_errors() as exc:
        _fail(str(exc))
    out.print(f"reader {reader.key}: {reader.folder}", highlight=False)
    for k, v in reader.meta.items():
        if k not in ("recipe", "key"):
            out.print(f"  {k}: {v}", highlight=False)


@app.command()
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", metavar="", help="Re-embed everything instead of only what changed.")] = False,
    source_dir: SourceOpt = None,
    index_dir: IndexOpt = None,
    embedding_model: ModelOpt = None,
    chroma_url: ChromaOpt = None,
):
    """Build or update the index from the documents in the source folder.

    Only new or changed passages are embedded; with nothing changed it returns at once.
    ask and serve build the index themselves when there is none.

    \b
    Examples:
      assistant index
      assistant index --source-dir ~/reports --index-dir ~/reports-index
      assistant index --rebuild
    """
    assistant = _assistant(_settings(source_dir=source_dir, index_dir=index_dir, embedding_model=embedding_model, chroma_url=chroma_url))
    try:
        report = assistant.index(rebuild=rebuild, progress=sys.stderr.isatty())
    except _user_errors() as exc:
        _fail(str(exc))
    for problem in report.errors:
        err.print(f"[yellow]skipped:[/yellow] {problem}", highlight=False)
    for line in report.summary():
        out.print(line, highlight=False)
    if report.errors:
        raise typer.Exit(1)


def _print_answer(answer) -> None:
    from .answering.citations import format_citation_line

    if answer.notice:  # read before the answer it qualifies ("The documents may not answer this directly: ...")
        err.print(f"[yellow]{answer.notice}[/yellow]", highlight=False)
    out.print(answer.answer, highlight=False)
    if answer.verification:
        v = answer.verification
        err.print(f"verified {v.verified} of {v.sentences} sentences; removed {v.removed}", highlight=False)
    if answer.citations:
        out.print()
        for c in answer.citations:
            out.print(format_citation_line(c), highlight=False, soft_wrap=True)


@app.command()
def ask(
    question: Annotated[Optional[str], typer.Argument(metavar="QUESTION", hidden=True, show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="Print one JSON answer object.")] = False,
    jsonl: Annotated[Optional[Path], typer.Option("--jsonl", metavar="FILE", help="Answer every question of a JSON-lines file (id, question, history); '-' reads stdin.")] = None,
    source_dir: SourceOpt = None,
    index_dir: IndexOpt = None,
    embedding_model: ModelOpt = None,
    chroma_url: ChromaOpt = None,
    llm_provider: ProviderOpt = None,
    llm_base_url: LLMURLOpt = None,
    llm_model: LLMModelOpt = None,
    disable_rule: RulesOpt = None,
):
    """Answer QUESTION from the documents, with numbered citations.

    Prints the answer, then one line per citation (file, section, page and the quoted
    passage). With --jsonl, answers a file of questions instead, one JSON object a line.

    \b
    Examples:
      assistant ask "What does the report recommend?"
      assistant ask "What are the main findings?" --json
      assistant ask --jsonl questions.jsonl > answers.jsonl
      echo '{"id": "q1", "question": "What is it about?"}' | assistant ask --jsonl -
    """
    from .evaluation import answer_record

    if (question is None) == (jsonl is None):
        _fail("give either a question or --jsonl FILE", code=2)
    assistant = _assistant(_settings(source_dir=source_dir, index_dir=index_dir, embedding_model=embedding_model, chroma_url=chroma_url, llm_provider=llm_provider, llm_base_url=llm_base_url, llm_model=llm_model, disabled_rules=disable_rule))
    try:
        _ensure(assistant)
        if jsonl is None:
            answer = assistant.ask(question)
            if as_json:
                out.print_json(answer.model_dump_json())
            else:
                _print_answer(answer)
            return
        lines = sys.stdin if str(jsonl) == "-" else _open(jsonl)
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                qid, q = item.get("id", str(number)), item["question"]
            except (ValueError, KeyError, AttributeError):
                _fail(f"{jsonl}:{number}: not a JSON object with a 'question'", code=2)
            answer = assistant.ask(q, item.get("history") or [])
            sys.stdout.write(json.dumps(answer_record(qid, answer), ensure_ascii=False) + "\n")
            sys.stdout.flush()
    except _user_errors() as exc:
        _fail(str(exc))


def _open(path: Path):
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}", code=2)


DEFAULT_EVAL = Path(__file__).resolve().parent.parent / "eval" / "holdout.jsonl"


@app.command("eval", short_help="Score the answers to a question set (retrieval, answers, citations, refusals).")
def evaluate(
    questions: Annotated[Optional[Path], typer.Argument(metavar="QUESTIONS", hidden=True, show_default=False)] = None,
    answers_out: Annotated[Optional[Path], typer.Option("--answers", metavar="FILE", help="Also write the answers as JSON lines here.")] = None,
    show_failures: Annotated[bool, typer.Option("--show-failures", metavar="", help="List each failed check.")] = False,
    as_json: Annotated[bool, typer.Option("--json", metavar="", help="Print the metrics as one JSON object.")] = False,
    source_dir: SourceOpt = None,
    index_dir: IndexOpt = None,
    embedding_model: ModelOpt = None,
    chroma_url: ChromaOpt = None,
    llm_provider: ProviderOpt = None,
    llm_base_url: LLMURLOpt = None,
    llm_model: LLMModelOpt = None,
    disable_rule: RulesOpt = None,
):
    """Answer a question set and print retrieval, answer, citation and refusal metrics.

    QUESTIONS is a JSON-lines file (id, question, history, answerable, evidence,
    must_include); without it, eval/holdout.jsonl (never trained on).

    \b
    Examples:
      assistant eval
      assistant eval eval/users.jsonl --show-failures
      assistant eval eval/probe12.jsonl --json --answers /tmp/answers.jsonl
    """
    from .evaluation import answer_record, read_jsonl, score

    path = questions or DEFAULT_EVAL
    try:
        items = read_jsonl(path)
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}", code=2)
    except ValueError as exc:
        _fail(f"{path} is not JSON lines: {exc}", code=2)
    assistant = _assistant(_settings(source_dir=source_dir, index_dir=index_dir, embedding_model=embedding_model, chroma_url=chroma_url, llm_provider=llm_provider, llm_base_url=llm_base_url, llm_model=llm_model, disabled_rules=disable_rule))
    try:
        _ensure(assistant)
        assistant.warm_up()
        records = {q["id"]: answer_record(q["id"], assistant.ask(q["question"], q.get("history") or [])) for q in items}
    except _user_errors() as exc:
        _fail(str(exc))
    if answers_out:
        answers_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records.values()), encoding="utf-8")
    metrics, failures = score(items, records)
    if show_failures:
        for f in failures:
            err.print(f"FAIL {f}", highlight=False, soft_wrap=True)
    if as_json:
        print(json.dumps(metrics))
    else:
        for k, v in metrics.items():
            out.print(f"{k}: {v}", highlight=False)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option("--host", metavar="HOST", help="Address to listen on (env ASSISTANT_HOST; default 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", metavar="N", help="Port (env ASSISTANT_PORT; default 7860).")] = None,
    watch: Annotated[bool, typer.Option("--watch", metavar="", help="Rebuild the index when the source folder changes.")] = False,
    source_dir: SourceOpt = None,
    index_dir: IndexOpt = None,
    embedding_model: ModelOpt = None,
    chroma_url: ChromaOpt = None,
    llm_provider: ProviderOpt = None,
    llm_base_url: LLMURLOpt = None,
    llm_model: LLMModelOpt = None,
):
    """Serve the web chat, the HTTP API and the embeddable widget.

    The chat is at /, the API at /api (docs at /api/docs), the widget script at /widget.js.

    \b
    Examples:
      assistant serve
      assistant serve --port 8080 --watch
      assistant serve --host 0.0.0.0 --port 7860
    """
    settings = _settings(
        host=host, port=port, source_dir=source_dir, index_dir=index_dir, embedding_model=embedding_model, chroma_url=chroma_url,
        llm_provider=llm_provider, llm_base_url=llm_base_url, llm_model=llm_model,
    )
    _port_free(settings.host, settings.port)  # before minutes of loading, not after
    assistant = _assistant(settings)
    try:
        _ensure(assistant)
        assistant.warm_up()
    except _user_errors() as exc:
        _fail(str(exc))
    _skip_gradio_stub_writing()
    try:
        from .api import run_server
    except ImportError as exc:
        _fail(f"the web server is not available: {exc}")
    run_server(assistant, watch=watch)


def _skip_gradio_stub_writing() -> None:
    """Stop Gradio rewriting its own ``.pyi`` stubs on import (half of ``import gradio``: 1.3-2.5 s here).

    Gradio's component metaclass parses each component's source file with ``ast`` and rewrites
    the ``.pyi`` beside it every time a component class is created: typing stubs for Gradio's
    developers, of no use to a server (and a write into site-packages). The function is replaced
    by a no-op as its module loads; if a Gradio release renames it, nothing is replaced.
    """
    import importlib.abc
    import importlib.machinery

    if "gradio" in sys.modules:
        return

    class NoStubs(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != "gradio.component_meta":
                return None
            sys.meta_path.remove(self)
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                if callable(getattr(module, "create_or_modify_pyi", None)):
                    module.create_or_modify_pyi = lambda *args, **kwargs: None

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, NoStubs())


def _port_free(host: str, port: int) -> None:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            _fail(f"cannot listen on {host}:{port} ({exc.strerror or exc}): another program uses it; choose another with --port N (or ASSISTANT_PORT)", code=2)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
