"""The data the assistant passes around, serialised the same way by the CLI and the API."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Sentence(BaseModel):
    """One sentence of a chunk: offsets into the chunk text, so citations can quote it exactly."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int
    speaker: str | None = None  # who is quoted, when the sentence is (part of) a quotation


UNIT_WINDOW = 24  # words in each window of a long sentence (``Chunk.units``)


class Chunk(BaseModel):
    """A passage of a document: paragraphs of one section, never across a heading."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    source: str
    section: str
    page: int | None = None
    order: int = 0  # position of the chunk in its document
    sentences: tuple[Sentence, ...] = ()

    def sentence_texts(self) -> list[str]:
        return [self.text[s.start : s.end] for s in self.sentences]

    def units(self, window: int = UNIT_WINDOW, longer_than: int = 36) -> list[tuple[str, int, str]]:
        """What gets a vector at indexing time: (key, sentence number, text).

        Each sentence is one unit; a long sentence (a long enumeration, say) also
        gets overlapping windows of ``window`` words, keyed ``<n>.<k>``, so that a question
        about one clause can match that clause rather than the whole diluted sentence.
        """
        out: list[tuple[str, int, str]] = []
        for n, text in enumerate(self.sentence_texts()):
            out.append((str(n), n, text))
            tokens = text.split()
            if len(tokens) > longer_than:
                step = window // 2
                for k, start in enumerate(range(0, len(tokens) - step, step)):
                    out.append((f"{n}.{k}", n, " ".join(tokens[start : start + window])))
        return out


class Citation(BaseModel):
    """A numbered reference from an answer to the passage that supports it."""

    n: int
    chunk_id: str
    source: str
    document: str = Field("", description="The cited document's title (its own title or first heading, or ASSISTANT_DOCUMENT_TITLES).")
    section: str
    page: int | None = None
    text: str = Field(description="The cited passage, as the user sees it.")
    quote: str = Field("", description="The sentence(s) of the passage that support the answer.")


class Retrieved(BaseModel):
    """A passage retrieved for a question, best first."""

    chunk_id: str
    text: str
    score: float = Field(description="Relevance of the passage's best sentence to the question (higher is better; decreasing down the list).")
    source: str = ""
    section: str = ""
    page: int | None = None


class Verification(BaseModel):
    sentences: int = 0
    verified: int = 0
    removed: int = 0


class Answer(BaseModel):
    """What the assistant says, with everything needed to check it."""

    answer: str
    refused: bool = False
    citations: list[Citation] = []
    retrieved: list[Retrieved] = []
    latency_ms: float = 0.0
    query: str = Field("", description="The search query actually used (follow-ups are rewritten with the history).")
    suggestions: list[str] = Field(default_factory=list, description="Topics the brief does cover, offered with a refusal.")
    notice: str | None = Field(None, description="Something the user should know about how this answer was made.")
    index_version: str | None = None
    verification: Verification | None = None
