"""The query language members type, parsed once for every backend.

Supported: plain words, "quoted phrases", -excluded words and -"excluded phrases".
Everything else that search engines treat as syntax (Lucene's + ! ( ) : ^ ~ * ? \\ /
[ ] { } && ||, SQL quotes and semicolons) is just punctuation here, so no input can
break a backend's parser or smuggle a clause in."""

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TERMS = 12

CJK_CHAR = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN_RE = re.compile(f"[{CJK_CHAR}]+")
_TOKEN_RE = re.compile(r'(-?)"([^"]*)"|(-?)([^\s"]+)')
# Letters, digits and CJK; everything else separates words.
_WORD_RE = re.compile(rf"[\w{CJK_CHAR}]+", re.UNICODE)


# English stop words (PostgreSQL's english list, a superset of the engines'). They are
# dropped from words and exclusions here, once, so that every backend answers alike:
# "the grip" means "grip"; a query of only stop words is empty. Phrases keep them.
STOP_WORDS = frozenset({
    "i", "me", "my", "myself", "we", "our", "ours", "ourselves", "you", "your", "yours",
    "yourself", "yourselves", "he", "him", "his", "himself", "she", "her", "hers", "herself",
    "it", "its", "itself", "they", "them", "their", "theirs", "themselves", "what", "which",
    "who", "whom", "this", "that", "these", "those", "am", "is", "are", "was", "were", "be",
    "been", "being", "have", "has", "had", "having", "do", "does", "did", "doing", "a", "an",
    "the", "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for",
    "with", "about", "against", "between", "into", "through", "during", "before", "after",
    "above", "below", "to", "from", "up", "down", "in", "out", "on", "off", "over", "under",
    "again", "further", "then", "once", "here", "there", "when", "where", "why", "how", "all",
    "any", "both", "each", "few", "more", "most", "other", "some", "such", "no", "nor", "not",
    "only", "own", "same", "so", "than", "too", "very", "s", "t", "can", "will", "just", "don",
    "should", "now"
})  # fmt: skip


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()  # words and phrases that must not match
    raw: str = ""

    @property
    def is_empty(self) -> bool:
        """Nothing positive to look for (a query of only exclusions is empty too)."""
        return not (self.terms or self.phrases)

    @property
    def positive(self) -> tuple[str, ...]:
        return self.terms + self.phrases


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def parse_query(raw: str | None) -> ParsedQuery:
    """Parse what a member typed. Never raises; bad input gives an empty query."""
    text = unicodedata.normalize("NFKC", raw or "")[:MAX_QUERY_CHARS]
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    terms: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    if text.count('"') % 2:  # an unbalanced quote is treated as no quote at all
        text = text.replace('"', " ")
    for match in _TOKEN_RE.finditer(text):
        negated_phrase, phrase, negated_word, word = match.groups()
        if phrase is not None:
            words = _words(phrase)
            if not words:
                continue
            value = " ".join(words)
            (excluded if negated_phrase else phrases).append(value)
        else:
            words = _words(word or "")
            if not words:
                continue
            if negated_word and len(words) == 1:
                excluded.append(words[0])
            else:  # "-" alone, or punctuation between words: plain words
                terms.extend(words)
    terms = [term for term in terms if term.lower() not in STOP_WORDS]
    excluded = [item for item in excluded if item.lower() not in STOP_WORDS]
    return ParsedQuery(
        terms=tuple(dict.fromkeys(term.lower() for term in terms))[:MAX_TERMS],
        phrases=tuple(dict.fromkeys(phrase.lower() for phrase in phrases))[:MAX_TERMS],
        excluded=tuple(dict.fromkeys(item.lower() for item in excluded))[:MAX_TERMS],
        raw=(raw or "")[:MAX_QUERY_CHARS],
    )


def cjk_bigrams(text: str) -> str:
    """Split runs of Chinese characters into overlapping bigrams ("抓地力" → "抓地 地力"),
    leaving other text alone. A two-character word then matches anywhere inside a
    longer run without a dictionary; a single character stays a token of its own."""

    def split(match: re.Match) -> str:
        run = match.group(0)
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return CJK_RUN_RE.sub(split, text)


def has_cjk(text: str) -> bool:
    return bool(CJK_RUN_RE.search(text))
