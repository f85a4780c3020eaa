"""Trust levels: requirements counted from a member's activity, promotion (and its ledger
row), the Regular's grace period before demotion, the fast track, leaders granted by
moderators, the privilege gates, and how visits and reading are counted."""

import io
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from brand_clubs.models import ClubAuditEntry
from community.errors import AccessDenied, DomainError
from community.members.models import Member
from community.reputation import rules
from community.reputation.activity import note_items_read
from community.reputation.models import MemberVisit, ReputationEntry
from community.reputation.rules import Privilege, Reason, Stat, TrustLevel
from community.reputation.services import (
    reputation_content_removed,
    reputation_content_restored,
    reputation_record,
    reputation_undo,
)
from community.reputation.trust_selectors import trust_progress, trust_stats
from community.reputation.trust_services import (
    access_privilege,
    flag_weight_of,
    member_has_privilege,
    trust_fast_track,
    trust_items_read_add,
    trust_level_evaluate,
    trust_level_grant_leader,
    trust_level_withdraw_leader,
)
from community.reviews.models import Review
from tests.factories import ClubFactory, MemberFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def visits(member, days: int, *, read_each: int = 0, ending: date | None = None):
    ending = ending or timezone.now().date()
    MemberVisit.objects.bulk_create(
        MemberVisit(member=member, day=ending - timedelta(days=offset), items_read=read_each)
        for offset in range(days)
    )


def helpful_votes(*, voters, author, count_each: int = 1):
    """Helpful marks on fresh reviews of `author`, recorded as the reviews service does."""
    for voter in voters:
        for _ in range(count_each):
            review = ReviewFactory(author=author)
            reputation_record(
                member=author, reason=Reason.REVIEW_HELPFUL, source=review, actor=voter
            )


def level_rows(member):
    return list(
        ReputationEntry.objects.filter(member=member, trust_level__isnull=False)
        .order_by("pk")
        .values_list("reason", "trust_level", "delta")
    )


def reload(member) -> Member:
    return Member.objects.get(pk=member.pk)


def make_regular_activity(member, *, ending=None):
    """Everything level 3 asks for, within its window."""
    visits(member, 50, read_each=10, ending=ending)
    others = MemberFactory.create_batch(2)
    helpful_votes(voters=[member], author=others[0], count_each=30)
    helpful_votes(voters=others, author=member, count_each=10)
    flagged = ReviewFactory(status=Review.Status.HIDDEN)
    flagged.flags.create(reporter=member, reason="spam", resolved_at=timezone.now())


def test_a_new_member_is_level_0_and_sees_what_basic_needs(member):
    progress = trust_progress(member=member)
    assert progress.level == TrustLevel.NEW
    assert progress.target == TrustLevel.BASIC
    assert [(item.stat, item.have, item.need) for item in progress.requirements] == [
        (Stat.DAYS_VISITED, 0, 2),
        (Stat.ITEMS_READ, 0, 20),
    ]


def test_meeting_basic_promotes_with_a_ledger_row_and_no_points(member):
    visits(member, 2, read_each=10)
    assert trust_level_evaluate(member=member) == TrustLevel.BASIC
    assert reload(member).trust_level == TrustLevel.BASIC
    assert member.trust_level == TrustLevel.BASIC  # the caller's object follows
    assert level_rows(member) == [(Reason.LEVEL_PROMOTED, TrustLevel.BASIC, 0)]
    assert reload(member).reputation == rules.STARTING_POINTS
    # Evaluating again changes nothing and writes nothing.
    trust_level_evaluate(member=member)
    assert len(level_rows(member)) == 1


def test_one_short_of_a_requirement_is_not_enough(member):
    visits(member, 2, read_each=9)  # 18 of 20 read
    assert trust_level_evaluate(member=member) == TrustLevel.NEW
    assert level_rows(member) == []


def test_member_level_needs_votes_given_and_received_and_contributions(member):
    visits(member, 15, read_each=10)
    other = MemberFactory()
    helpful_votes(voters=[member], author=other)
    helpful_votes(voters=[other], author=member)
    assert trust_level_evaluate(member=member) == TrustLevel.BASIC  # 1 review written
    ReviewFactory.create_batch(2, author=member)
    assert trust_level_evaluate(member=reload(member)) == TrustLevel.MEMBER
    assert [row[1] for row in level_rows(member)] == [TrustLevel.BASIC, TrustLevel.MEMBER]


def test_a_member_can_jump_levels_in_one_evaluation(member):
    visits(member, 15, read_each=10)
    other = MemberFactory()
    helpful_votes(voters=[member], author=other)
    helpful_votes(voters=[other], author=member)
    ReviewFactory.create_batch(2, author=member)
    assert trust_level_evaluate(member=member) == TrustLevel.MEMBER
    assert level_rows(member) == [(Reason.LEVEL_PROMOTED, TrustLevel.MEMBER, 0)]


