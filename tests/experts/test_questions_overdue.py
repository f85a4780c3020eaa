"""Directed questions the expert did not answer in time: overdue for the asker, offered
once to the other current experts of the field (time travel through `now=`)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community.members.models import Notification
from experts.models import Question, Tier
from experts.selectors import questions as selectors
from experts.services import questions as services
from tests.experts.factories_questions import make_expert, use_credentials_stand_in
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ProductFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

TITLE = "Which pressure for a loaded touring bike?"


@pytest.fixture(autouse=True)
def _credentials_url(settings):
    use_credentials_stand_in(settings)


@pytest.fixture
def category():
    return CategoryFactory()


@pytest.fixture
def expert(category):
    return make_expert(categories=[category], response_hours=10)


def _ask(author, expert, **kwargs):
    return services.question_ask(author=author, title=TITLE, directed_to=expert, **kwargs)


def _offered_to(question) -> set[int]:
    return set(
        Notification.objects.filter(
            kind="question_offered", url=question.get_absolute_url()
        ).values_list("recipient_id", flat=True)
    )


def _after_due(question, hours=1):
    return question.answer_due_at + timedelta(hours=hours)


# --- question_is_overdue ----------------------------------------------------------------


def test_overdue_only_after_the_due_time(member, expert, category):
    question = _ask(member, expert, category=category)
    assert not services.question_is_overdue(question, question.answer_due_at - timedelta(minutes=1))
    assert services.question_is_overdue(question, _after_due(question))


def test_not_overdue_once_the_expert_answered(member, expert, category):
    question = _ask(member, expert, category=category)
    services.answer_create(author=expert, question=question, body="Here you are.")
    assert not services.question_is_overdue(question, _after_due(question))


def test_another_answer_does_not_stop_the_clock(member, expert, category):
    question = _ask(member, expert, category=category)
    services.answer_create(author=MemberFactory(), question=question, body="Not the expert.")
    assert services.question_is_overdue(question, _after_due(question))


def test_not_overdue_when_closed_hidden_or_undirected(member, expert, category):
    question = _ask(member, expert, category=category)
    later = _after_due(question)
    question.status = Question.Status.CLOSED
    assert not services.question_is_overdue(question, later)
    question.status = Question.Status.OPEN
    question.is_hidden = True
    assert not services.question_is_overdue(question, later)
    community = QuestionFactory(author=member)
    assert not services.question_is_overdue(community, timezone.now() + timedelta(days=30))


# --- offering ---------------------------------------------------------------------------


def test_offered_to_other_experts_of_the_field_once(member, expert, category):
    colleague = make_expert(categories=[category])
    elsewhere = make_expert(categories=[CategoryFactory()])
    expired = MemberFactory()
    CertificateFactory(
        member=expired, categories=[category], expires_at=timezone.now() + timedelta(minutes=30)
    )
    busy = make_expert(categories=[category], accepts_questions=False)
    asker_expert = make_expert(categories=[category])
    question = _ask(asker_expert, expert, category=category)
    plain = _ask(member, expert, category=category)

    # Before the due time nothing happens.
    assert services.questions_offer_overdue(now=question.answer_due_at - timedelta(minutes=5)) == 0

    later = _after_due(question, hours=2)  # the "expired" certificate has run out by then
    assert services.questions_offer_overdue(now=later) == 2
    question.refresh_from_db()
    assert question.offered_at == later
    recipients = _offered_to(question)
    assert colleague.pk in recipients
    assert expert.pk not in recipients  # the expert who was asked
    assert asker_expert.pk not in recipients  # the asker, even though an expert
    assert elsewhere.pk not in recipients and busy.pk not in recipients
    assert expired.pk not in recipients
    assert asker_expert.pk in _offered_to(plain)

    # Idempotent: the next hourly run offers nothing again.
    assert services.questions_offer_overdue(now=later + timedelta(hours=1)) == 0
    assert Notification.objects.filter(kind="question_offered", recipient=colleague).count() == 2


def test_not_offered_when_answered_closed_or_hidden(member, expert, category):
    make_expert(categories=[category])
    answered = _ask(member, expert, category=category)
    services.answer_create(author=expert, question=answered, body="Done.")
    closed = _ask(member, expert, category=category)
    services.question_close(actor=member, question=closed, reason="Found it.")
    hidden = _ask(member, expert, category=category)
    Question.objects.filter(pk=hidden.pk).update(is_hidden=True)
    assert services.questions_offer_overdue(now=_after_due(answered, hours=5)) == 0
    assert not Question.objects.filter(offered_at__isnull=False).exists()


def test_experts_who_already_answered_are_not_told(member, expert, category):
    helper = make_expert(categories=[category])
    question = _ask(member, expert, category=category)
    services.answer_create(author=helper, question=question, body="I had a go.")
    services.questions_offer_overdue(now=_after_due(question))
    assert helper.pk not in _offered_to(question)


def test_product_brand_experts_are_offered(member, expert):
    brand = BrandFactory()
    product = ProductFactory(brand=brand)
    staff = make_expert(tier=Tier.BRAND_STAFF, employer=brand)
    brand_expert = make_expert(brands=[brand])
    category_expert = make_expert(categories=[product.category])
    question = _ask(member, expert, product=product)
    services.questions_offer_overdue(now=_after_due(question))
    assert {staff.pk, brand_expert.pk, category_expert.pk} <= _offered_to(question)


def test_question_without_field_goes_to_the_asked_experts_fields(member, expert, category):
    colleague = make_expert(categories=[category])
    stranger = make_expert(categories=[CategoryFactory()])
    question = _ask(member, expert)
    assert question.category is None
    services.questions_offer_overdue(now=_after_due(question))
    recipients = _offered_to(question)
    assert colleague.pk in recipients and stranger.pk not in recipients


def test_offer_is_capped(member, expert, category, monkeypatch):
    monkeypatch.setattr(services, "OFFER_MAX_EXPERTS", 3)
    for _ in range(5):
        make_expert(categories=[category])
    question = _ask(member, expert, category=category)
    services.questions_offer_overdue(now=_after_due(question))
    assert len(_offered_to(question)) == 3


def test_offered_even_when_nobody_can_be_told(member, expert, category):
    question = _ask(member, expert, category=category)
    assert services.questions_offer_overdue(now=_after_due(question)) == 1
    question.refresh_from_db()
    assert question.offered_at is not None


def test_command_offers_overdue_questions(member, expert, category):
    colleague = make_expert(categories=[category])
    question = _ask(member, expert, category=category)
    Question.objects.filter(pk=question.pk).update(
        answer_due_at=timezone.now() - timedelta(minutes=1)
    )
    out = StringIO()
    call_command("offer_overdue_questions", stdout=out)
    assert out.getvalue().splitlines()[0] == "1 question(s) offered."
    assert colleague.pk in _offered_to(question)


# --- what members see -------------------------------------------------------------------


def _make_overdue(question):
    Question.objects.filter(pk=question.pk).update(
        answer_due_at=timezone.now() - timedelta(hours=1),
        created_at=timezone.now() - timedelta(hours=11),
    )


def test_asker_sees_the_overdue_notice(client, member, expert, category):
    question = _ask(member, expert, category=category)
    _make_overdue(question)
    url = reverse("experts:question_detail", args=[question.pk])
    client.force_login(member)
    page = client.get(url).content.decode()
    assert "has not answered within the stated 10 hours" in page
    assert "will be invited to answer shortly" in page
    services.questions_offer_overdue()
    page = client.get(url).content.decode()
    assert "experts of the field have been invited to answer" in page
    # Nobody else sees the notice.
    client.force_login(MemberFactory())
    assert "has not answered within" not in client.get(url).content.decode()


def test_expert_sees_the_deadline_and_the_inbox(client, member, expert, category):
    question = _ask(member, expert, category=category)
    client.force_login(expert)
    page = client.get(reverse("experts:question_detail", args=[question.pk])).content.decode()
    assert "This question was asked to you" in page
    inbox = client.get(reverse("experts:questions_for_me")).content.decode()
    assert TITLE in inbox and "Asked to you" in inbox


def test_offered_questions_reach_the_field_experts_inbox(member, expert, category):
    colleague = make_expert(categories=[category])
    stranger = make_expert(categories=[CategoryFactory()])
    question = _ask(member, expert, category=category)
    assert question.pk not in [q.pk for q in selectors.questions_for_expert(expert=colleague)]
    services.questions_offer_overdue(now=_after_due(question))
    rows = selectors.questions_for_expert(expert=colleague).object_list
    assert [q.pk for q in rows] == [question.pk]
    assert rows[0].directed_to_me is False
    assert not selectors.questions_for_expert(expert=stranger).object_list
    directed = selectors.questions_for_expert(expert=expert).object_list
    assert [q.pk for q in directed] == [question.pk] and directed[0].directed_to_me


def test_list_marks_overdue_questions(member, expert, category):
    question = _ask(member, expert, category=category)
    _make_overdue(question)
    [row] = selectors.question_list(viewer=member, filters={}).object_list
    assert row.is_overdue
