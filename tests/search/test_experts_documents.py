# ruff: noqa: RUF001 (real Chinese punctuation)
"""The experts' document kinds (question, answer, expert) through every configured
backend: the same corpus, rebuilt with index_rebuild, gives the same hits."""

import pytest
from django.contrib.auth.models import AnonymousUser

from community.text import render_markdown
from experts.models import ExpertProfile
from search import services
from search.types import SearchFilters
from tests.factories import (
    AnswerFactory,
    BrandFactory,
    CertificateFactory,
    MemberFactory,
    QuestionFactory,
)

ANONYMOUS = AnonymousUser()


def _hits(query, **filters) -> set[str]:
    results = services.search(query, user=ANONYMOUS, filters=SearchFilters(**filters))
    return {f"{hit.doc_type}:{hit.doc_id}" for hit in results.hits}


@pytest.fixture
def corpus(search_backend):
    def question(title, body="", language="en", **fields):
        return QuestionFactory(
            title=title, body=body, body_html=render_markdown(body), language=language, **fields
        )

    def answer(to, body, **fields):
        return AnswerFactory(question=to, body=body, body_html=render_markdown(body), **fields)

    brand = BrandFactory(name="Roadgrip", slug="roadgrip")
    expert = CertificateFactory(
        tier="brand_staff",
        employer=brand,
        headline="Tyre engineer",
        member=MemberFactory(display_name="Tess Tread"),
    ).member
    rain = question("Tyres in the rain", "Which pressure when wet?")
    rain_answer = answer(rain, "Drop the pressure by ten percent.", author=expert)
    zh = question("雨天轮胎气压多少合适？", "路面湿滑。", language="zh")
    zh_answer = answer(zh, "比平时低一点，大约降低百分之十。")
    hidden = question("Hidden tyre question", is_hidden=True)
    answer(hidden, "Hidden pressure answer.")
    services.index_rebuild()
    profile = ExpertProfile.objects.get(member=expert)
    return {
        "rain": f"question:{rain.pk}",
        "rain_answer": f"answer:{rain_answer.pk}",
        "zh": f"question:{zh.pk}",
        "zh_answer": f"answer:{zh_answer.pk}",
        "hidden": f"question:{hidden.pk}",
        "expert": f"expert:{profile.pk}",
    }


def test_each_kind_is_found_and_hidden_ones_are_not(corpus):
    assert _hits("pressure") == {corpus["rain"], corpus["rain_answer"]}
    assert _hits("pressure", types=("answer",)) == {corpus["rain_answer"]}
    assert _hits("tyre engineer", types=("expert",)) == {corpus["expert"]}
    assert corpus["expert"] in _hits("brand employee roadgrip")
    assert corpus["rain_answer"] in _hits("Tess Tread", types=("answer",))


def test_chinese_questions_and_answers_by_two_characters(corpus):
    assert _hits("气压") == {corpus["zh"], corpus["zh_answer"]}  # the answer has its title
    assert _hits("百分", types=("answer",)) == {corpus["zh_answer"]}
    assert corpus["zh"] in _hits("湿滑", language="zh")


def test_brand_facet_of_experts(corpus):
    assert _hits("engineer", brand="roadgrip") == {corpus["expert"]}