def test_undone_votes_and_own_content_do_not_count(member):
    other = MemberFactory()
    review = ReviewFactory(author=other)
    reputation_record(member=other, reason=Reason.REVIEW_HELPFUL, source=review, actor=member)
    assert trust_stats(member=member)[Stat.HELPFUL_GIVEN] == 1
    reputation_undo(member=other, source=review, actor=member, reasons=[Reason.REVIEW_HELPFUL])
    stats = trust_stats(member=member)
    assert stats[Stat.HELPFUL_GIVEN] == 0
    assert trust_stats(member=other)[Stat.HELPFUL_RECEIVED] == 0


def test_votes_on_content_hidden_then_restored_count_again(member, moderator):
    other = MemberFactory()
    review = ReviewFactory(author=member)
    reputation_record(member=member, reason=Reason.REVIEW_HELPFUL, source=review, actor=other)
    reputation_content_removed(content=review, author=member, moderator=moderator)
    assert trust_stats(member=member)[Stat.HELPFUL_RECEIVED] == 0
    assert trust_stats(member=member)[Stat.CONTENT_REMOVED] == 1
    assert trust_stats(member=other)[Stat.HELPFUL_GIVEN] == 0
    reputation_content_restored(content=review, author=member, moderator=moderator)
    stats = trust_stats(member=member)
    assert (stats[Stat.HELPFUL_RECEIVED], stats[Stat.CONTENT_REMOVED]) == (1, 0)
    assert trust_stats(member=other)[Stat.HELPFUL_GIVEN] == 1


def test_regular_counts_only_the_last_100_days(member):
    member.trust_level = TrustLevel.MEMBER
    member.save(update_fields=["trust_level"])
    long_ago = timezone.now().date() - timedelta(days=rules.REGULAR_WINDOW_DAYS + 10)
    visits(member, 60, read_each=20, ending=long_ago)
    progress = trust_progress(member=member)
    assert progress.target == TrustLevel.REGULAR and progress.windowed
    days = next(item for item in progress.requirements if item.stat == Stat.DAYS_VISITED)
    assert (days.have, days.need) == (0, 50)


def test_a_member_meeting_every_regular_requirement_becomes_regular(member):
    member.trust_level = TrustLevel.MEMBER
    member.save(update_fields=["trust_level"])
    make_regular_activity(member)
    ReviewFactory.create_batch(10, author=member)
    assert trust_level_evaluate(member=member) == TrustLevel.REGULAR


def test_a_club_ban_in_the_window_keeps_a_member_from_regular(member):
    member.trust_level = TrustLevel.MEMBER
    member.save(update_fields=["trust_level"])
    make_regular_activity(member)
    ReviewFactory.create_batch(10, author=member)
    ClubAuditEntry.objects.create(
        club=ClubFactory(), action=ClubAuditEntry.Action.BAN, target_member=member
    )
    assert trust_level_evaluate(member=member) == TrustLevel.MEMBER
    suspensions = next(
        item for item in trust_progress(member=member).requirements if item.stat == Stat.SUSPENSIONS
    )
    assert suspensions.at_most and not suspensions.met


def test_a_regular_is_demoted_only_after_the_grace_period(member):
    member.trust_level = TrustLevel.REGULAR
    member.save(update_fields=["trust_level"])
    start = timezone.now()
    assert trust_level_evaluate(member=member, now=start) == TrustLevel.REGULAR
    assert reload(member).trust_level_failing_since == start
    assert trust_progress(member=reload(member), now=start).demotion_at == start + timedelta(
        days=rules.TRUST_DEMOTION_GRACE_DAYS
    )
    almost = start + timedelta(days=rules.TRUST_DEMOTION_GRACE_DAYS) - timedelta(minutes=1)
    assert trust_level_evaluate(member=member, now=almost) == TrustLevel.REGULAR
    assert level_rows(member) == []
    later = start + timedelta(days=rules.TRUST_DEMOTION_GRACE_DAYS)
    assert trust_level_evaluate(member=member, now=later) == TrustLevel.MEMBER
    assert level_rows(member) == [(Reason.LEVEL_DEMOTED, TrustLevel.MEMBER, 0)]
    assert reload(member).trust_level_failing_since is None


def test_meeting_the_requirements_again_ends_the_grace_period(member):
    member.trust_level = TrustLevel.REGULAR
    member.save(update_fields=["trust_level"])
    trust_level_evaluate(member=member)
    assert reload(member).trust_level_failing_since is not None
    make_regular_activity(member)
    ReviewFactory.create_batch(10, author=member)
    assert trust_level_evaluate(member=reload(member)) == TrustLevel.REGULAR
    assert reload(member).trust_level_failing_since is None


def test_levels_1_and_2_are_kept_when_activity_stops(member):
    member.trust_level = TrustLevel.MEMBER
    member.save(update_fields=["trust_level"])
    assert trust_level_evaluate(member=member) == TrustLevel.MEMBER
    assert reload(member).trust_level_failing_since is None


