"""Writes of expert profiles: the expert's own settings, the measured response time,
and opening a private conversation with an expert (a chat room of kind "expert")."""

import statistics
from datetime import timedelta

from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from community.chat.models import Room
from community.chat.services import rooms as chat_rooms
from community.errors import AccessDenied, DomainError
from community.ratelimit import rate_limit_hit
from community.text import render_markdown
from experts.models import ExpertProfile, Question
from experts.services.access import access_account, access_expert_conversation

RESPONSE_HOURS_MIN = 1
RESPONSE_HOURS_MAX = 720  # 30 days
ABOUT_MAX_LENGTH = 3000
RESPONSE_WINDOW = timedelta(days=90)


def expert_profile_update(
    *,
    member,
    about: str,
    response_hours: int,
    accepts_questions: bool,
    accepts_conversations: bool,
) -> ExpertProfile:
    """The expert edits their own profile (created with their first certificate)."""
    access_account(user=member)
    profile = ExpertProfile.objects.filter(member=member).first()
    if profile is None:
        raise AccessDenied(
            _("Only certified experts have an expert profile."), code="not_an_expert"
        )
    about = (about or "").strip()
    if len(about) > ABOUT_MAX_LENGTH:
        raise DomainError(
            _("Keep it under %(limit)d characters.") % {"limit": ABOUT_MAX_LENGTH}, field="about"
        )
    try:
        response_hours = int(response_hours)
    except (TypeError, ValueError):
        response_hours = 0
    if not RESPONSE_HOURS_MIN <= response_hours <= RESPONSE_HOURS_MAX:
        raise DomainError(
            _("Choose a response time from %(min)d to %(max)d hours.")
            % {"min": RESPONSE_HOURS_MIN, "max": RESPONSE_HOURS_MAX},
            field="response_hours",
        )
    rate_limit_hit(action="expert_profile", key=member.pk)
    with transaction.atomic():
        profile.about = about
        profile.about_html = render_markdown(about) if about else ""
        profile.response_hours = response_hours
        profile.accepts_questions = bool(accepts_questions)
        profile.accepts_conversations = bool(accepts_conversations)
        profile.save(
            update_fields=[
                "about",
                "about_html",
                "response_hours",
                "accepts_questions",
                "accepts_conversations",
            ]
        )
    return profile


def expert_response_time_refresh(*, member, now=None) -> ExpertProfile | None:
    """Measure the expert's response time from data: the median of (first visible
    answer by the expert - question asked) over the questions directed to them in the
    last 90 days. A question still unanswered past its due time counts with its waiting
    time so far (a lower bound), so ignoring questions cannot keep the figure fast;
    questions not yet due are left out. The sample size is stored beside the figure,
    which is None without a sample. Called after the expert answers and by the hourly
    `offer_overdue_questions`; returns the profile (None for a member without one)."""
    now = now or timezone.now()
    rows = (
        Question.objects.filter(
            directed_to=member,
            is_hidden=False,
            created_at__gte=now - RESPONSE_WINDOW,
            created_at__lte=now,
        )
        .annotate(
            first_answer_at=Min(
                "answers__created_at",
                filter=Q(
                    answers__author=member,
                    answers__is_hidden=False,
                    answers__created_at__lte=now,
                ),
            )
        )
        .filter(Q(first_answer_at__isnull=False) | Q(answer_due_at__lte=now))
        .values_list("created_at", "first_answer_at")
    )
    delays = [max(0, ((answered or now) - asked).total_seconds()) for asked, answered in rows]
    median = round(statistics.median(delays)) if delays else None
    updated = ExpertProfile.objects.filter(member=member).update(
        median_response_seconds=median,
        response_sample_size=len(delays),
        response_measured_at=now,
    )
    if not updated:
        return None
    return ExpertProfile.objects.get(member=member)


def expert_response_times_refresh(*, now=None) -> int:
    """Re-measure every expert whose figure can have changed with time alone: those
    with a figure (old questions leave the 90-day window) and those with a directed
    question in the window (one may have become overdue). Returns how many."""
    now = now or timezone.now()
    recent = Question.objects.filter(created_at__gte=now - RESPONSE_WINDOW).values("directed_to_id")
    members = (
        ExpertProfile.objects.filter(
            Q(median_response_seconds__isnull=False) | Q(member_id__in=recent)
        )
        .select_related("member")
        .order_by("pk")
    )
    count = 0
    for profile in members.iterator():
        expert_response_time_refresh(member=profile.member, now=now)
        count += 1
    return count


def expert_conversation_open(*, member, expert) -> Room:
    """Open (or reopen: one room per pair) a private conversation with an expert who
    allows them. The room is the chat's "expert" kind; the caller shows chat:room."""
    access_expert_conversation(member=member, expert=expert)
    return chat_rooms.expert_room_open(member=member, expert=expert)
