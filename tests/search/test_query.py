# ruff: noqa: RUF001 (full-width letters and Chinese punctuation are the point here)
"""search.query: what members type becomes plain words and phrases, never syntax."""

import pytest

from search.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    ParsedQuery,
    cjk_bigrams,
    has_cjk,
    parse_query,
)


def parts(query: ParsedQuery) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return query.terms, query.phrases, query.excluded


# --- words, phrases, exclusions -----------------------------------------------------


def test_plain_terms_are_lowercased_words():
    query = parse_query("Wet ROADS grip")
    assert parts(query) == (("wet", "roads", "grip"), (), ())
    assert query.positive == ("wet", "roads", "grip")
    assert not query.is_empty
    assert query.raw == "Wet ROADS grip"


def test_quoted_phrase():
    assert parts(parse_query('"Wet roads" grip')) == (("grip",), ("wet roads",), ())


def test_curly_quotes_are_quotes():
    assert parts(parse_query("\u201cwet roads\u201d")) == ((), ("wet roads",), ())


def test_phrase_punctuation_is_dropped_inside_the_phrase():
    assert parts(parse_query('"wet, roads!"')) == ((), ("wet roads",), ())


def test_unbalanced_quote_is_no_quote_at_all():
    assert parts(parse_query('"wet roads')) == (("wet", "roads"), (), ())
    assert parts(parse_query('grip "wet roads" "rain')) == (
        ("grip", "wet", "roads", "rain"),
        (),
        (),
    )


def test_excluded_word():
    query = parse_query("grip -rain")
    assert parts(query) == (("grip",), (), ("rain",))
    assert query.positive == ("grip",)


def test_excluded_phrase():
    assert parts(parse_query('grip -"wet roads"')) == (("grip",), (), ("wet roads",))


def test_only_exclusions_is_empty():
    query = parse_query("-rain -snow")
    assert query.excluded == ("rain", "snow")
    assert query.is_empty


@pytest.mark.parametrize("raw", ['- -- "" -""', "", "   ", None, "-", '""', "*", "?", "/", "\\"])
def test_only_operators_is_empty(raw):
    query = parse_query(raw)
    assert parts(query) == ((), (), ())
    assert query.is_empty


def test_hyphenated_word_is_plain_words():
    assert parts(parse_query("well-made")) == (("well", "made"), (), ())
    assert parts(parse_query("-well-made")) == (("well", "made"), (), ())


def test_duplicates_are_removed_keeping_order():
    query = parse_query('Grip grip GRIP rain "wet roads" "WET roads" -snow -Snow')
    assert parts(query) == (("grip", "rain"), ("wet roads",), ("snow",))


def test_terms_are_capped():
    query = parse_query(" ".join(f"w{i}" for i in range(40)))
    assert query.terms == tuple(f"w{i}" for i in range(MAX_TERMS))


def test_phrases_and_exclusions_are_capped():
    phrases = " ".join(f'"p{i} q"' for i in range(20))
    assert len(parse_query(phrases).phrases) == MAX_TERMS
    excluded = " ".join(f"-x{i}" for i in range(20))
    assert len(parse_query(excluded).excluded) == MAX_TERMS


def test_long_query_is_truncated():
    raw = "grip " * 2000  # 10,000 characters
    query = parse_query(raw)
    assert len(raw) == 10_000
    assert len(query.raw) == MAX_QUERY_CHARS
    assert query.terms == ("grip",)


def test_long_single_word_is_truncated():
    query = parse_query("x" * 10_000)
    assert query.terms == ("x" * MAX_QUERY_CHARS,)


# --- search-engine and SQL syntax is punctuation ------------------------------------


# Operator words may be dropped as stop words; they must never act as operators.
OPERATOR_WORDS = {"and", "or", "not", "to"}