def test_fast_track_lifts_a_new_member_to_basic_naming_the_source(member):
    review = ReviewFactory()
    assert trust_fast_track(member=member, source=review)
    row = ReputationEntry.objects.get(member=member, reason=Reason.LEVEL_PROMOTED)
    assert (row.trust_level, row.source) == (TrustLevel.BASIC, review)
    assert not trust_fast_track(member=member, source=review)  # already Basic
    assert ReputationEntry.objects.filter(member=member).count() == 1


def test_only_moderators_grant_and_withdraw_leader(member, other_member, moderator):
    with pytest.raises(AccessDenied):
        trust_level_grant_leader(member=member, moderator=other_member)
    trust_level_grant_leader(member=member, moderator=moderator)
    assert reload(member).trust_level == TrustLevel.LEADER
    with pytest.raises(DomainError):
        trust_level_grant_leader(member=member, moderator=moderator)
    # Leaders are left alone by the evaluation, whatever their activity.
    assert trust_level_evaluate(member=member) == TrustLevel.LEADER
    assert trust_level_withdraw_leader(member=member, moderator=moderator) == TrustLevel.MEMBER
    assert [(row[0], row[1]) for row in level_rows(member)] == [
        (Reason.LEVEL_GRANTED, TrustLevel.LEADER),
        (Reason.LEVEL_GRANTED, TrustLevel.MEMBER),
    ]
    granted = ReputationEntry.objects.filter(member=member).first()
    assert granted.actor == moderator
    with pytest.raises(DomainError):
        trust_level_withdraw_leader(member=member, moderator=moderator)


@pytest.mark.parametrize(
    ("privilege", "level"),
    [
        (Privilege.POST_LINKS, 1),
        (Privilege.POST_MANY_PHOTOS, 1),
        (Privilege.WEIGHTED_FLAGS, 2),
        (Privilege.SKIP_PREMODERATION, 2),
        (Privilege.EDIT_WIKI, 3),
        (Privilege.VIEW_MODERATION_QUEUE, 3),
        (Privilege.MODERATE_OWN_CLUBS, 4),
    ],
)
def test_each_privilege_opens_at_its_level(member, privilege, level):
    member.trust_level = level - 1
    assert not member_has_privilege(member, privilege)
    with pytest.raises(AccessDenied) as refused:
        access_privilege(member, privilege)
    assert refused.value.code == "privilege"
    with pytest.raises(DomainError) as as_form_error:
        access_privilege(member, privilege, field="body")
    assert as_form_error.value.field == "body"
    assert not isinstance(as_form_error.value, AccessDenied)
    member.trust_level = level
    assert member_has_privilege(member, privilege)
    access_privilege(member, privilege)


def test_moderators_hold_every_privilege_and_anonymous_none(moderator):
    assert all(member_has_privilege(moderator, privilege) for privilege in Privilege)
    assert not any(member_has_privilege(AnonymousUser(), privilege) for privilege in Privilege)


def test_flags_of_members_count_double(member, moderator):
    assert flag_weight_of(member) == 1
    member.trust_level = TrustLevel.MEMBER
    assert flag_weight_of(member) == 2
    assert flag_weight_of(moderator) == 2


def test_signing_in_counts_a_visit_once_a_day(client, member):
    client.force_login(member)
    client.get("/")
    client.get("/")
    assert MemberVisit.objects.filter(member=member).count() == 1


def test_a_member_who_stays_signed_in_gets_a_visit_the_next_day(client, member):
    client.force_login(member)
    MemberVisit.objects.all().delete()
    session = client.session
    session["gw_visited_on"] = "2000-01-01"
    session.save()
    client.get("/")
    assert MemberVisit.objects.filter(member=member).count() == 1


def test_items_read_count_once_a_day_each(member):
    request = RequestFactory().get("/")
    request.user = member
    request.session = SessionStore()
    assert note_items_read(request, ["review:1", "review:2", "review:1"]) == 2
    assert note_items_read(request, ["review:2", "post:7"]) == 1
    visit = MemberVisit.objects.get(member=member)
    assert visit.items_read == 3
    request.user = AnonymousUser()
    assert note_items_read(request, ["review:9"]) == 0


def test_items_read_without_a_visit_row_creates_it(member):
    trust_items_read_add(member=member, count=4)
    trust_items_read_add(member=member, count=1)
    assert MemberVisit.objects.get(member=member).items_read == 5


def test_the_nightly_command_promotes_and_demotes(member, other_member):
    visits(member, 2, read_each=10)
    other_member.trust_level = TrustLevel.REGULAR
    other_member.trust_level_failing_since = timezone.now() - timedelta(days=30)
    other_member.save(update_fields=["trust_level", "trust_level_failing_since"])
    out = io.StringIO()
    call_command("evaluate_trust_levels", stdout=out)
    assert "2 member(s) checked, 2 changed" in out.getvalue()
    assert reload(member).trust_level == TrustLevel.BASIC
    assert reload(other_member).trust_level == TrustLevel.MEMBER
