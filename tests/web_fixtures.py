"""What the web tests share: the index (the brief plus a document whose text is hostile markup), a live
uvicorn server, free ports and one headless Chromium per module."""
from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

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


def answers_within(url: str, seconds: float, alive: Callable[[], bool] = lambda: True, every: float = 0.1) -> bool:
    """Poll ``url`` until it answers 200 (True), or the time runs out or ``alive()`` turns false (False)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and alive():
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(every)
    return False


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on now and that this process never handed out before. The kernel may give a port it just
    gave again once its socket is closed: two servers set up together (a fixture's API, its slow twin and its host pages)
    then got the same one, the second failed to bind, and the first answered for it (a widget test waited for a pause
    that never came)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def _listening(port: int) -> socket.socket:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart on the same port after a stop
    s.bind(("127.0.0.1", port))
    s.listen(128)
    return s


class LiveServer:
    """uvicorn serving ``app`` on a fixed port in a thread; healthy when ``start`` returns; a test can stop and start it
    again. The port is bound when the server is made and handed to uvicorn, so no other server can take it between."""

    def __init__(self, app, port: int | None = None):
        self.app = app
        self.socket: socket.socket | None = _listening(port or 0)
        self.port = self.socket.getsockname()[1]
        _HANDED_OUT.add(self.port)
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = self.thread = None

    def start(self) -> LiveServer:
        import uvicorn

        if self.socket is None:
            self.socket = _listening(self.port)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)
        self.thread.start()
        if answers_within(f"{self.url}/api/health", 60):
            return self
        pytest.fail(f"the server on {self.url} did not become healthy")

    def stop(self) -> None:
        if self.thread is not None and self.thread.is_alive():
            self.server.should_exit = True
            self.thread.join(timeout=10)
        if self.socket is not None:
            self.socket.close()
            self.socket = None

    def stop_and_check(self) -> None:
        """Stop, and show the port no longer answers (a test of what a page does when its server is gone)."""
        self.stop()
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{self.url}/api/health", timeout=2)


def launch_chromium(executable: Path, args: list[str]) -> Iterator:
    """One headless Chromium (Debian's, never `playwright install`), for a module fixture to ``yield from``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(executable), args=args)
        yield browser
        browser.close()
