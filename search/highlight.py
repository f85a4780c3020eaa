"""Snippets: a short excerpt of a document's text with its matches in <mark>.

`highlight()` builds the snippet in Python from raw text, so everything but the <mark>
tags it adds is escaped: the database backend uses it, and an engine backend may too.
`sanitise()` cleans highlighted HTML that came from elsewhere (an engine's highlighter)
down to text and <mark>.

Matching here is approximate by design (the backend already decided the document
matches): English words are compared after a light stemming and accent folding,
Chinese terms are found as substrings, so "抓地" is marked inside "湿地抓地力很好"."""

import html
import re
import unicodedata

import nh3

from search.query import CJK_CHAR, CJK_RUN_RE, ParsedQuery

SNIPPET_CHARS = 200
ELLIPSIS = "\u2026"
# Words without Chinese characters (Chinese runs are matched as substrings instead).
_LATIN_WORD_RE = re.compile(rf"[^\W_{CJK_CHAR}]+")
# Suffix, and the shortest stem it may leave.
_SUFFIXES = (("ingly", 3), ("edly", 3), ("ing", 3), ("ed", 2), ("ly", 3), ("es", 2), ("s", 2))
_DOUBLED = re.compile(r"([bdfgkmnprt])\1$")


def _fold(word: str) -> str:
    """Lower case without accents ("Café" -> "cafe")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    """A light English stemmer for highlighting: "running", "runs" and "run" agree,
    as do "roads"/"road", "used"/"use", "batteries"/"battery"."""
    word = _fold(word)
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    for suffix, shortest in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            if suffix == "es" and not word[:-2].endswith(("s", "x", "z", "ch", "sh")):
                continue  # "shoes" is "shoe" + "s"
            word = word[: -len(suffix)]
            word = _DOUBLED.sub(r"\1", word)  # "runn" -> "run"
            break
    if word.endswith("e") and len(word) > 2:
        word = word[:-1]
    return word


def _needles(query: ParsedQuery) -> tuple[set[str], list[str]]:
    """English stems and Chinese substrings to mark, from the positive terms."""
    stems: set[str] = set()
    chinese: list[str] = []
    for item in query.positive:
        for word in _LATIN_WORD_RE.findall(item):
            stems.add(stem(word))
        chinese.extend(CJK_RUN_RE.findall(item))
    # Longest first, so that "抓地力" wins over "抓地" at the same place.
    return stems, sorted(set(chinese), key=len, reverse=True)


def match_spans(text: str, query: ParsedQuery) -> list[tuple[int, int]]:
    """Sorted, non-overlapping (start, end) spans of `text` matching the query."""
    stems, chinese = _needles(query)
    spans = []
    if stems:
        for match in _LATIN_WORD_RE.finditer(text):
            if stem(match.group()) in stems:
                spans.append(match.span())
    for needle in chinese:
        start = text.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = text.find(needle, start + len(needle))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(text: str, first: int, length: int) -> tuple[int, int]:
    """About `length` characters around position `first`, cut at spaces if near."""
    if len(text) <= length:
        return 0, len(text)
    start = max(0, min(first - length // 3, len(text) - length))
    if start > 0:
        space = text.find(" ", start, start + 20)
        if 0 <= space < first:
            start = space + 1
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", end - 20, end)
        if space > first:
            end = space
    return start, end


def highlight(text: str, query: ParsedQuery, *, length: int = SNIPPET_CHARS) -> str:
    """Escaped HTML: an excerpt of `text` around its first match, matches in <mark>."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    spans = match_spans(text, query)
    start, end = _window(text, spans[0][0] if spans else 0, length)
    parts = [ELLIPSIS] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(html.escape(text[position:span_start], quote=False))
        parts.append(f"<mark>{html.escape(text[span_start:span_end], quote=False)}</mark>")
        position = span_end
    parts.append(html.escape(text[position:end], quote=False))
    if end < len(text):
        parts.append(ELLIPSIS)
    return "".join(parts)


def sanitise(fragment: str) -> str:
    """Highlighted HTML from elsewhere reduced to text and bare <mark> tags."""
    return nh3.clean(fragment or "", tags={"mark"}, attributes={})
