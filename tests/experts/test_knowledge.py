# ruff: noqa: RUF001 (real Chinese punctuation)
"""The knowledge base: moderators promote a question's accepted answer into a Wagtail
page with QAPage JSON-LD; the rules, the page, its escaping and the section's list."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.home.models import HomePage, StandardPage
from community.members.models import Notification
from experts.models import KnowledgeBaseIndexPage, KnowledgeBasePage, Question
from experts.services.knowledge import answer_promote, knowledge_index_ensure
from tests.experts.factories_knowledge import accepted_answer, use_credentials_stand_in
from tests.factories import (
    AnswerFactory,
    BrandFactory,
    BrandStaffFactory,
    CertificateFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db
JSON_LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def _credentials_url(settings):
    use_credentials_stand_in(settings)


@pytest.fixture
def answer():
    return accepted_answer(
        title="How often should I oil a bike chain?",
        body="It squeaks after **rain**.",
        answer_body="Every 300 km, or after riding in the wet. See [the guide](https://example.com/oil).",
    )


def _promote_url(answer):
    return reverse("experts:answer_promote", args=[answer.pk])


def _json_ld(content: bytes) -> dict:
    blocks = JSON_LD_RE.findall(content.decode())
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


# --- the rules ------------------------------------------------------------------------


def test_moderator_promotes_the_accepted_answer(answer, moderator):
    page = answer_promote(moderator=moderator, answer=answer)

    page = KnowledgeBasePage.objects.get(pk=page.pk)
    assert page.live and not page.has_unpublished_changes
    assert page.title == answer.question.title
    assert page.slug == "how-often-should-i-oil-a-bike-chain"
    assert page.source_question_id == answer.question_id
    assert page.source_answer_id == answer.pk
    assert page.answer_author_id == answer.author_id
    assert page.answer_author_name == answer.author.public_name
    assert page.answer_expert_label == "Independent expert"
    assert page.answered_at == answer.created_at
    assert page.upvote_count == 3
    assert "<strong>rain</strong>" in page.question_body
    assert page.answer_body == answer.body_html
    assert page.search_description.startswith("Every 300 km")
    # Under "Help from experts" (slug "help"), under the site's home page.
    index = page.get_parent().specific
    assert isinstance(index, KnowledgeBaseIndexPage)
    assert (index.slug, index.title, index.live) == ("help", "Help from experts", True)
    assert isinstance(index.get_parent().specific, HomePage)
    # A revision published by the moderator, and the author is told.
    revision = page.latest_revision
    assert revision.user_id == moderator.pk
    assert page.live_revision_id == revision.pk
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    notification = Notification.objects.get(recipient=answer.author, kind="answer_promoted")
    assert notification.url == page.url
    assert notification.params["title"] == answer.question.title


def test_members_who_are_not_moderators_cannot_promote(answer, member):
    for who in (member, answer.question.author, answer.author):
        with pytest.raises(AccessDenied):
            answer_promote(moderator=who, answer=answer)
    assert not KnowledgeBasePage.objects.exists()


def test_an_answer_that_is_not_accepted_is_refused(moderator):
    question = accepted_answer().question
    other = AnswerFactory(question=question)
    with pytest.raises(DomainError) as caught:
        answer_promote(moderator=moderator, answer=other)
    assert caught.value.code == "not_accepted"
    # An answer to a question with no accepted answer at all.
    lonely = AnswerFactory()
    with pytest.raises(DomainError):
        answer_promote(moderator=moderator, answer=lonely)
    assert not KnowledgeBasePage.objects.exists()


def test_promoting_a_question_twice_is_a_conflict(answer, moderator):
    answer_promote(moderator=moderator, answer=answer)
    with pytest.raises(Conflict):
        answer_promote(moderator=moderator, answer=answer)
    # Even after the asker accepts another answer: one page per question.
    other = AnswerFactory(question=answer.question)
    Question.objects.filter(pk=answer.question_id).update(accepted_answer=other)
    other.refresh_from_db()
    with pytest.raises(Conflict):
        answer_promote(moderator=moderator, answer=other)
    assert KnowledgeBasePage.objects.count() == 1


@pytest.mark.parametrize("hidden", ["question", "answer"])
def test_hidden_questions_and_answers_are_refused(answer, moderator, hidden):
    target = answer.question if hidden == "question" else answer
    target.is_hidden = True
    target.save()
    with pytest.raises(DomainError) as caught:
        answer_promote(moderator=moderator, answer=answer)
    assert caught.value.code == "hidden"
    assert not KnowledgeBasePage.objects.exists()


def test_a_deleted_answer_is_not_found(answer, moderator):
    stale = type(answer).objects.get(pk=answer.pk)
    answer.delete()
    with pytest.raises(NotFound):
        answer_promote(moderator=moderator, answer=stale)


def test_chinese_titles_keep_their_slug(moderator):
    answer = accepted_answer(title="如何保养自行车链条？", answer_body="每骑三百公里上一次油。")
    page = answer_promote(moderator=moderator, answer=answer)
    assert page.slug == "如何保养自行车链条"


def test_unusable_titles_fall_back_to_the_question_id_and_slugs_stay_unique(moderator):
    punctuation = accepted_answer(title="??? !!! ???")
    page = answer_promote(moderator=moderator, answer=punctuation)
    assert page.slug == f"question-{punctuation.question_id}"
    first = answer_promote(moderator=moderator, answer=accepted_answer(title="Chain care"))
    second = answer_promote(moderator=moderator, answer=accepted_answer(title="Chain care"))
    assert (first.slug, second.slug) == ("chain-care", "chain-care-2")


def test_the_section_is_made_once_and_avoids_a_taken_slug(moderator):
    home = HomePage.objects.order_by("path").first()
    home.add_child(instance=StandardPage(title="Help", slug="help"))
    index = knowledge_index_ensure()
    assert index.slug == "help-2"
    assert knowledge_index_ensure().pk == index.pk
    answer_promote(moderator=moderator, answer=accepted_answer())
    assert KnowledgeBaseIndexPage.objects.count() == 1


def test_brand_staff_answers_carry_the_brand_employee_label(moderator):
    brand = BrandFactory(name="RoadGrip")
    answer = accepted_answer(tier="brand_staff", employer=brand)
    BrandStaffFactory(brand=brand, member=answer.author)
    page = answer_promote(moderator=moderator, answer=answer)
    assert page.answer_expert_label == "Brand employee · RoadGrip"


def test_a_label_written_before_becoming_brand_staff_adds_the_employer(moderator):
    """Brand staff are labelled wherever their name appears: an independent answer by
    someone now employed by a brand shows both."""
    answer = accepted_answer()
    brand = BrandFactory(name="ChainCo")
    CertificateFactory(member=answer.author, tier="brand_staff", employer=brand)
    page = answer_promote(moderator=moderator, answer=answer)
    assert page.answer_expert_label == "Independent expert · Brand employee · ChainCo"


def test_an_answer_by_a_member_who_was_not_an_expert_has_no_label(moderator):
    question = accepted_answer().question
    plain = AnswerFactory(question=question, author=MemberFactory())
    Question.objects.filter(pk=question.pk).update(accepted_answer=plain)
    plain.refresh_from_db()
    page = answer_promote(moderator=moderator, answer=plain)
    assert page.answer_expert_label == ""


# --- the view -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, answer):
    response = client.get(_promote_url(answer))
    assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(_promote_url(answer))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert not KnowledgeBasePage.objects.exists()


def test_members_get_a_403_page(client, answer, member):
    client.force_login(member)
    assert client.get(_promote_url(answer)).status_code == 403
    assert client.post(_promote_url(answer)).status_code == 403
    response = client.post(_promote_url(answer), HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert not KnowledgeBasePage.objects.exists()


def test_unknown_answers_are_404(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("experts:answer_promote", args=[999999])).status_code == 404
    assert client.post(reverse("experts:answer_promote", args=[999999])).status_code == 404


def test_get_confirms_and_post_promotes_then_redirects_to_the_page(client, answer, moderator):
    client.force_login(moderator)
    response = client.get(_promote_url(answer))
    assert response.status_code == 200
    assert b"Publish it in the knowledge base" in response.content
    assert not KnowledgeBasePage.objects.exists()  # GET changes nothing

    response = client.post(_promote_url(answer), follow=True)
    page = KnowledgeBasePage.objects.get()
    assert response.redirect_chain[0] == (page.url, 302)
    assert response.status_code == 200
    assert b"now a knowledge-base page" in response.content


def test_post_twice_is_409_with_a_link_to_the_page(client, answer, moderator):
    client.force_login(moderator)
    client.post(_promote_url(answer))
    response = client.post(_promote_url(answer))
    assert response.status_code == 409
    page = KnowledgeBasePage.objects.get()
    assert page.url.encode() in response.content
    assert b"already in the knowledge base" in response.content
    response = client.post(_promote_url(answer), HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_promoted"


def test_confirmation_explains_why_an_answer_cannot_be_promoted(client, moderator):
    question = accepted_answer().question
    other = AnswerFactory(question=question)
    client.force_login(moderator)
    response = client.get(_promote_url(other))
    assert response.status_code == 200
    assert b"Only the answer the asker accepted" in response.content
    assert b"Publish it in the knowledge base" not in response.content
    assert client.post(_promote_url(other)).status_code == 400


def test_json_clients_get_the_new_page(client, answer, moderator):
    client.force_login(moderator)
    response = client.post(_promote_url(answer), HTTP_ACCEPT="application/json")
    assert response.status_code == 201
    page = KnowledgeBasePage.objects.get()
    assert response.json() == {"page": page.pk, "url": page.url}


def test_promotion_is_post_only_for_changes(client, answer, moderator):
    client.force_login(moderator)
    assert client.put(_promote_url(answer)).status_code == 405
    assert not KnowledgeBasePage.objects.exists()


# --- the page -------------------------------------------------------------------------


def test_page_shows_question_answer_label_and_link_back(client, answer, moderator):
    page = answer_promote(moderator=moderator, answer=answer)
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "How often should I oil a bike chain?" in html
    assert "<strong>rain</strong>" in html
    # The sanitised Markdown survives Wagtail's |richtext unchanged.
    assert '<a href="https://example.com/oil" rel="nofollow ugc noopener">the guide</a>' in html
    assert "Expert answer · Independent expert" in html
    assert answer.author.public_name in html
    assert reverse("experts:credentials", args=[answer.author_id]) in html
    assert f'href="{answer.question.get_absolute_url()}"' in html


def test_page_carries_qa_page_json_ld(client, answer, moderator):
    page = answer_promote(moderator=moderator, answer=answer)
    data = _json_ld(client.get(page.url).content)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "QAPage"
    main = data["mainEntity"]
    assert main["@type"] == "Question"
    assert main["name"] == "How often should I oil a bike chain?"
    assert main["text"] == "It squeaks after rain."  # plain text, no HTML
    assert main["answerCount"] == 1
    assert main["dateCreated"] == answer.question.created_at.isoformat()
    assert main["author"] == {"@type": "Person", "name": answer.question.author.public_name}
    accepted = main["acceptedAnswer"]
    assert accepted["@type"] == "Answer"
    assert accepted["text"] == "Every 300 km, or after riding in the wet. See the guide."
    assert accepted["dateCreated"] == answer.created_at.isoformat()
    assert accepted["upvoteCount"] == 3
    assert accepted["url"] == f"{page.get_full_url()}#answer"
    assert accepted["url"].startswith("http")
    assert accepted["author"] == {"@type": "Person", "name": answer.author.public_name}


def test_hostile_titles_cannot_break_out_of_the_json_ld(client, moderator):
    hostile = "</script><script>alert(1)</script>"
    answer = accepted_answer(
        title=hostile, body="a & b <!-- c -->", answer_body="1 < 2 && 3 > 2 </script>"
    )
    page = answer_promote(moderator=moderator, answer=answer)
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)" not in html
    assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert(1)" in html
    data = _json_ld(html.encode())
    assert data["mainEntity"]["name"] == hostile
    assert data["mainEntity"]["acceptedAnswer"]["text"] == "1 < 2 && 3 > 2 </script>"
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the <h1>


def test_chinese_page_is_served_at_its_unicode_url(client, moderator):
    answer = accepted_answer(title="如何保养自行车链条？", answer_body="每骑三百公里上一次油。")
    page = answer_promote(moderator=moderator, answer=answer)
    response = client.get(page.url)
    assert response.status_code == 200
    assert "每骑三百公里上一次油。" in response.content.decode()
    assert _json_ld(response.content)["mainEntity"]["name"] == "如何保养自行车链条？"


def test_page_survives_its_question_being_deleted_or_hidden(client, answer, moderator):
    page = answer_promote(moderator=moderator, answer=answer)
    question = answer.question
    question.is_hidden = True
    question.save()
    html = client.get(page.url).content.decode()
    assert f'href="{question.get_absolute_url()}"' not in html  # nothing to link to
    assert "author" not in _json_ld(html.encode())["mainEntity"]
    question.delete()
    response = client.get(page.url)
    assert response.status_code == 200
    data = _json_ld(response.content)
    assert data["mainEntity"]["acceptedAnswer"]["author"]["name"] == page.answer_author_name


def test_page_of_a_closed_account_shows_the_stored_name(client, answer, moderator):
    page = answer_promote(moderator=moderator, answer=answer)
    name = page.answer_author_name
    answer.author.delete()
    response = client.get(page.url)
    assert response.status_code == 200
    assert name in response.content.decode()


# --- the section's list ---------------------------------------------------------------


def _add_pages(index, count, *, author, start=0):
    now = timezone.now()
    for n in range(start, start + count):
        page = KnowledgeBasePage(
            title=f"Question number {n}",
            slug=f"question-number-{n}",
            answer_body="<p>An answer.</p>",
            answer_author=author,
            answer_author_name=author.public_name,
            answer_expert_label="Independent expert",
            answered_at=now - timedelta(days=n),
            search_description=f"Answer excerpt {n}",
            live=True,
            first_published_at=now - timedelta(hours=n),
        )
        index.add_child(instance=page)


def test_index_lists_published_pages_newest_first(client, answer, moderator):
    page = answer_promote(moderator=moderator, answer=answer)
    index = page.get_parent().specific
    draft = KnowledgeBasePage(
        title="A draft nobody sees",
        slug="draft",
        answer_body="<p>x</p>",
        answer_author_name="x",
        answered_at=timezone.now(),
        live=False,
    )
    index.add_child(instance=draft)
    response = client.get(index.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert page.title in html and page.url in html
    assert "A draft nobody sees" not in html
    assert "Independent expert" in html


def test_index_empty_state(client):
    index = knowledge_index_ensure()
    response = client.get(index.url)
    assert response.status_code == 200
    assert b"No answers here yet" in response.content


def test_index_query_count_is_fixed(client, django_assert_max_num_queries):
    """Brand-staff authors (the costliest bylines) on every entry; the same count with
    10 and with 50 pages (20 per page): Wagtail's routing, the count and one page."""
    index = knowledge_index_ensure()
    author = CertificateFactory(tier="brand_staff", employer=BrandFactory(name="RoadGrip")).member
    counts = []
    for total in (10, 50):
        _add_pages(index, total - index.get_children().count(), author=author, start=total)
        client.get(index.url)  # warm what every request shares
        with django_assert_max_num_queries(10) as captured:
            response = client.get(index.url)
        counts.append(len(captured.captured_queries))
        assert response.status_code == 200
        assert response.content.count(b'class="card knowledge-entry"') == min(total, 20)
        assert b"Brand employee \xc2\xb7 RoadGrip" in response.content
    assert counts[0] == counts[1]
    last = client.get(index.url, {"page": 3})
    assert last.content.count(b'class="card knowledge-entry"') == 10


