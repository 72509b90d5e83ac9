"""The embed page: the widget alone in inline mode, for ``<iframe src=".../embed">``.

Its own module so the widget (``static/widget.js``) and its page change together, apart from the chat.
"""
import re
from collections.abc import Mapping

from .ui import esc

COLOR = re.compile(r"^#[0-9a-fA-F]{3,8}$")


def embed_page(params: Mapping[str, str], product_name: str = "Ask the documents") -> str:
    """Chat only, for ``<iframe src=".../embed">``: the widget in inline mode (no page chrome)."""
    title = params.get("title", product_name)[:80]
    greeting = params.get("greeting", f"Ask me about the documents of {product_name}.")[:300]
    color = params.get("color", "")
    attrs = f'data-mode="inline" data-title="{esc(title)}" data-greeting="{esc(greeting)}"'
    if COLOR.match(color):
        attrs += f' data-color="{esc(color)}"'
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>"
        "<style>html,body{margin:0;height:100%;background:#fff}</style></head>"
        f'<body><script src="/widget.js" {attrs}></script></body></html>'
    )


def blocked_page(origin: str, setting: str) -> str:
    """What a frame on a page of an origin not allowed shows instead of the browser's broken-page icon."""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>This site may not embed the assistant</title>"
        "<style>body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff4f4}"
        "main{box-sizing:border-box;min-height:100vh;padding:16px;border-left:4px solid #b3261e}h1{font-size:17px;margin:0 0 8px}code{background:#fff;padding:1px 4px;border:1px solid #e3c4c4;border-radius:4px;word-break:break-all}</style>"
        '</head><body><main><h1>This site may not embed the assistant</h1>'
        f"<p>Pages of <code>{esc(origin)}</code> are not on the assistant's list of allowed origins.</p>"
        f"<p>To the webmaster: add <code>{esc(origin)}</code> to <code>{esc(setting)}</code> (origins separated by commas) "
        "in the assistant server's settings, then restart the server.</p></main></body></html>"
    )
