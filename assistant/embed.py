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
