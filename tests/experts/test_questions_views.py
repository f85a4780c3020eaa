"""Pages and actions of questions and answers: what each viewer sees, refusals as 4xx
(never a 500), and fixed query counts on the list and the question page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse

from experts.models import Answer, AnswerPhoto, QAComment, Question, Tier, Vote
from experts.selectors import questions as selectors
from experts.services import questions as services
from tests.experts.factories_questions import make_expert, use_credentials_stand_in
from tests.factories import (
    AnswerFactory,
    BrandFactory,
    BrandStaffFactory,
    CategoryFactory,
    MemberFactory,
    ProductFactory,
    QuestionFactory,
    image_upload,
    no_rate_limits,
)

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999999"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture(autouse=True)
def _credentials_url(settings):
    use_credentials_stand_in(settings)


def _detail(question) -> str:
    return reverse("experts:question_detail", args=[question.pk])


def _vote(client, *, value, reason="", json_client=False, **target):
    data = {"value": value, "reason": reason, **{k: v.pk for k, v in target.items()}}
    extra = JSON if json_client else {}
    return client.post(reverse("experts:vote"), data, **extra)


# --- the list ---------------------------------------------------------------------------


def test_empty_list_invites_to_ask(client):
    response = client.get(reverse("experts:question_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No questions yet" in page
    assert reverse("experts:question_ask") in page


def test_list_filters_and_sorts(client):
    category, other = CategoryFactory(), CategoryFactory()
    expert = make_expert(categories=[category])
    answered = QuestionFactory(title="Answered by an expert, in the field?", category=category)
    unanswered = QuestionFactory(title="Nobody answered me yet, anyone?", category=other)
    services.answer_create(author=expert, question=answered, body="Yes.")  # the latest activity
    Question.objects.filter(pk=unanswered.pk).update(score=5)
    url = reverse("experts:question_list")

    def titles(**params):
        return [q.title for q in client.get(url, params).context["page"].object_list]

    assert titles() == [unanswered.title, answered.title]
    assert titles(category=category.slug) == [answered.title]
    assert titles(unanswered="on") == [unanswered.title]
    assert titles(expert_answered="on") == [answered.title]
    assert titles(sort="votes") == [unanswered.title, answered.title]
    assert titles(sort="active")[0] == answered.title
    # Bad values are ignored, not errors.
    assert client.get(url, {"category": "nope", "sort": "x", "page": "zz"}).status_code == 200
    assert (
        "No question matches"
        in client.get(url, {"unanswered": "on", "category": category.slug}).content.decode()
    )


def test_product_filter(client, product):
    about = QuestionFactory(product=product, category=product.category)
    QuestionFactory()
    response = client.get(reverse("experts:question_list"), {"product": product.pk})
    assert [q.pk for q in response.context["page"].object_list] == [about.pk]
    assert f"?product={product.pk}" in response.content.decode()


def test_hidden_questions_only_for_author_and_moderators(client, member, moderator):
    hidden = QuestionFactory(author=member, is_hidden=True, title="A hidden question here?")
    url = reverse("experts:question_list")
    assert hidden.title not in client.get(url).content.decode()
    assert client.get(_detail(hidden)).status_code == 404
    client.force_login(MemberFactory())
    assert client.get(_detail(hidden)).status_code == 404
    for viewer in (member, moderator):
        client.force_login(viewer)
        assert hidden.title in client.get(url).content.decode()
        assert client.get(_detail(hidden)).status_code == 200


def _seed_questions(count, *, authors, experts, product):
    for n in range(count):
        question = QuestionFactory(
            author=authors[n % len(authors)],
            product=product if n % 2 else None,
            category=product.category,
            directed_to=experts[n % len(experts)] if n % 3 == 0 else None,
        )
        AnswerFactory(
            question=question,
            author=experts[(n + 1) % len(experts)],
            expert_tier=Tier.BRAND_STAFF,
        )


def test_list_query_count_is_fixed(client, settings, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(selectors, "QUESTIONS_PER_PAGE", 100)
    product = ProductFactory()
    experts = [
        make_expert(tier=Tier.BRAND_STAFF, employer=product.brand),
        make_expert(categories=[product.category]),
    ]
    authors = [MemberFactory(), experts[0]]
    client.force_login(MemberFactory())
    url = reverse("experts:question_list")
    _seed_questions(10, authors=authors, experts=experts, product=product)
    with django_assert_max_num_queries(12) as ten:
        response = client.get(url)
    assert response.content.decode().count('class="question-row') == 10
    _seed_questions(40, authors=authors, experts=experts, product=product)
    with django_assert_max_num_queries(12) as fifty:
        response = client.get(url)
    page = response.content.decode()
    assert page.count('class="question-row') == 50
    assert f"Brand employee · {product.brand.name}" in page
    assert len(fifty) == len(ten)


# --- asking ---------------------------------------------------------------------------


def test_ask_needs_login(client):
    response = client.get(reverse("experts:question_ask"))
    assert response.status_code == 302 and "login" in response.url


def test_ask_the_community(client, member):
    client.force_login(member)
    category = CategoryFactory()
    response = client.post(
        reverse("experts:question_ask"),
        {"title": "Is it safe to ride in the snow?", "body": "**Really**", "category": category.pk},
    )
    question = Question.objects.get()
    assert response.status_code == 302 and response.url == _detail(question)
    assert question.category == category
    page = client.get(response.url).content.decode()
    assert "<strong>Really</strong>" in page


def test_ask_about_a_product(client, member, product):
    client.force_login(member)
    url = reverse("experts:question_ask") + f"?product={product.pk}"
    page = client.get(url).content.decode()
    assert product.name in page
    assert 'name="category"' not in page  # the product gives the field
    client.post(url, {"title": "How long do these tyres last?"})
    question = Question.objects.get()
    assert (question.product, question.category) == (product, product.category)


def test_ask_an_expert(client, member):
    expert = make_expert(categories=[CategoryFactory()], response_hours=48)
    client.force_login(member)
    url = reverse("experts:question_ask") + f"?expert={expert.pk}"
    page = client.get(url).content.decode()
    assert expert.public_name in page and "48 hours" in page
    response = client.post(url, {"title": "Would you recommend this saddle?"})
    assert response.status_code == 302
    assert Question.objects.get().directed_to == expert


def test_ask_an_expert_who_takes_no_questions(client, member):
    expert = make_expert(accepts_questions=False)
    client.force_login(member)
    url = reverse("experts:question_ask") + f"?expert={expert.pk}"
    assert "does not take questions" in client.get(url).content.decode()
    response = client.post(url, {"title": "Would you recommend this saddle?"})
    assert response.status_code == 400
    assert "does not take questions" in response.content.decode()
    assert not Question.objects.exists()


@pytest.mark.parametrize("query", ["product=abc", f"product={HUGE}", "product=-1", "expert=0"])
def test_ask_with_unknown_targets_is_404(client, member, query):
    client.force_login(member)
    assert client.get(reverse("experts:question_ask") + "?" + query).status_code == 404


def test_ask_a_non_expert_is_404(client, member, other_member):
    client.force_login(member)
    url = reverse("experts:question_ask") + f"?expert={other_member.pk}"
    assert client.get(url).status_code == 404


def test_ask_form_errors(client, member):
    client.force_login(member)
    response = client.post(reverse("experts:question_ask"), {"title": "Short"})
    assert response.status_code == 400
    assert not Question.objects.exists()


# --- the question page ----------------------------------------------------------------


def test_question_page_for_anonymous(client):
    question = QuestionFactory()
    AnswerFactory(question=question)
    response = client.get(_detail(question))
    assert response.status_code == 200
    page = response.content.decode()
    assert question.title in page
    assert "to answer this question" in page
    assert reverse("experts:vote") not in page  # no vote buttons when signed out


@pytest.mark.parametrize(
    "path",
    [
        f"/questions/{HUGE}/",
        "/questions/0/",
        f"/questions/answers/{HUGE}/edit/",
        f"/questions/{HUGE}/close/",
        f"/questions/comments/{HUGE}/delete/",
    ],
)
def test_huge_and_unknown_ids_are_404(client, member, path):
    client.force_login(member)
    assert client.get(path).status_code == 404


def test_expert_answers_are_marked_and_brand_staff_labelled(client, member):
    product = ProductFactory()
    staff = make_expert(tier=Tier.BRAND_STAFF, employer=product.brand)
    independent = make_expert(categories=[product.category])
    question = QuestionFactory(author=member, product=product, category=product.category)
    services.answer_create(author=staff, question=question, body="From the brand.")
    services.answer_create(author=independent, question=question, body="From outside.")
    page = client.get(_detail(question)).content.decode()
    assert page.count("Expert answer") == 2
    label = f"Brand employee · {product.brand.name}"
    assert label in page
    assert reverse("experts:credentials", args=[staff.pk]) in page
    assert "Independent expert" in page


# --- answering ------------------------------------------------------------------------


def test_answer_with_a_photo(client, member, other_member):
    question = QuestionFactory(author=member)
    client.force_login(other_member)
    response = client.post(
        reverse("experts:answer_create", args=[question.pk]),
        {"body": "Look at *this*.", "photos": [image_upload()]},
    )
    answer = Answer.objects.get()
    assert response.status_code == 302
    assert response.url == _detail(question) + f"#answer-{answer.pk}"
    page = client.get(_detail(question)).content.decode()
    assert answer.photos.get().thumb.url in page
    assert "<em>this</em>" in page


def test_script_in_an_answer_is_sanitised(client, member, other_member):
    question = QuestionFactory(author=member)
    client.force_login(other_member)
    client.post(
        reverse("experts:answer_create", args=[question.pk]),
        {"body": "<script>alert('x')</script>[click](javascript:alert(1))"},
    )
    answer = Answer.objects.get()
    assert "<script" not in answer.body_html
    page = client.get(_detail(question)).content.decode()
    assert "<script>alert('x')</script>" not in page
    assert 'href="javascript' not in page


def test_fake_image_is_refused(client, member, other_member):
    question = QuestionFactory(author=member)
    client.force_login(other_member)
    fake = SimpleUploadedFile("cat.jpg", b"GIF89a not really <script>", "image/jpeg")
    response = client.post(
        reverse("experts:answer_create", args=[question.pk]),
        {"body": "My photo.", "photos": [fake]},
    )
    assert response.status_code == 400
    assert "cat.jpg" in response.content.decode()
    assert "My photo." in response.content.decode()  # the text is kept
    assert not Answer.objects.exists() and not AnswerPhoto.objects.exists()


def test_answer_to_a_closed_question_is_refused(client, member, other_member):
    question = QuestionFactory(author=member, status=Question.Status.CLOSED)
    client.force_login(other_member)
    response = client.post(
        reverse("experts:answer_create", args=[question.pk]), {"body": "Too late?"}
    )
    assert response.status_code == 409
    assert "This question is closed." in response.content.decode()
    assert not Answer.objects.exists()


def test_second_answer_goes_to_the_edit_page(client, member, other_member):
    question = QuestionFactory(author=member)
    first = AnswerFactory(question=question, author=other_member)
    client.force_login(other_member)
    page = client.get(_detail(question)).content.decode()
    assert reverse("experts:answer_edit", args=[first.pk]) in page
    assert 'id="id_body"' not in page  # no second answer form
    response = client.post(reverse("experts:answer_create", args=[question.pk]), {"body": "Again."})
    assert response.status_code == 302
    assert response.url == reverse("experts:answer_edit", args=[first.pk])


def test_answer_create_get_goes_to_the_question(client, member):
    question = QuestionFactory()
    client.force_login(member)
    response = client.get(reverse("experts:answer_create", args=[question.pk]))
    assert response.status_code == 302 and response.url.startswith(_detail(question))


def test_edit_and_delete_own_answer_only(client, member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member)
    edit = reverse("experts:answer_edit", args=[answer.pk])
    delete = reverse("experts:answer_delete", args=[answer.pk])
    client.force_login(member)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"body": "Hijacked"}).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(other_member)
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"body": "Improved answer."})
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.body == "Improved answer." and answer.edited_at
    assert client.get(delete).status_code == 200  # confirmation first
    assert client.post(delete).status_code == 302
    assert not Answer.objects.exists()


# --- acceptance -----------------------------------------------------------------------


def test_accepting_an_answer_to_someone_elses_question_is_403(client, member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member)
    client.force_login(other_member)
    url = reverse("experts:accept", args=[answer.pk])
    assert client.post(url).status_code == 403
    response = client.post(url, **JSON)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_asker_accepts_and_unaccepts(client, member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member)
    client.force_login(member)
    page = client.get(_detail(question)).content.decode()
    assert "Accept this answer" in page
    url = reverse("experts:accept", args=[answer.pk])
    response = client.post(url)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.accepted_answer == answer
    assert "Accepted answer" in client.get(_detail(question)).content.decode()
    response = client.post(url, {"action": "unaccept"}, **JSON)
    assert response.json() == {"accepted_answer": None}


def test_accept_button_only_for_the_asker(client, member, other_member):
    question = QuestionFactory(author=member)
    AnswerFactory(question=question, author=other_member)
    client.force_login(other_member)
    assert "Accept this answer" not in client.get(_detail(question)).content.decode()


def test_accept_when_signed_out(client):
    answer = AnswerFactory()
    url = reverse("experts:accept", args=[answer.pk])
    assert client.post(url).status_code == 302
    assert client.post(url, **JSON).status_code == 403
    assert client.get(url).status_code == 405


# --- votes ----------------------------------------------------------------------------


def test_vote_up_json_and_plain(client, member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member)
    client.force_login(MemberFactory())
    response = _vote(client, value="up", answer=answer, json_client=True)
    assert response.status_code == 200
    assert response.json() == {"score": 1, "up_count": 1, "down_count": 0, "viewer_vote": 1}
    response = _vote(client, value="up", question=question)
    assert response.status_code == 302 and response.url == _detail(question)
    page = client.get(_detail(question)).content.decode()
    assert page.count("Voted up ✓ (undo)") == 2


def test_voting_twice_is_409(client, member, other_member):
    answer = AnswerFactory(question=QuestionFactory(author=member), author=other_member)
    client.force_login(MemberFactory())
    _vote(client, value="up", answer=answer)
    response = _vote(client, value="up", answer=answer, json_client=True)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_voted"
    response = _vote(client, value="up", answer=answer)
    assert response.status_code == 409
    assert "You have already voted." in response.content.decode()
    answer.refresh_from_db()
    assert answer.score == 1


def test_down_vote_without_reason_is_a_form_error(client, member, other_member):
    answer = AnswerFactory(question=QuestionFactory(author=member), author=other_member)
    client.force_login(MemberFactory())
    response = _vote(client, value="down", answer=answer)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose why you vote this down." in page
    assert 'name="reason"' in page  # the form to pick one
    response = _vote(client, value="down", answer=answer, json_client=True)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "reason"
    assert not Vote.objects.exists()
    response = _vote(client, value="down", reason="unsafe", answer=answer, json_client=True)
    assert response.json()["down_count"] == 1


def test_own_content_vote_is_403(client, member):
    question = QuestionFactory(author=member)
    client.force_login(member)
    assert _vote(client, value="up", question=question).status_code == 403
    assert _vote(client, value="up", question=question, json_client=True).status_code == 403


def test_vote_signed_out_and_bad_input(client, member):
    question = QuestionFactory()
    assert _vote(client, value="up", question=question).status_code == 302
    assert _vote(client, value="up", question=question, json_client=True).status_code == 403
    client.force_login(member)
    url = reverse("experts:vote")
    assert client.post(url, {"value": "sideways", "question": question.pk}).status_code == 400
    assert client.post(url, {"value": "up"}).status_code == 400
    assert client.post(url, {"value": "up", "question": HUGE}).status_code == 404
    assert client.post(url, {"value": "up", "answer": HUGE}, **JSON).status_code == 404
    assert client.get(url).status_code == 405


def test_hidden_answer_cannot_be_voted(client, member):
    answer = AnswerFactory(question=QuestionFactory(author=member), is_hidden=True)
    client.force_login(MemberFactory())
    assert _vote(client, value="up", answer=answer).status_code == 404


# --- comments -------------------------------------------------------------------------


def test_comment_on_answer_and_question(client, member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member)
    client.force_login(MemberFactory())
    url = reverse("experts:comment_create")
    response = client.post(url, {"answer": answer.pk, "body": "Which **oil**?"})
    comment = QAComment.objects.get()
    assert response.status_code == 302
    assert response.url == _detail(question) + f"#comment-{comment.pk}"
    client.post(url, {"question": question.pk, "body": "Which model?"})
    page = client.get(_detail(question)).content.decode()
    assert "<strong>oil</strong>" in page and "Which model?" in page


def test_comment_refusals(client, member):
    question = QuestionFactory(author=member, status=Question.Status.CLOSED)
    client.force_login(MemberFactory())
    url = reverse("experts:comment_create")
    response = client.post(url, {"question": question.pk, "body": "Closed?"})
    assert response.status_code == 409
    assert "This question is closed." in response.content.decode()
    assert client.post(url, {"question": question.pk, "body": "x" * 1001}).status_code == 400
    assert client.post(url, {"body": "On nothing"}).status_code == 400
    assert client.post(url, {"question": HUGE, "body": "Huge"}).status_code == 404
    assert not QAComment.objects.exists()


def test_comment_delete_own_or_moderator_hides(client, member, moderator):
    question = QuestionFactory(author=member)
    comment = services.comment_create(author=member, question=question, body="Mine.")
    url = reverse("experts:comment_delete", args=[comment.pk])
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    assert client.get(url).status_code == 200
    client.post(url)
    comment.refresh_from_db()
    assert comment.is_hidden
    client.force_login(member)
    assert client.post(url).status_code == 302
    assert not QAComment.objects.exists()


# --- closing and moderation -----------------------------------------------------------


def test_asker_closes_others_cannot(client, member, other_member):
    question = QuestionFactory(author=member)
    url = reverse("experts:question_close", args=[question.pk])
    client.force_login(other_member)
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "Mine now"}).status_code == 403
    client.force_login(member)
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Solved, thanks."})
    assert response.status_code == 302
    page = client.get(_detail(question)).content.decode()
    assert "Solved, thanks." in page and "This question is closed" in page
    assert reverse("experts:question_reopen", args=[question.pk]) not in page


def test_moderator_hides_restores_and_reopens(client, member, moderator, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member)
    client.force_login(other_member)
    for name, pk in (("question_hide", question.pk), ("answer_hide", answer.pk)):
        assert client.get(reverse(f"experts:{name}", args=[pk])).status_code == 403
    client.force_login(moderator)
    url = reverse("experts:answer_hide", args=[answer.pk])
    assert client.get(url).status_code == 200  # the confirmation page
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Advertising."}).status_code == 302
    answer.refresh_from_db()
    assert answer.is_hidden
    page = client.get(_detail(question)).content.decode()
    assert "Hidden by a moderator: Advertising." in page  # moderators still see it
    client.post(reverse("experts:answer_restore", args=[answer.pk]))
    answer.refresh_from_db()
    assert not answer.is_hidden
    client.post(reverse("experts:question_hide", args=[question.pk]), {"reason": "Spam."})
    question.refresh_from_db()
    assert question.is_hidden
    client.post(reverse("experts:question_restore", args=[question.pk]))
    services.question_close(actor=member, question=question, reason="Done.")
    reopen = reverse("experts:question_reopen", args=[question.pk])
    assert reopen in client.get(_detail(question)).content.decode()
    assert client.post(reopen).status_code == 302
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN and not question.is_hidden


def test_hidden_answer_is_gone_for_others(client, member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member, body="Secret spam text")
    Answer.objects.filter(pk=answer.pk).update(is_hidden=True, hidden_reason="Spam")
    client.force_login(member)
    assert "Secret spam text" not in client.get(_detail(question)).content.decode()
    assert client.get(reverse("experts:answer_edit", args=[answer.pk])).status_code == 404
    client.force_login(other_member)  # the author still sees it, labelled
    assert "Hidden by a moderator: Spam" in client.get(_detail(question)).content.decode()


def test_promote_button_for_moderators_on_the_accepted_answer(client, member, moderator):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question)
    services.answer_accept(member=member, answer=answer)
    try:
        promote = reverse("experts:answer_promote", args=[answer.pk])
    except NoReverseMatch:
        promote = None  # the knowledge part is not there yet: the page must still work
    client.force_login(moderator)
    response = client.get(_detail(question))
    assert response.status_code == 200
    if promote:
        assert promote in response.content.decode()
    client.force_login(member)
    assert "Promote to knowledge base" not in client.get(_detail(question)).content.decode()


# --- the question page's query count ----------------------------------------------------


def _seed_answers(question, count, *, authors, commenters):
    for n in range(count):
        answer = AnswerFactory(
            question=question,
            author=authors[n] if n < len(authors) else MemberFactory(),
            expert_tier=Tier.BRAND_STAFF if n % 2 else "",
        )
        AnswerPhoto.objects.create(
            answer=answer,
            width=64,
            height=48,
            **{
                name: f"answers/{answer.pk}/{name}.jpg"
                for name in ("thumb", "thumb_webp", "medium", "medium_webp", "large", "large_webp")
            },
        )
        for commenter in commenters:
            QAComment.objects.create(
                answer=answer, author=commenter, body="Nice.", body_html="<p>Nice.</p>"
            )
        Vote.objects.create(answer=answer, voter=commenters[0], value=Vote.UP)


@pytest.mark.parametrize("viewer_kind", ["anonymous", "member", "moderator"])
def test_question_page_query_count_is_fixed(
    client, settings, monkeypatch, django_assert_max_num_queries, viewer_kind, moderator
):
    no_rate_limits(settings)
    monkeypatch.setattr(selectors, "ANSWERS_PER_PAGE", 100)
    brand = BrandFactory()
    staff = [make_expert(tier=Tier.BRAND_STAFF, employer=brand) for _ in range(2)]
    viewer = MemberFactory()
    question = QuestionFactory(author=viewer, directed_to=staff[0])
    commenters = [viewer, staff[1]]
    QAComment.objects.create(question=question, author=staff[0], body="?", body_html="<p>?</p>")
    if viewer_kind == "member":
        client.force_login(viewer)
    elif viewer_kind == "moderator":
        client.force_login(moderator)
    _seed_answers(question, 10, authors=staff, commenters=commenters)
    with django_assert_max_num_queries(16) as ten:
        response = client.get(_detail(question))
    assert response.content.decode().count('class="answer card') == 10
    _seed_answers(question, 40, authors=[], commenters=commenters)
    with django_assert_max_num_queries(16) as fifty:
        response = client.get(_detail(question))
    page = response.content.decode()
    assert page.count('class="answer card') == 50
    assert page.count("<img ") >= 50
    assert f"Brand employee · {brand.name}" in page
    assert len(fifty) == len(ten)


# --- other pages ----------------------------------------------------------------------


def test_questions_for_me_and_mine(client, member):
    expert = make_expert(categories=[CategoryFactory()])
    question = services.question_ask(
        author=member, title="Can you check my brake pads?", directed_to=expert
    )
    client.force_login(expert)
    page = client.get(reverse("experts:questions_for_me")).content.decode()
    assert question.title in page
    client.force_login(member)
    page = client.get(reverse("experts:questions_mine")).content.decode()
    assert question.title in page
    empty = client.get(reverse("experts:questions_for_me")).content.decode()
    assert "Nothing waits for you" in empty


def test_pages_need_login(client):
    for name in ("questions_for_me", "questions_mine"):
        response = client.get(reverse(f"experts:{name}"))
        assert response.status_code == 302 and "login" in response.url


def test_vote_response_is_valid_json_for_question(client, member):
    question = QuestionFactory(author=member)
    client.force_login(MemberFactory())
    response = _vote(client, value="down", reason="unclear", question=question, json_client=True)
    body = json.loads(response.content)
    assert body["score"] == -1 and body["viewer_vote"] == -1
    response = _vote(client, value="withdraw", question=question, json_client=True)
    assert response.json()["viewer_vote"] == 0


@pytest.mark.parametrize("value", [HUGE, "2147483648", "0", "x"])
def test_list_with_an_impossible_product_filter_shows_every_question(client, value):
    QuestionFactory(title="Still listed")
    response = client.get(reverse("experts:question_list"), {"product": value})
    assert response.status_code == 200
    assert "Still listed" in response.content.decode()


def test_question_page_labels_a_brand_employees_answer(client, member):
    brand = BrandFactory(name="RoadGrip")
    product = ProductFactory(brand=brand)
    question = QuestionFactory(author=member, product=product)
    employee = MemberFactory(display_name="Eve Employee")
    BrandStaffFactory(brand=brand, member=employee)
    services.answer_create(author=employee, question=question, body="Buy it.")
    html = client.get(question.get_absolute_url()).content.decode()
    name_at = html.index("Eve Employee")
    assert "Brand employee · RoadGrip" in html[name_at : name_at + 600]
