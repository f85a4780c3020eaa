# ruff: noqa: RUF001 (real Chinese punctuation)
"""Questions, answers and experts in search (experts/search_documents.py), kept up to
date by search's signals and experts/signals.py. On the database backend, which is
written in the same transaction (the engine's contract is in tests/search)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from community.members.models import Member
from community.text import render_markdown
from experts.models import Certificate, ExpertProfile
from experts.services.certification import certificates_expire
from experts.services.knowledge import answer_promote
from search import services
from search.backends import DATABASE_BACKEND, reset_backends
from search.indexing import documents_for_keys
from search.models import SearchEntry
from search.types import SearchFilters
from tests.experts.factories_knowledge import accepted_answer
from tests.factories import (
    AnswerFactory,
    BrandFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ProductFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db
ANONYMOUS = AnonymousUser()


@pytest.fixture(autouse=True)
def _database_search(settings):
    settings.SEARCH = {"BACKEND": DATABASE_BACKEND}
    reset_backends()
    yield
    reset_backends()


def _found(query, kind=None, user=ANONYMOUS) -> set[str]:
    filters = SearchFilters(types=(kind,)) if kind else None
    results = services.search(query, user=user, filters=filters)
    return {f"{hit.doc_type}:{hit.doc_id}" for hit in results.hits}


def _keys() -> set[str]:
    return set(SearchEntry.objects.values_list("key", flat=True))


def _question(title, body="", **fields):
    return QuestionFactory(title=title, body=body, body_html=render_markdown(body), **fields)


def _answer(question, body, **fields):
    return AnswerFactory(question=question, body=body, body_html=render_markdown(body), **fields)


# --- questions ------------------------------------------------------------------------


def test_a_question_is_found_by_its_title_details_and_answers():
    brand = BrandFactory(name="Roadgrip", slug="roadgrip")
    product = ProductFactory(brand=brand, name="Sport Five")
    question = _question("Tyre pressure for gravel?", "I ride **mixed** surfaces.", product=product)
    _answer(question, "Try forty psi with tubeless sealant.")
    key = f"question:{question.pk}"
    assert key in _found("gravel", "question")
    assert key in _found("mixed surfaces", "question")
    assert key in _found("tubeless", "question")  # an answer's text
    assert key in _found("Sport Five", "question")  # the product, as context
    hit = services.search("gravel", user=ANONYMOUS, filters=SearchFilters(types=("question",)))
    hit = hit.hits[0]
    assert hit.url == reverse("experts:question_detail", args=[question.pk])
    assert hit.brand_name == "Roadgrip"
    assert "**" not in SearchEntry.objects.get(key=key).body


def test_a_hidden_question_and_its_answers_leave_the_index():
    question = _question("Squeaky brake pads after rain")
    answer = _answer(question, "Sand the pads lightly.")
    assert _found("squeaky") == {f"question:{question.pk}", f"answer:{answer.pk}"}
    question.is_hidden = True
    question.save(update_fields=["is_hidden"])
    assert _found("squeaky") == set()
    assert _found("sand pads") == set()
    question.is_hidden = False
    question.save(update_fields=["is_hidden"])
    assert _found("squeaky") == {f"question:{question.pk}", f"answer:{answer.pk}"}


def test_a_hidden_answer_leaves_the_index_and_its_question_text():
    question = _question("Waxing a chain")
    answer = _answer(question, "Paraffin works better than oil.")
    assert _found("paraffin") == {f"question:{question.pk}", f"answer:{answer.pk}"}
    answer.is_hidden = True
    answer.save(update_fields=["is_hidden"])
    assert _found("paraffin") == set()
    assert f"question:{question.pk}" in _found("waxing")


def test_a_deleted_answer_leaves_the_question_text():
    question = _question("Storing a bike in winter")
    answer = _answer(question, "Hang it from the ceiling.")
    answer.delete()
    assert _found("ceiling") == set()
    assert f"answer:{answer.pk}" not in _keys()


def test_a_chinese_question_is_found_by_two_characters():
    question = _question("自行车链条多久上一次油？", "下雨以后链条有异响。", language="zh")
    answer = _answer(question, "每骑三百公里或者雨天骑行后上油。")
    assert f"question:{question.pk}" in _found("链条")
    assert f"question:{question.pk}" in _found("异响")
    assert f"answer:{answer.pk}" in _found("公里", "answer")
    zh = services.search("链条", user=ANONYMOUS, filters=SearchFilters(language="zh"))
    assert f"question:{question.pk}" in {f"{h.doc_type}:{h.doc_id}" for h in zh.hits}


# --- answers --------------------------------------------------------------------------


def test_an_answer_is_found_with_its_author_and_expert_label():
    brand = BrandFactory(name="Chainco", slug="chainco")
    answer = accepted_answer(
        title="Which chain lube?", answer_body="A dry lube in summer.", tier="brand_staff",
        employer=brand,
    )  # fmt: skip
    key = f"answer:{answer.pk}"
    assert key in _found("dry lube", "answer")
    assert key in _found(answer.author.public_name, "answer")
    assert key in _found("brand employee chainco", "answer")
    hit = services.search("dry lube", user=ANONYMOUS, filters=SearchFilters(types=("answer",)))
    assert hit.hits[0].url == f"{answer.question.get_absolute_url()}#answer-{answer.pk}"
    assert hit.hits[0].title == "Which chain lube?"


def test_renaming_the_author_or_the_question_reindexes_the_answer():
    question = _question("Cleaning a cassette")
    author = MemberFactory(display_name="Ada")
    answer = _answer(question, "Use a degreaser.", author=author)
    author.display_name = "Grace Hopper"
    author.save()
    assert f"answer:{answer.pk}" in _found("Grace Hopper", "answer")
    question.title = "Cleaning a rusty cassette"
    question.save(update_fields=["title"])
    assert f"answer:{answer.pk}" in _found("rusty", "answer")


def test_a_member_saved_at_login_reindexes_nothing(django_assert_num_queries):
    answer = accepted_answer()
    author = Member.objects.get(pk=answer.author_id)
    author.last_login = timezone.now()
    with django_assert_num_queries(1):  # the UPDATE alone
        author.save(update_fields=["last_login"])


def test_a_certificate_change_reindexes_the_answers_context():
    answer = accepted_answer(answer_body="Check the rim tape.")
    assert f"answer:{answer.pk}" in _found("independent expert", "answer")
    certificate = Certificate.objects.get(member=answer.author)
    certificate.status = Certificate.Status.REVOKED
    certificate.save(update_fields=["status"])
    assert f"answer:{answer.pk}" in _found("rim tape", "answer")
    # The snapshot still says how they were certified when they answered.
    assert f"answer:{answer.pk}" in _found("independent expert", "answer")
    brand = BrandFactory(name="Wheelworks")
    CertificateFactory(member=answer.author, tier="brand_staff", employer=brand)
    assert f"answer:{answer.pk}" in _found("wheelworks", "answer")


# --- experts --------------------------------------------------------------------------


def _expert(**fields):
    certificate = CertificateFactory(**fields)
    profile = ExpertProfile.objects.get(member=certificate.member)
    return certificate, f"expert:{profile.pk}"


def test_an_expert_is_found_by_name_headline_field_and_tier():
    category = CategoryFactory(name="Running shoes")
    member = MemberFactory(display_name="Dr Imelda Stride")
    _certificate, key = _expert(
        member=member, headline="Podiatrist, 12 years", categories=[category]
    )
    ExpertProfile.objects.filter(member=member).update(
        about="I study gait.", about_html=render_markdown("I study **gait**.")
    )
    ExpertProfile.objects.get(member=member).save()  # a profile edit
    assert key in _found("Imelda", "expert")
    assert key in _found("podiatrist", "expert")
    assert key in _found("running shoes", "expert")
    assert key in _found("independent expert", "expert")
    assert key in _found("gait", "expert")
    hit = services.search("Imelda", user=ANONYMOUS).hits[0]
    assert hit.url == reverse("experts:profile", args=[member.pk])
    assert hit.title == "Dr Imelda Stride"


def test_brand_staff_experts_carry_the_brand_employee_label_and_brand_facet():
    brand = BrandFactory(name="Roadgrip", slug="roadgrip")
    _certificate, key = _expert(tier="brand_staff", employer=brand, headline="Tyre engineer")
    assert key in _found("brand employee roadgrip", "expert")
    results = services.search("tyre engineer", user=ANONYMOUS)
    assert results.hits[0].brand_name == "Roadgrip"
    assert key in _found("engineer", "expert") & {
        f"{h.doc_type}:{h.doc_id}"
        for h in services.search(
            "engineer", user=ANONYMOUS, filters=SearchFilters(brand="roadgrip")
        ).hits
    }


def test_an_expert_whose_certificate_ends_drops_out():
    certificate, key = _expert(headline="Frame builder")
    assert key in _found("frame builder")
    certificate.status = Certificate.Status.EXPIRED
    certificate.save(update_fields=["status"])
    assert key not in _found("frame builder")
    certificate.status = Certificate.Status.ACTIVE
    certificate.save(update_fields=["status"])
    assert key in _found("frame builder")
    certificate.expires_at = timezone.now() - timedelta(minutes=1)  # past, still "active"
    certificate.save(update_fields=["expires_at"])
    assert key not in _found("frame builder")


def test_the_daily_expiry_run_drops_expired_experts_out():
    """The daily run updates certificates in bulk (no signals), so it reindexes the
    members whose certificates it expired itself."""
    certificate, key = _expert(headline="Spoke tensioner")
    answer = _answer(_question("Truing a wheel"), "Quarter turns.", author=certificate.member)
    _other, other_key = _expert(headline="Spoke threader")
    assert {key, other_key} <= _found("spoke")
    assert f"answer:{answer.pk}" in _found("independent expert", "answer")
    Certificate.objects.filter(pk=certificate.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert key in _found("spoke tensioner")  # bulk writes send no signal
    assert certificates_expire() == 1
    assert key not in _found("spoke")
    assert other_key in _found("spoke")
    assert f"answer:{answer.pk}" not in _found("independent expert", "answer")


def test_an_expert_with_another_current_certificate_stays():
    certificate, key = _expert(headline="Wheel builder")
    CertificateFactory(member=certificate.member, headline="Saddle fitter")
    certificate.status = Certificate.Status.REVOKED
    certificate.save(update_fields=["status"])
    assert key in _found("saddle fitter", "expert")
    assert key not in _found("wheel builder", "expert")


def test_a_closed_account_drops_out():
    certificate, key = _expert(headline="Bike fitter")
    member = certificate.member
    member.is_active = False
    member.save()
    assert key not in _found("bike fitter")


def test_certificate_fields_changed_later_reindex_the_expert():
    certificate, key = _expert(headline="Mechanic")
    category = CategoryFactory(name="Folding bikes")
    brand = BrandFactory(name="Brompt")
    assert key not in _found("folding bikes")
    certificate.categories.add(category)
    assert key in _found("folding bikes", "expert")
    certificate.brands.add(brand)
    assert key in _found("brompt", "expert")
    category.name = "Touring bikes"  # a renamed field
    category.save()
    assert key in _found("touring bikes", "expert")
    certificate.categories.clear()
    assert key not in _found("touring bikes", "expert")


def test_rebuild_includes_questions_answers_and_experts():
    question = _question("Brake bleeding interval")
    answer = _answer(question, "Once a year with mineral oil.")
    _certificate, expert_key = _expert(headline="Hydraulics specialist")
    SearchEntry.objects.all().delete()
    services.index_rebuild()
    assert {f"question:{question.pk}", f"answer:{answer.pk}", expert_key} <= _keys()
    assert f"question:{question.pk}" in _found("bleeding")


def test_documents_for_keys_reads_each_kind_in_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    questions = [_question(f"Question {n} about saddles") for n in range(5)]
    for question in questions:
        for _ in range(3):
            _answer(question, "Sit bones matter.")
    keys = [f"question:{q.pk}" for q in questions]
    with django_assert_max_num_queries(2):
        documents, gone = documents_for_keys(keys)
    assert len(documents) == 5 and not gone


def test_the_search_page_shows_questions_and_experts(client):
    question = _question("Cleats for touring shoes")
    _certificate, _key = _expert(member=MemberFactory(display_name="Touring Tess"))
    response = client.get(reverse("search:search"), {"q": "touring"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cleats for touring shoes" in html
    assert question.get_absolute_url() in html
    assert "Touring Tess" in html


def test_a_promoted_answer_is_found_as_a_page_until_unpublished(moderator):
    answer = accepted_answer(
        title="Replacing a derailleur hanger", answer_body="Unscrew the two bolts."
    )
    page = answer_promote(moderator=moderator, answer=answer)
    assert f"page:{page.pk}" in _found("derailleur", "page")
    assert f"page:{page.pk}" in _found("bolts", "page")  # the meta description
    page.unpublish()
    assert f"page:{page.pk}" not in _found("derailleur", "page")
