"""Re-index when the source folder changes (``assistant serve --watch``).

Changes are debounced (an editor's save is often several events; a copied folder many),
then ``assistant.index()`` brings the index in line: it re-embeds only when the file
hashes changed, builds aside and swaps atomically, and the service picks the new build
up on the next question. A failed build is logged and the previous index keeps serving.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from .documents import SUPPORTED_SUFFIXES

log = logging.getLogger("assistant.watch")


def _relevant(change, path: str) -> bool:
    name = Path(path).name
    return Path(path).suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith((".", "~$")) and not name.endswith("~")


def watch_sources(assistant, stop_event: threading.Event, *, debounce_ms: int = 1500, on_reindex=None) -> None:
    """Block until ``stop_event`` is set, calling ``assistant.index()`` after each burst of changes."""
    from watchfiles import watch

    source = Path(assistant.settings.source_dir)
    if not source.is_dir():
        log.warning("not watching %s: no such folder", source)
        return
    log.info("watching %s for changes", source)
    for changes in watch(source, watch_filter=_relevant, debounce=debounce_ms, stop_event=stop_event, recursive=True, raise_interrupt=False):
        if stop_event.is_set():
            break
        log.info("sources changed (%d file event(s)); updating the index", len(changes))
        try:
            report = assistant.index()
        except Exception as exc:  # keep watching: the previous index is still live
            log.error("re-index failed, keeping the current index: %s", exc)
            continue
        log.info("index %s: %s (%d passages, %.1f s)", report.action, report.version, report.chunks, report.seconds)
        if on_reindex is not None:
            on_reindex(report)
