"""search.highlight: snippets are escaped text with <mark> around what matched."""

import pytest

from search.highlight import ELLIPSIS, highlight, sanitise, stem
from search.query import parse_query


@pytest.mark.parametrize(
    ("word", "other"),
    [("running", "run"), ("runs", "run"), ("roads", "road"), ("used", "use"),
     ("batteries", "battery"), ("shoes", "shoe"), ("boxes", "box"), ("Café", "cafe")],
)  # fmt: skip
def test_light_stemming_agrees(word, other):
    assert stem(word) == stem(other)


def test_marks_words_by_stem_and_escapes_the_rest():
    snippet = highlight("I <b>run</b> & keep Running.", parse_query("running"))
    assert snippet == "I &lt;b&gt;<mark>run</mark>&lt;/b&gt; &amp; keep <mark>Running</mark>."


def test_phrase_words_are_marked_and_excluded_words_are_not():
    snippet = highlight("wet roads and mud", parse_query('"wet roads" -mud'))
    assert snippet == "<mark>wet</mark> <mark>roads</mark> and mud"


def test_chinese_is_marked_inside_longer_runs():
    assert highlight("湿地抓地力很好", parse_query("抓地")) == "湿地<mark>抓地</mark>力很好"
    assert highlight("湿地抓地力很好", parse_query("抓地力 很好")) == (
        "湿地<mark>抓地力</mark><mark>很好</mark>"
    )


def test_long_text_is_cut_around_the_first_match():
    text = "filler " * 100 + "the superb grip " + "tail " * 100
    snippet = highlight(text, parse_query("superb"), length=80)
    assert snippet.startswith(ELLIPSIS) and snippet.endswith(ELLIPSIS)
    assert "<mark>superb</mark>" in snippet
    assert len(snippet) < 120


def test_no_match_gives_the_beginning():
    assert highlight("Just some words", parse_query("absent")) == "Just some words"
    assert highlight("", parse_query("absent")) == ""


def test_sanitise_keeps_only_bare_marks():
    dirty = '<mark class="x">ok</mark><script>alert(1)</script><em onclick="x">em</em>'
    assert sanitise(dirty) == "<mark>ok</mark>em"
