"""The index the web tests share: the brief plus a document whose text is hostile markup."""
from __future__ import annotations

import shutil
from pathlib import Path

from assistant.service import Assistant
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MARKUP_DOC = """Markup Notes

The Zanzibar xylophone festival printed the tag <script>alert('xss-passage')</script> on every festival programme as a joke about web pages. \
The festival poster showed the text <img src=x onerror=alert('xss-img')> in large letters beside the xylophones. \
Visitors to the xylophone festival said the strange markup on the poster made them laugh.
"""
MARKUP_Q = "What did the Zanzibar xylophone festival print on its programme?"


def shared_index(tmp_path_factory) -> tuple[Path, Path]:
    """Source folder (the brief + a document full of markup) and its index, built once per session for the web tests."""
    base = tmp_path_factory.getbasetemp()
    source, index = base / "web-source", base / "web-index"
    if not source.exists():
        source.mkdir()
        for f in (ROOT / "source").iterdir():
            if f.is_file():
                shutil.copy(f, source / f.name)
        (source / "zz-markup-notes.txt").write_text(MARKUP_DOC, encoding="utf-8")
    Assistant(Settings(source_dir=source, index_dir=index)).index()
    return source, index
