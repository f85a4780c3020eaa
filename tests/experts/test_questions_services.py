"""experts.services.questions: asking, answering, votes, acceptance, comments, closing
and moderation, with their counters."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.members.models import Notification
from community.reputation.rules import TrustLevel
from experts.models import Answer, AnswerPhoto, ExpertProfile, QAComment, Question, Tier, Vote
from experts.services import questions as services
from tests.experts.factories_questions import make_expert
from tests.factories import (
    AnswerFactory,
    BrandFactory,
    BrandStaffFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ProductFactory,
    QuestionFactory,
    image_upload,
    no_rate_limits,
)

pytestmark = pytest.mark.django_db

TITLE = "How often should I oil the chain?"


def _notifications(member, kind):
    return list(Notification.objects.filter(recipient=member, kind=kind))


# --- asking ---------------------------------------------------------------------------


def test_ask_the_community(member):
    question = services.question_ask(author=member, title=TITLE, body="It **squeaks**.")
    assert question.status == Question.Status.OPEN
    assert question.body_html == "<p>It <strong>squeaks</strong>.</p>\n"
    assert question.language == "en"
    assert question.directed_to is None and question.answer_due_at is None


@pytest.mark.parametrize("title", ["", "   ", "Too short", "x" * 201])
def test_title_length_is_checked(member, title):
    with pytest.raises(DomainError) as exc:
        services.question_ask(author=member, title=title)
    assert exc.value.field == "title"
    assert not Question.objects.exists()


def test_title_spaces_are_collapsed(member):
    question = services.question_ask(author=member, title="  How   do I   clean\nthis?  ")
    assert question.title == "How do I clean this?"


def test_body_is_sanitised(member):
    question = services.question_ask(
        author=member,
        title=TITLE,
        body="<script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>",
    )
    assert "<script" not in question.body_html
    assert 'href="javascript' not in question.body_html
    assert "<img" not in question.body_html


def test_chinese_question_is_labelled(member):
    question = services.question_ask(author=member, title="这个轮胎在雨天的抓地力怎么样呢")
    assert question.language == "zh"


def test_product_gives_the_field(member, product):
    other = CategoryFactory()
    question = services.question_ask(author=member, title=TITLE, product=product, category=other)
    assert question.product == product
    assert question.category == product.category


def test_ask_an_expert_sets_due_time_and_notifies(member):
    expert = make_expert(categories=[CategoryFactory()], response_hours=24)
    before = timezone.now()
    question = services.question_ask(author=member, title=TITLE, directed_to=expert)
    assert question.directed_to == expert
    assert before + timedelta(hours=24) <= question.answer_due_at
    assert question.answer_due_at <= timezone.now() + timedelta(hours=24)
    [notice] = _notifications(expert, "question_directed")
    assert notice.params == {"actor": member.public_name, "title": TITLE}
    assert notice.url == question.get_absolute_url()


def test_cannot_ask_yourself(member):
    make_expert(member=member, categories=[CategoryFactory()])
    with pytest.raises(DomainError) as exc:
        services.question_ask(author=member, title=TITLE, directed_to=member)
    assert exc.value.field == "directed_to"


def test_cannot_direct_to_a_non_expert(member, other_member):
    with pytest.raises(NotFound):
        services.question_ask(author=member, title=TITLE, directed_to=other_member)


def test_cannot_direct_to_an_expired_expert(member):
    expert = MemberFactory()
    CertificateFactory(member=expert, expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(NotFound):
        services.question_ask(author=member, title=TITLE, directed_to=expert)


def test_cannot_direct_to_an_expert_who_takes_no_questions(member):
    expert = make_expert(accepts_questions=False)
    with pytest.raises(DomainError) as exc:
        services.question_ask(author=member, title=TITLE, directed_to=expert)
    assert exc.value.code == "questions_closed"
    assert not Question.objects.exists()
    assert not _notifications(expert, "question_directed")


def test_asking_needs_an_active_account(member):
    member.is_active = False
    member.save()
    with pytest.raises(AccessDenied):
        services.question_ask(author=member, title=TITLE)


def test_asking_is_rate_limited(member, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "question_ask": (2, 3600)}
    services.question_ask(author=member, title=TITLE)
    services.question_ask(author=member, title=TITLE + " (again)")
    with pytest.raises(RateLimited):
        services.question_ask(author=member, title=TITLE + " (third)")


# --- answering ------------------------------------------------------------------------


def test_answer_counts_and_notifies_the_asker(member, other_member):
    question = QuestionFactory(author=member)
    answer = services.answer_create(author=other_member, question=question, body="Oil it *weekly*.")
    assert answer.body_html == "<p>Oil it <em>weekly</em>.</p>\n"
    assert answer.expert_certificate is None and answer.expert_tier == ""
    question.refresh_from_db()
    assert question.answer_count == 1
    [notice] = _notifications(member, "question_answered")
    assert notice.url.endswith(f"#answer-{answer.pk}")
    assert notice.params["actor"] == other_member.public_name


def test_asker_answering_their_own_question_is_not_told(member):
    question = QuestionFactory(author=member)
    services.answer_create(author=member, question=question, body="Found it myself.")
    assert not _notifications(member, "question_answered")


def test_answer_to_closed_question_is_refused(member, other_member):
    question = QuestionFactory(author=member, status=Question.Status.CLOSED)
    with pytest.raises(Conflict) as exc:
        services.answer_create(author=other_member, question=question, body="Late answer.")
    assert str(exc.value.message) == "This question is closed."
    assert not Answer.objects.exists()


def test_answer_to_hidden_question_is_refused(member, other_member):
    question = QuestionFactory(author=member, is_hidden=True)
    with pytest.raises(NotFound):
        services.answer_create(author=other_member, question=question, body="Hello.")


def test_one_answer_per_author(member, other_member):
    question = QuestionFactory(author=member)
    services.answer_create(author=other_member, question=question, body="First.")
    with pytest.raises(Conflict) as exc:
        services.answer_create(author=other_member, question=question, body="Second.")
    assert exc.value.code == "already_answered"
    question.refresh_from_db()
    assert question.answer_count == 1


def test_empty_and_huge_answers_are_refused(member, other_member):
    question = QuestionFactory(author=member)
    for body in ("", "   ", "x" * 10_001):
        with pytest.raises(DomainError) as exc:
            services.answer_create(author=other_member, question=question, body=body)
        assert exc.value.field == "body"


def test_expert_answer_in_the_category_is_marked(member):
    category = CategoryFactory()
    expert = make_expert(categories=[category])
    question = QuestionFactory(author=member, category=category)
    answer = services.answer_create(author=expert, question=question, body="As an expert: yes.")
    assert answer.expert_tier == Tier.INDEPENDENT
    assert answer.expert_certificate == expert.certificates.get()
    assert answer.is_expert_answer
    assert ExpertProfile.objects.get(member=expert).answer_count == 1


def test_expert_of_another_field_writes_a_plain_answer(member):
    expert = make_expert(categories=[CategoryFactory()])
    question = QuestionFactory(author=member, category=CategoryFactory())
    answer = services.answer_create(author=expert, question=question, body="Not my field.")
    assert answer.expert_tier == "" and answer.expert_certificate is None
    # Still counted on the expert's profile (it is one of their answers).
    assert ExpertProfile.objects.get(member=expert).answer_count == 1


def test_brand_staff_expert_of_the_products_brand(member):
    product = ProductFactory()
    staff = make_expert(tier=Tier.BRAND_STAFF, employer=product.brand)
    question = QuestionFactory(author=member, product=product, category=product.category)
    answer = services.answer_create(author=staff, question=question, body="Our manual says so.")
    assert answer.expert_tier == Tier.BRAND_STAFF


def test_question_without_field_takes_any_current_certificate(member):
    expert = make_expert(categories=[CategoryFactory()], tier=Tier.PRACTITIONER)
    question = QuestionFactory(author=member)
    answer = services.answer_create(author=expert, question=question, body="General advice.")
    assert answer.expert_tier == Tier.PRACTITIONER


def test_expired_certificate_gives_no_mark(member):
    category = CategoryFactory()
    expert = MemberFactory()
    CertificateFactory(
        member=expert, categories=[category], expires_at=timezone.now() - timedelta(hours=1)
    )
    question = QuestionFactory(author=member, category=category)
    answer = services.answer_create(author=expert, question=question, body="Once certified.")
    assert answer.expert_tier == ""


def test_answer_with_photos(member, other_member):
    other_member.trust_level = TrustLevel.BASIC  # more than one photo opens at level 1
    other_member.save(update_fields=["trust_level"])
    question = QuestionFactory(author=member)
    answer = services.answer_create(
        author=other_member,
        question=question,
        body="See the photos.",
        photo_uploads=[image_upload("a.jpg"), image_upload("b.png", fmt="PNG")],
    )
    photos = list(answer.photos.all())
    assert [p.position for p in photos] == [0, 1]
    assert answer.photo_count == 2
    assert all(p.thumb.name and p.large_webp.name for p in photos)


def test_fake_image_refuses_the_whole_answer(member, other_member):
    question = QuestionFactory(author=member)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("evil.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg")
    with pytest.raises(DomainError) as exc:
        services.answer_create(
            author=other_member, question=question, body="Photo.", photo_uploads=[fake]
        )
    assert exc.value.field == "photos"
    assert not Answer.objects.exists() and not AnswerPhoto.objects.exists()


def test_at_most_four_photos(member, other_member):
    question = QuestionFactory(author=member)
    with pytest.raises(DomainError) as exc:
        services.answer_create(
            author=other_member,
            question=question,
            body="Many photos.",
            photo_uploads=[image_upload(f"{n}.jpg") for n in range(5)],
        )
    assert exc.value.field == "photos"


def test_expert_answer_remeasures_response_time(member):
    category = CategoryFactory()
    expert = make_expert(categories=[category])
    ExpertProfile.objects.get_or_create(member=expert)
    question = QuestionFactory(author=member, category=category, directed_to=expert)
    services.answer_create(author=MemberFactory(), question=question, body="Plain answer.")
    assert ExpertProfile.objects.get(member=expert).response_sample_size == 0
    services.answer_create(author=expert, question=question, body="Expert answer.")
    profile = ExpertProfile.objects.get(member=expert)
    assert profile.response_sample_size == 1
    assert profile.median_response_seconds is not None


def test_answering_is_rate_limited(member, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "answer_write": (1, 3600)}
    author = MemberFactory()
    services.answer_create(author=author, question=QuestionFactory(author=member), body="One.")
    with pytest.raises(RateLimited):
        services.answer_create(author=author, question=QuestionFactory(author=member), body="Two.")


# --- editing, deleting, moderating answers -----------------------------------------------


def test_author_edits_own_answer(member, other_member):
    answer = AnswerFactory(question=QuestionFactory(author=member), author=other_member)
    services.answer_update(editor=other_member, answer=answer, body="Better: <b>x</b>")
    answer.refresh_from_db()
    assert answer.edited_at is not None
    assert "<b>" not in answer.body_html


def test_cannot_edit_someone_elses_answer(member, other_member):
    answer = AnswerFactory(question=QuestionFactory(author=member), author=other_member)
    with pytest.raises(AccessDenied):
        services.answer_update(editor=member, answer=answer, body="Mine now.")


def test_cannot_edit_on_a_closed_question_or_when_hidden(member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member, is_hidden=True)
    with pytest.raises(AccessDenied):
        services.answer_update(editor=other_member, answer=answer, body="Edit.")
    Question.objects.filter(pk=question.pk).update(status=Question.Status.CLOSED)
    with pytest.raises(Conflict):
        services.answer_update(editor=other_member, answer=answer, body="Edit.")


def test_delete_own_answer_with_photos(member, other_member, django_capture_on_commit_callbacks):
    question = QuestionFactory(author=member)
    answer = services.answer_create(
        author=other_member, question=question, body="Photo.", photo_uploads=[image_upload()]
    )
    photo = answer.photos.get()
    storage, name = photo.thumb.storage, photo.thumb.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_delete(author=other_member, answer=answer)
    assert not Answer.objects.exists()
    assert not storage.exists(name)
    question.refresh_from_db()
    assert question.answer_count == 0


def test_cannot_delete_the_accepted_answer_or_others(member, other_member):
    question = QuestionFactory(author=member)
    answer = services.answer_create(author=other_member, question=question, body="Good.")
    with pytest.raises(AccessDenied):
        services.answer_delete(author=member, answer=answer)
    services.answer_accept(member=member, answer=answer)
    with pytest.raises(Conflict):
        services.answer_delete(author=other_member, answer=answer)


def test_moderator_hides_and_restores_an_answer(member, other_member, moderator):
    question = QuestionFactory(author=member)
    answer = services.answer_create(author=other_member, question=question, body="Spam.")
    with pytest.raises(AccessDenied):
        services.answer_hide(moderator=member, answer=answer, reason="No.")
    with pytest.raises(DomainError) as exc:
        services.answer_hide(moderator=moderator, answer=answer, reason=" ")
    assert exc.value.field == "reason"
    services.answer_hide(moderator=moderator, answer=answer, reason="Advertising.")
    answer.refresh_from_db()
    question.refresh_from_db()
    assert answer.is_hidden and answer.hidden_reason == "Advertising."
    assert question.answer_count == 0
    services.answer_hide(moderator=moderator, answer=answer, reason="Advertising.")  # no-op
    question.refresh_from_db()
    assert question.answer_count == 0
    services.answer_restore(moderator=moderator, answer=answer)
    question.refresh_from_db()
    assert question.answer_count == 1
    assert services.qa_scores_recount(question=question)["question"]["answer_count"] == 1


def test_moderator_hides_a_question_and_only_moderators_reopen(member, moderator, other_member):
    question = QuestionFactory(author=member)
    with pytest.raises(AccessDenied):
        services.question_hide(moderator=other_member, question=question, reason="x")
    services.question_hide(moderator=moderator, question=question, reason="Off topic.")
    question.refresh_from_db()
    assert question.is_hidden
    services.question_restore(moderator=moderator, question=question)
    question.refresh_from_db()
    assert not question.is_hidden


def test_close_by_asker_or_moderator_reopen_by_moderator(member, other_member, moderator):
    question = QuestionFactory(author=member)
    with pytest.raises(AccessDenied):
        services.question_close(actor=other_member, question=question, reason="Mine?")
    with pytest.raises(DomainError):
        services.question_close(actor=member, question=question, reason="")
    services.question_close(actor=member, question=question, reason="Solved, thank you.")
    question.refresh_from_db()
    assert question.status == Question.Status.CLOSED
    assert question.closed_reason == "Solved, thank you."
    with pytest.raises(AccessDenied):
        services.question_reopen(moderator=member, question=question)
    services.question_reopen(moderator=moderator, question=question)
    question.refresh_from_db()
    assert question.status == Question.Status.OPEN
    services.question_close(actor=moderator, question=question, reason="Duplicate.")
    question.refresh_from_db()
    assert question.status == Question.Status.CLOSED


# --- votes ----------------------------------------------------------------------------


@pytest.fixture
def qa(member, other_member):
    question = QuestionFactory(author=member)
    answer = AnswerFactory(question=question, author=other_member)
    return question, answer


def test_up_vote_counts(qa):
    question, answer = qa
    voter = MemberFactory()
    result = services.vote_cast(voter=voter, target=answer, value=Vote.UP)
    assert (result.score, result.up_count, result.down_count, result.viewer_vote) == (1, 1, 0, 1)
    result = services.vote_cast(voter=voter, target=question, value=Vote.UP)
    assert result.score == 1


def test_cannot_vote_on_own_content(qa, member, other_member):
    question, answer = qa
    with pytest.raises(AccessDenied):
        services.vote_cast(voter=member, target=question, value=Vote.UP)
    with pytest.raises(AccessDenied):
        services.vote_cast(voter=other_member, target=answer, value=Vote.DOWN, reason="unclear")


@pytest.mark.parametrize("reason", ["", "because", None])
def test_down_vote_needs_a_reason_from_the_list(qa, reason):
    _question, answer = qa
    with pytest.raises(DomainError) as exc:
        services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.DOWN, reason=reason)
    assert exc.value.field == "reason"
    assert not Vote.objects.exists()


def test_bad_value_is_refused(qa):
    with pytest.raises(DomainError):
        services.vote_cast(voter=MemberFactory(), target=qa[1], value=2)


def test_voting_twice_is_a_conflict(qa):
    _question, answer = qa
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=answer, value=Vote.DOWN, reason="unsafe")
    with pytest.raises(Conflict) as exc:
        services.vote_cast(voter=voter, target=answer, value=Vote.DOWN, reason="unclear")
    assert str(exc.value.message) == "You have already voted."
    answer.refresh_from_db()
    assert (answer.score, answer.down_count) == (-1, 1)


def test_changing_direction_replaces_the_vote(qa):
    _question, answer = qa
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=answer, value=Vote.DOWN, reason="outdated")
    result = services.vote_cast(voter=voter, target=answer, value=Vote.UP, reason="ignored")
    assert (result.score, result.up_count, result.down_count) == (1, 1, 0)
    vote = Vote.objects.get()
    assert (vote.value, vote.reason) == (Vote.UP, "")


def test_withdraw(qa):
    question, _answer = qa
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=question, value=Vote.DOWN, reason="off_topic")
    result = services.vote_withdraw(voter=voter, target=question)
    assert (result.score, result.viewer_vote) == (0, 0)
    services.vote_withdraw(voter=voter, target=question)  # nothing left: a no-op
    question.refresh_from_db()
    assert question.score == 0


def test_votes_on_a_closed_question_still_count(qa):
    question, answer = qa
    Question.objects.filter(pk=question.pk).update(status=Question.Status.CLOSED)
    services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)
    services.vote_cast(voter=MemberFactory(), target=question, value=Vote.UP)


def test_hidden_content_cannot_be_voted(qa):
    question, answer = qa
    Answer.objects.filter(pk=answer.pk).update(is_hidden=True)
    with pytest.raises(NotFound):
        services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)
    Answer.objects.filter(pk=answer.pk).update(is_hidden=False)
    Question.objects.filter(pk=question.pk).update(is_hidden=True)
    with pytest.raises(NotFound):
        services.vote_cast(voter=MemberFactory(), target=answer, value=Vote.UP)
    with pytest.raises(NotFound):
        services.vote_cast(voter=MemberFactory(), target=question, value=Vote.UP)


def test_voting_is_rate_limited(qa, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "qa_vote": (1, 3600)}
    voter = MemberFactory()
    services.vote_cast(voter=voter, target=qa[1], value=Vote.UP)
    with pytest.raises(RateLimited):
        services.vote_withdraw(voter=voter, target=qa[1])


def _maintained(question):
    question.refresh_from_db()
    answers = {
        a.pk: {"score": a.score, "up_count": a.up_count, "down_count": a.down_count}
        for a in Answer.objects.filter(question=question)
    }
    return {"score": question.score, "answer_count": question.answer_count}, answers


@pytest.mark.parametrize("seed", range(5))
def test_counters_equal_a_recount_after_random_sequences(settings, member, moderator, seed):
    """Random casts, changes, withdrawals, hides and restores: after every step the
    counters kept with F() are what a recount from the rows gives."""
    no_rate_limits(settings)
    rng = random.Random(seed)
    question = QuestionFactory(author=member)
    authors = [MemberFactory() for _ in range(3)]
    answers = [
        services.answer_create(author=author, question=question, body="Answer.")
        for author in authors
    ]
    voters = [MemberFactory() for _ in range(5)]
    reasons = Vote.Reason.values
    for _step in range(60):
        voter = rng.choice(voters)
        target = rng.choice([question, *answers])
        action = rng.random()
        try:
            if action < 0.45:
                services.vote_cast(voter=voter, target=target, value=Vote.UP)
            elif action < 0.8:
                services.vote_cast(
                    voter=voter, target=target, value=Vote.DOWN, reason=rng.choice(reasons)
                )
            elif action < 0.92:
                services.vote_withdraw(voter=voter, target=target)
            elif isinstance(target, Answer):
                if rng.random() < 0.5:
                    services.answer_hide(moderator=moderator, answer=target, reason="Check.")
                else:
                    services.answer_restore(moderator=moderator, answer=target)
        except (Conflict, NotFound):
            pass
        before = _maintained(question)
        recount = services.qa_scores_recount(question=question)
        assert before == (recount["question"], recount["answers"])
        assert _maintained(question) == before


# --- acceptance -----------------------------------------------------------------------


def test_only_the_asker_accepts(qa, moderator, other_member):
    question, answer = qa
    for stranger in (moderator, other_member, MemberFactory()):
        with pytest.raises(AccessDenied):
            services.answer_accept(member=stranger, answer=answer)
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_accept_notifies_and_replacing_moves_the_mark(qa, member, other_member):
    question, answer = qa
    services.answer_accept(member=member, answer=answer)
    question.refresh_from_db()
    assert question.accepted_answer == answer
    [notice] = _notifications(other_member, "answer_accepted")
    assert notice.params == {"title": question.title}
    services.answer_accept(member=member, answer=answer)  # again: nothing new
    assert len(_notifications(other_member, "answer_accepted")) == 1
    second = AnswerFactory(question=question)
    services.answer_accept(member=member, answer=second)
    question.refresh_from_db()
    assert question.accepted_answer == second
    services.answer_unaccept(member=member, question=question)
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_asker_may_accept_their_own_answer(member):
    question = QuestionFactory(author=member)
    own = services.answer_create(author=member, question=question, body="I solved it so.")
    services.answer_accept(member=member, answer=own)
    question.refresh_from_db()
    assert question.accepted_answer == own


def test_accept_refused_on_hidden_or_closed(qa, member):
    question, answer = qa
    Answer.objects.filter(pk=answer.pk).update(is_hidden=True)
    with pytest.raises(NotFound):
        services.answer_accept(member=member, answer=answer)
    Answer.objects.filter(pk=answer.pk).update(is_hidden=False)
    Question.objects.filter(pk=question.pk).update(status=Question.Status.CLOSED)
    with pytest.raises(Conflict):
        services.answer_accept(member=member, answer=answer)


def test_unaccept_only_by_the_asker(qa, member, other_member):
    question, answer = qa
    services.answer_accept(member=member, answer=answer)
    with pytest.raises(AccessDenied):
        services.answer_unaccept(member=other_member, question=question)


# --- comments -------------------------------------------------------------------------


def test_comment_on_an_answer_notifies_its_author(qa, member, other_member):
    _question, answer = qa
    commenter = MemberFactory()
    comment = services.comment_create(author=commenter, answer=answer, body="Which *oil*?")
    assert comment.answer == answer and comment.question is None
    assert comment.body_html == "<p>Which <em>oil</em>?</p>\n"
    [notice] = _notifications(other_member, "qa_comment")
    assert notice.params["excerpt"] == "Which oil?"
    assert notice.url.endswith(f"#comment-{comment.pk}")
    assert not _notifications(member, "qa_comment")


def test_comment_on_a_question_notifies_the_asker(qa, member):
    question, _answer = qa
    services.comment_create(author=MemberFactory(), question=question, body="Which model?")
    assert len(_notifications(member, "qa_comment")) == 1


def test_comment_rules(qa, member):
    question, answer = qa
    author = MemberFactory()
    with pytest.raises(DomainError):
        services.comment_create(author=author, body="Both?", question=question, answer=answer)
    with pytest.raises(DomainError):
        services.comment_create(author=author, body="Neither?")
    with pytest.raises(DomainError) as exc:
        services.comment_create(author=author, question=question, body="x" * 1001)
    assert exc.value.field == "body"
    with pytest.raises(DomainError):
        services.comment_create(author=author, question=question, body="  ")
    Answer.objects.filter(pk=answer.pk).update(is_hidden=True)
    with pytest.raises(NotFound):
        services.comment_create(author=author, answer=answer, body="Hidden?")
    Question.objects.filter(pk=question.pk).update(status=Question.Status.CLOSED)
    with pytest.raises(Conflict):
        services.comment_create(author=author, question=question, body="Closed?")
    assert not QAComment.objects.exists()


def test_comment_delete_and_hide(qa, moderator):
    question, _answer = qa
    author = MemberFactory()
    first = services.comment_create(author=author, question=question, body="One.")
    second = services.comment_create(author=author, question=question, body="Two.")
    with pytest.raises(AccessDenied):
        services.comment_delete(actor=MemberFactory(), comment=first)
    services.comment_delete(actor=author, comment=first)
    assert not QAComment.objects.filter(pk=first.pk).exists()
    services.comment_delete(actor=moderator, comment=second)
    second.refresh_from_db()
    assert second.is_hidden


def test_brand_of_the_product_counts_for_the_expert_snapshot():
    """A brand-field expert (certified for the brand, not the category) answers a
    question about one of the brand's products as an expert."""
    brand = BrandFactory()
    product = ProductFactory(brand=brand)
    expert = make_expert(brands=[brand], tier=Tier.PRACTITIONER)
    question = QuestionFactory(product=product, category=product.category)
    answer = services.answer_create(author=expert, question=question, body="Known issue.")
    assert answer.expert_tier == Tier.PRACTITIONER


def test_brand_staff_answer_about_their_brand_carries_the_label_whatever_their_tier(member):
    """A brand's employee certified as independent (or not certified at all) answering
    about that brand's product: the answer records the brand and the page shows it."""
    brand = BrandFactory(name="RoadGrip")
    product = ProductFactory(brand=brand)
    question = QuestionFactory(author=member, product=product, category=product.category)
    independent = make_expert(categories=[product.category])
    BrandStaffFactory(brand=brand, member=independent)
    answer = services.answer_create(author=independent, question=question, body="Fine tyre.")
    assert answer.expert_tier == Tier.INDEPENDENT
    assert answer.brand_affiliation == brand
    assert answer.shows_brand_affiliation

    other_brand = QuestionFactory(author=member, product=ProductFactory())
    unrelated = services.answer_create(author=independent, question=other_brand, body="Hm.")
    assert unrelated.brand_affiliation is None

    staff_expert = make_expert(brands=[brand], tier="brand_staff", employer=brand)
    labelled = services.answer_create(author=staff_expert, question=question, body="Ours.")
    assert labelled.brand_affiliation == brand
    assert not labelled.shows_brand_affiliation  # the expert mark already names RoadGrip