@pytest.mark.parametrize(
    ("raw", "terms"),
    [
        ("title:foo", ("title", "foo")),
        ("x AND y", ("x", "and", "y")),
        ("x OR y NOT z", ("x", "or", "y", "not", "z")),
        ("(x)", ("x",)),
        ("x^2", ("x", "2")),
        ("x~", ("x",)),
        ("x~2", ("x", "2")),
        ("gri*", ("gri",)),
        ("gr?p", ("gr", "p")),
        ("x\\y", ("x", "y")),
        ("/regex/", ("regex",)),
        ("+must !not", ("must", "not")),
        ("[x TO y] {z}", ("x", "to", "y", "z")),
        ("x && y || z", ("x", "y", "z")),
        ("' OR 1=1 --", ("or", "1")),
        ("x' OR '1'='1", ("x", "or", "1")),
        (";DROP TABLE reviews;", ("drop", "table", "reviews")),
        ("NEAR(x y)", ("near", "x", "y")),
        ("x:y:z", ("x", "y", "z")),
        ("<script>alert(1)</script>", ("script", "alert", "1")),
    ],
)
def test_syntax_characters_become_plain_words(raw, terms):
    query = parse_query(raw)
    assert [t for t in query.terms if t not in OPERATOR_WORDS] == [
        t for t in terms if t not in OPERATOR_WORDS
    ]
    assert set(query.terms) <= set(terms)
    assert query.phrases == ()
    assert query.excluded == ()
    for word in query.terms:  # every word is letters, digits or CJK: nothing to escape
        assert word.replace("_", "").isalnum()


def test_syntax_inside_a_phrase_is_dropped():
    assert parse_query('"title:foo (bar)"').phrases == ("title foo bar",)


def test_never_raises_on_odd_input():
    for raw in ["\x00", "\ud800", "\u200b", "💥 grip", "🙂", "a\nb\tc", '"' * 7, "-" * 50]:
        parse_query(raw)


# --- normalisation and Chinese ------------------------------------------------------


def test_nfkc_full_width_letters_and_digits():
    assert parse_query("ＧＲＩＰ ｒｏａｄ １２").terms == ("grip", "road", "12")


def test_nfkc_full_width_operators():
    # Full-width quote and hyphen-minus normalise to the ASCII operators.
    assert parts(parse_query("ｇｒｉｐ －ｒａｉｎ ＂ｗｅｔ ｒｏａｄｓ＂")) == (
        ("grip",),
        ("wet roads",),
        ("rain",),
    )


def test_chinese_run_is_one_term():
    query = parse_query("湿地抓地力很好")
    assert query.terms == ("湿地抓地力很好",)
    assert not query.is_empty


def test_chinese_punctuation_separates():
    assert parse_query("抓地，防水。").terms == ("抓地", "防水")


def test_chinese_phrase_and_exclusion():
    assert parts(parse_query('"抓地力" -下雨 防水')) == (("防水",), ("抓地力",), ("下雨",))


def test_mixed_chinese_and_latin():
    assert parse_query("Nike 跑鞋").terms == ("nike", "跑鞋")


def test_cjk_bigrams_split_runs():
    assert cjk_bigrams("抓地力").split() == ["抓地", "地力"]
    assert cjk_bigrams("湿地抓地力很好").split() == ["湿地", "地抓", "抓地", "地力", "力很", "很好"]


def test_cjk_bigrams_two_char_word_is_one_of_the_bigrams():
    assert "抓地" in cjk_bigrams("湿地抓地力很好").split()


def test_cjk_bigrams_single_character_stays():
    assert cjk_bigrams("雨").split() == ["雨"]
    assert cjk_bigrams("a雨b").split() == ["a", "雨", "b"]


def test_cjk_bigrams_leave_other_text_alone():
    assert cjk_bigrams("wet roads") == "wet roads"
    assert cjk_bigrams("grip 抓地力 ok").split() == ["grip", "抓地", "地力", "ok"]
    assert cjk_bigrams("") == ""


def test_cjk_bigrams_extension_a_and_compatibility_ideographs():
    assert cjk_bigrams("\u3400\u3401\u3402").split() == ["\u3400\u3401", "\u3401\u3402"]
    assert cjk_bigrams("\uf900\uf901").split() == ["\uf900\uf901"]


def test_has_cjk():
    assert has_cjk("wet 抓地")
    assert not has_cjk("wet roads")
    assert not has_cjk("")
