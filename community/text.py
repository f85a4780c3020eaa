"""User text: Markdown in, sanitised HTML out.

Markdown is parsed with raw HTML disabled, then the output goes through nh3 (ammonia)
so that nothing a member types can run script or smuggle a javascript: link, and every
link carries rel="nofollow ugc noopener"."""

import re

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable(["image"])  # photos go through the image pipeline, not hot-linked

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre",
    "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def render_markdown(text: str) -> str:
    html = _markdown.render(text or "")
    # Headings from members should not outrank the page's own.
    html = re.sub(r"<(/?)h[12]>", r"<\1h3>", html)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def detect_language(*texts: str) -> str:
    """'zh' when a good share of the letters are Chinese characters, else 'en'.

    Good enough to pick an analyzer for search and a lang attribute for pages."""
    joined = "".join(texts)
    letters = sum(1 for ch in joined if ch.isalpha())
    if not letters:
        return "en"
    return "zh" if len(CJK_RE.findall(joined)) / letters >= 0.2 else "en"