def test_knowledge_pages_are_wagtail_pages_editors_can_find(answer, moderator):
    page = answer_promote(moderator=moderator, answer=answer)
    assert Page.objects.live().type(KnowledgeBasePage).filter(pk=page.pk).exists()


# --- hiding takes the copy down -----------------------------------------------------------


@pytest.mark.parametrize("hidden", ["question", "answer"])
def test_hiding_the_question_or_its_answer_unpublishes_the_page(client, answer, moderator, hidden):
    from experts.services import questions as qa

    page = answer_promote(moderator=moderator, answer=answer)
    assert client.get(page.url).status_code == 200
    if hidden == "question":
        qa.question_hide(moderator=moderator, question=answer.question, reason="Unsafe advice")
    else:
        qa.answer_hide(moderator=moderator, answer=answer, reason="Unsafe advice")
    page.refresh_from_db()
    assert not page.live
    assert client.get(page.url).status_code == 404
    assert PageLogEntry.objects.filter(page=page, action="wagtail.unpublish").exists()


def test_hiding_another_answer_leaves_the_page_up(answer, moderator):
    from experts.services import questions as qa

    page = answer_promote(moderator=moderator, answer=answer)
    other = AnswerFactory(question=answer.question)
    qa.answer_hide(moderator=moderator, answer=other, reason="Off topic")
    page.refresh_from_db()
    assert page.live
