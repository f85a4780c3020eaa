"""community.text: Markdown rendering that nothing a member types can escape, and the
language guess used for search analyzers and lang attributes."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from community.text import detect_language, render_markdown

REL = "nofollow ugc noopener"


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Every real element (tag, attributes); escaped text does not count."""
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Parser().feed(html)
    return found


def tags(html: str) -> set[str]:
    return {tag for tag, _attrs in elements(html)}


def links(html: str) -> list[dict[str, str | None]]:
    return [attrs for tag, attrs in elements(html) if tag == "a"]


def test_basic_markdown():
    html = render_markdown("**bold** _em_ `code`\n\n- one\n- two\n\n> quoted")
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert tags(html) == {"p", "strong", "em", "code", "ul", "li", "blockquote"}


@pytest.mark.parametrize("text", ["", None])
def test_empty(text):
    assert render_markdown(text) == ""


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        '<iframe src="https://evil.example"></iframe>',
        '<a href="javascript:alert(1)">x</a>',
        '<svg onload="alert(1)"></svg>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<style>body{display:none}</style>",
        '<p onclick="alert(1)">x</p>',
    ],
)
def test_raw_html_never_becomes_markup(text):
    html = render_markdown(text)
    assert tags(html) <= {"p"}
    assert all(attrs == {} for _tag, attrs in elements(html))


@pytest.mark.parametrize(
    "text",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java%0ascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](data:image/png;base64,iVBORw0KGgo=)",
        "<javascript:alert(1)>",
        "[x][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_dangerous_link_schemes_dropped(text):
    for attrs in links(render_markdown(text)):
        href = attrs.get("href") or ""
        assert urlsplit(href).scheme in {"", "http", "https", "mailto"}
        assert not href.lower().lstrip().startswith(("javascript:", "vbscript:", "data:"))


def test_data_uri_in_markdown_link_loses_href():
    html = render_markdown("[x](data:image/png;base64,iVBORw0KGgo=)")
    assert links(html) == [{"rel": REL}]


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("[site](https://example.com/a?b=1&c=2)", "https://example.com/a?b=1&c=2"),
        ("[site](http://example.com)", "http://example.com"),
        ("<https://example.com>", "https://example.com"),
        ("[mail](mailto:help@example.com)", "mailto:help@example.com"),
        ("[here](/brands/acme/)", "/brands/acme/"),
    ],
)
def test_safe_links_kept_with_rel(text, href):
    assert links(render_markdown(text)) == [{"href": href, "rel": REL}]


def test_link_title_kept_and_member_rel_replaced():
    [attrs] = links(render_markdown('[x](https://example.com "Maker")'))
    assert attrs == {"href": "https://example.com", "title": "Maker", "rel": REL}


def test_images_not_hot_linked():
    html = render_markdown("![pic](https://evil.example/track.png)")
    assert "img" not in tags(html)


@pytest.mark.parametrize(("level", "expected"), [(1, "h3"), (2, "h3"), (3, "h3"), (4, "h4")])
def test_headings_demoted_below_the_page(level, expected):
    html = render_markdown("#" * level + " Verdict")
    assert html.strip() == f"<{expected}>Verdict</{expected}>"


def test_setext_h1_demoted():
    assert render_markdown("Verdict\n=======").strip() == "<h3>Verdict</h3>"


def test_code_block_escaped():
    html = render_markdown("```\n<script>alert(1)</script>\n```")
    assert tags(html) == {"pre", "code"}
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("texts", "language"),
    [
        (("这个水壶烧水很快，推荐购买。",), "zh"),  # noqa: RUF001 (real Chinese punctuation)
        (("很好", "烧水快"), "zh"),
        (("iPhone 15 手机非常好用，推荐",), "zh"),  # noqa: RUF001 (real Chinese punctuation)
        (("Great kettle", "Boils fast."), "en"),
        (("Great kettle 好",), "en"),  # one character in a sea of Latin letters
        (("",), "en"),
        ((), "en"),
        (("12345 !!! ???",), "en"),
        (("Привет мир",), "en"),
    ],
)
def test_detect_language(texts, language):
    assert detect_language(*texts) == language


def test_detect_language_threshold():
    assert detect_language("abcd" + "好") == "zh"  # 1 of 5 letters: 20%
    assert detect_language("abcde" + "好") == "en"  # 1 of 6: below 20%
