"""Prompt and message templates, kept as files in ``prompts/`` and validated when loaded.

A template names its variables as ``{name}``; loading checks that each template uses
exactly the variables its caller fills in, so a typo fails at start-up, naming the file.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: template name -> the variables it must use
REQUIRED: dict[str, set[str]] = {
    "refusal": {"detail", "topics"},
    "misuse": {"topics"},
    "hedge": set(),
    "small_talk": {"topics"},
}

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "prompts"


class PromptError(Exception):
    """A prompt file is missing or does not use the variables it must."""


@dataclass(frozen=True)
class Prompts:
    templates: dict[str, str]

    def render(self, name: str, **values: str) -> str:
        return self.templates[name].format(**values).strip()

    def rendered(self, text: str, names: tuple[str, ...]) -> bool:
        """Is ``text`` one of the templates ``names`` as ``render`` fills it in (whatever it filled in)?"""
        return any(_pattern(self.templates[n]).fullmatch(text.strip()) for n in names if n in self.templates)


@lru_cache(maxsize=32)
def _pattern(template: str) -> re.Pattern:
    """A template as a pattern: its words as written, each variable any text."""
    parts = [re.escape(literal) + ("(?:.|\n)*?" if field is not None else "") for literal, field, _, _ in string.Formatter().parse(template.strip())]
    return re.compile("".join(parts))


def variables(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def load_prompts(folder: Path | None = None, required: dict[str, set[str]] | None = None) -> Prompts:
    folder = Path(folder or DEFAULT_DIR)
    required = REQUIRED if required is None else required
    templates: dict[str, str] = {}
    for name, needed in required.items():
        path = folder / f"{name}.txt"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            raise PromptError(f"prompt file {path} is missing") from None
        try:
            found = variables(text)
        except ValueError as exc:
            raise PromptError(f"prompt file {path} is malformed: {exc}") from None
        if found != needed:
            missing, extra = needed - found, found - needed
            parts = []
            if missing:
                parts.append("missing {" + "}, {".join(sorted(missing)) + "}")
            if extra:
                parts.append("unknown {" + "}, {".join(sorted(extra)) + "}")
            raise PromptError(f"prompt file {path}: {'; '.join(parts)}")
        templates[name] = text
    return Prompts(templates)
