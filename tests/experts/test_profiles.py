"""Expert profiles: the expert's settings, the response time measured from data, and
private conversations with experts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from community.chat.models import Room
from community.errors import AccessDenied, DomainError, NotFound, RateLimited
from experts.models import Answer, ExpertProfile, Question
from experts.services.profiles import (
    expert_conversation_open,
    expert_profile_update,
    expert_response_time_refresh,
    expert_response_times_refresh,
)
from tests.factories import AnswerFactory, CertificateFactory, MemberFactory, QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert():
    return CertificateFactory().member


def _update(member, **changes):
    values = {
        "about": "I fit **tyres** for a living.",
        "response_hours": 24,
        "accepts_questions": True,
        "accepts_conversations": True,
    }
    values.update(changes)
    return expert_profile_update(member=member, **values)


# --- expert_profile_update ------------------------------------------------------------


def test_update_saves_settings_and_renders_markdown(expert):
    profile = _update(expert, about="I fit **tyres**.\n\n<script>alert(1)</script>")
    profile.refresh_from_db()
    assert profile.response_hours == 24
    assert profile.accepts_conversations is True
    assert "<strong>tyres</strong>" in profile.about_html
    assert "<script>" not in profile.about_html


def test_update_with_empty_about_clears_the_html(expert):
    _update(expert)
    profile = _update(expert, about="   ")
    assert profile.about == "" and profile.about_html == ""


def test_member_without_a_profile_cannot_update(member):
    with pytest.raises(AccessDenied):
        _update(member)
    with pytest.raises(AccessDenied):
        _update(AnonymousUser())


@pytest.mark.parametrize("hours", [0, 721, -3, "soon", None])
def test_response_hours_must_be_1_to_720(expert, hours):
    with pytest.raises(DomainError) as caught:
        _update(expert, response_hours=hours)
    assert caught.value.field == "response_hours"


@pytest.mark.parametrize("hours", [1, 720])
def test_response_hours_bounds_are_allowed(expert, hours):
    assert _update(expert, response_hours=hours).response_hours == hours


def test_about_is_bounded(expert):
    with pytest.raises(DomainError) as caught:
        _update(expert, about="x" * 3001)
    assert caught.value.field == "about"


def test_update_is_rate_limited(settings, expert):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "expert_profile": (1, 3600)}
    _update(expert)
    with pytest.raises(RateLimited):
        _update(expert, response_hours=5)
    assert ExpertProfile.objects.get(member=expert).response_hours == 24


# --- expert_response_time_refresh -----------------------------------------------------


def _directed(expert, *, asked_hours_ago, answered_after_hours=None, now, **answer_fields):
    """A question asked to `expert` some hours before `now`, answered after a delay."""
    question = QuestionFactory(directed_to=expert)
    asked = now - timedelta(hours=asked_hours_ago)
    Question.objects.filter(pk=question.pk).update(created_at=asked)
    if answered_after_hours is not None:
        answer = AnswerFactory(question=question, author=expert, **answer_fields)
        Answer.objects.filter(pk=answer.pk).update(
            created_at=asked + timedelta(hours=answered_after_hours)
        )
    return question


def test_median_of_first_answers_to_directed_questions(expert):
    now = timezone.now()
    for delay in (1, 3, 10):
        _directed(expert, asked_hours_ago=100, answered_after_hours=delay, now=now)
    profile = expert_response_time_refresh(member=expert, now=now)
    assert profile.median_response_seconds == 3 * 3600
    assert profile.response_sample_size == 3
    assert profile.response_measured_at == now


def test_median_of_an_even_sample_is_the_mean_of_the_middle_two(expert):
    now = timezone.now()
    for delay in (1, 2, 4, 30):
        _directed(expert, asked_hours_ago=200, answered_after_hours=delay, now=now)
    profile = expert_response_time_refresh(member=expert, now=now)
    assert profile.median_response_seconds == 3 * 3600


def test_only_what_counts_is_measured(expert):
    """Older than 90 days, unanswered, answered by someone else, not directed to the
    expert, a hidden answer: none of them count."""
    now = timezone.now()
    _directed(expert, asked_hours_ago=24 * 91, answered_after_hours=1, now=now)  # too old
    _directed(expert, asked_hours_ago=10, now=now)  # unanswered
    someone_else = _directed(expert, asked_hours_ago=10, now=now)
    AnswerFactory(question=someone_else)
    _directed(expert, asked_hours_ago=50, answered_after_hours=2, now=now, is_hidden=True)
    undirected = QuestionFactory()
    AnswerFactory(question=undirected, author=expert)
    _directed(expert, asked_hours_ago=30, answered_after_hours=5, now=now)  # the one
    profile = expert_response_time_refresh(member=expert, now=now)
    assert profile.response_sample_size == 1
    assert profile.median_response_seconds == 5 * 3600


def test_an_overdue_unanswered_question_counts_with_its_wait_so_far(expert):
    """Ignoring questions cannot keep the figure fast: a question still waiting past
    its due time counts with the time it has waited; one not yet due does not."""
    now = timezone.now()
    _directed(expert, asked_hours_ago=100, answered_after_hours=1, now=now)
    overdue = _directed(expert, asked_hours_ago=60, now=now)
    Question.objects.filter(pk=overdue.pk).update(answer_due_at=now - timedelta(hours=36))
    not_due = _directed(expert, asked_hours_ago=2, now=now)
    Question.objects.filter(pk=not_due.pk).update(answer_due_at=now + timedelta(hours=22))
    profile = expert_response_time_refresh(member=expert, now=now)
    assert profile.response_sample_size == 2
    assert profile.median_response_seconds == round((1 + 60) / 2 * 3600)


def test_the_hourly_run_remeasures_experts_whose_figure_time_changes(expert):
    """An expert who stops answering: the question becomes overdue with no answer, and
    only the scheduled run can notice."""
    now = timezone.now()
    question = _directed(expert, asked_hours_ago=30, now=now)
    Question.objects.filter(pk=question.pk).update(answer_due_at=now - timedelta(hours=6))
    idle = CertificateFactory().member
    ExpertProfile.objects.get_or_create(member=idle)
    assert expert_response_times_refresh(now=now) == 1  # the idle expert is skipped
    profile = ExpertProfile.objects.get(member=expert)
    assert profile.response_sample_size == 1
    assert profile.median_response_seconds == 30 * 3600


def test_the_first_answer_counts_not_a_later_edit_or_second(expert):
    now = timezone.now()
    question = _directed(expert, asked_hours_ago=40, answered_after_hours=4, now=now)
    Answer.objects.filter(question=question).update(edited_at=now)
    profile = expert_response_time_refresh(member=expert, now=now)
    assert profile.median_response_seconds == 4 * 3600


def test_no_sample_means_no_figure(expert):
    now = timezone.now()
    _directed(expert, asked_hours_ago=5, now=now)
    profile = expert_response_time_refresh(member=expert, now=now)
    assert profile.median_response_seconds is None
    assert profile.response_sample_size == 0


def test_time_travel_moves_questions_out_of_the_window(expert):
    now = timezone.now()
    _directed(expert, asked_hours_ago=24 * 80, answered_after_hours=6, now=now)
    assert expert_response_time_refresh(member=expert, now=now).response_sample_size == 1
    later = now + timedelta(days=20)
    assert expert_response_time_refresh(member=expert, now=later).median_response_seconds is None


def test_refresh_for_a_member_without_profile_returns_none(member):
    assert expert_response_time_refresh(member=member) is None


def test_profile_page_shows_the_measured_figure(client, expert):
    now = timezone.now()
    for delay in (2, 4, 6):
        _directed(expert, asked_hours_ago=100, answered_after_hours=delay, now=now)
    expert_response_time_refresh(member=expert, now=now)
    html = client.get(reverse("experts:profile", args=[expert.pk])).content.decode()
    assert "about 4 hours" in html
    assert "Median over 3 questions asked to them in the last 90 days" in html


def test_profile_page_says_when_there_is_not_enough_data(client, expert):
    html = client.get(reverse("experts:profile", args=[expert.pk])).content.decode()
    assert "Not enough data yet" in html


# --- private conversations ------------------------------------------------------------


def _allow_conversations(expert, allowed=True):
    ExpertProfile.objects.filter(member=expert).update(accepts_conversations=allowed)
    expert.refresh_from_db()


def test_conversation_refused_when_the_expert_does_not_allow_it(member, expert):
    with pytest.raises(AccessDenied) as caught:
        expert_conversation_open(member=member, expert=expert)
    assert caught.value.code == "conversations_closed"
    assert not Room.objects.exists()


def test_conversation_opens_the_expert_room_and_the_same_one_twice(member, expert):
    _allow_conversations(expert)
    room = expert_conversation_open(member=member, expert=expert)
    assert room.kind == Room.Kind.EXPERT
    assert {room.participant_a_id, room.participant_b_id} == {member.pk, expert.pk}
    again = expert_conversation_open(member=member, expert=expert)
    assert again.pk == room.pk
    assert Room.objects.count() == 1


def test_conversation_with_a_non_expert_or_oneself_is_refused(member, expert):
    with pytest.raises(NotFound):
        expert_conversation_open(member=expert, expert=MemberFactory())
    _allow_conversations(expert)
    with pytest.raises(AccessDenied):
        expert_conversation_open(member=expert, expert=expert)


def test_conversation_with_an_expired_expert_is_refused(member, expert):
    _allow_conversations(expert)
    expert.certificates.update(expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(NotFound):
        expert_conversation_open(member=member, expert=expert)


def test_conversation_action_redirects_to_the_room(client, member, expert):
    _allow_conversations(expert)
    client.force_login(member)
    response = client.post(reverse("experts:conversation", args=[expert.pk]))
    room = Room.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("chat:room", args=[room.pk])
    as_json = client.post(
        reverse("experts:conversation", args=[expert.pk]), HTTP_ACCEPT="application/json"
    )
    assert as_json.json() == {"room": room.pk, "url": reverse("chat:room", args=[room.pk])}


def test_conversation_action_refused_goes_back_with_the_reason(client, member, expert):
    client.force_login(member)
    url = reverse("experts:conversation", args=[expert.pk])
    page = client.post(url, follow=True)
    assert page.status_code == 200
    assert "does not take private conversations" in page.content.decode()
    assert client.post(url, HTTP_ACCEPT="application/json").status_code == 403
    assert client.get(url).status_code == 405
    assert not Room.objects.exists()


def test_conversation_action_needs_a_login(client, expert):
    _allow_conversations(expert)
    response = client.post(reverse("experts:conversation", args=[expert.pk]))
    assert response.status_code == 302 and reverse("account_login") in response.url
    assert not Room.objects.exists()


# --- settings page --------------------------------------------------------------------


def test_settings_page_saves_and_shows_the_profile(client, expert):
    client.force_login(expert)
    url = reverse("experts:profile_settings")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"about": "Twenty years of **wheels**.", "response_hours": 12, "accepts_questions": "on"},
    )
    assert response.status_code == 302
    assert response.url == reverse("experts:profile", args=[expert.pk])
    profile = ExpertProfile.objects.get(member=expert)
    assert profile.response_hours == 12
    assert profile.accepts_questions and not profile.accepts_conversations
    html = client.get(response.url).content.decode()
    assert "<strong>wheels</strong>" in html


def test_settings_page_rejects_bad_hours(client, expert):
    client.force_login(expert)
    response = client.post(
        reverse("experts:profile_settings"), {"about": "", "response_hours": 9999}
    )
    assert response.status_code == 400
    assert ExpertProfile.objects.get(member=expert).response_hours != 9999


def test_settings_page_is_for_experts_only(client, member):
    url = reverse("experts:profile_settings")
    assert reverse("account_login") in client.get(url).url
    client.force_login(member)
    assert client.get(url).status_code == 403
    assert client.post(url, {"response_hours": 5}).status_code == 403
