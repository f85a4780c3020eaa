"""Trust levels in clubs (services): links and photos from level 1, posts published at
once from level 2 (below: PENDING until a moderator decides), leaders (level 4) moderate
the content of their own clubs, an invite lifts a new member to level 1. The brand's
staff and the club's moderators are exempt from the gates on what they write."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from brand_clubs.models import Club, ClubAuditEntry, ClubInvite, ClubMembership, ClubPost
from brand_clubs.selectors import feed as selectors
from brand_clubs.services import clubs as club_services
from brand_clubs.services import feed as services
from brand_clubs.services.access import club_standing
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.models import Member, Notification
from community.reputation.gates import html_has_link as has_link
from community.reputation.models import ReputationEntry
from community.reputation.rules import PHOTOS_BEFORE_BASIC, Reason, Stat, TrustLevel
from community.reputation.selectors import reputation_ledger_page
from community.reputation.trust_selectors import trust_stats
from community.text import render_markdown
from search import services as search_services
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
    ModeratorFactory,
    club_member_at,
    image_upload,
    no_rate_limits,
)
from tests.search.conftest import database_search  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    no_rate_limits(settings)


@pytest.fixture
def club():
    return ClubFactory()


_member = club_member_at


def _club_moderator(club, level=TrustLevel.NEW):
    return _member(club, level, role=ClubMembership.Role.MODERATOR)


def _staff(club, level=TrustLevel.NEW):
    return BrandStaffFactory(brand=club.brand, member__trust_level=level).member


def _leader(club):
    return _member(club, TrustLevel.LEADER)


def _post(club, author, body="Sunday ride?", **kwargs):
    return services.post_create(club=club, author=author, body=body, **kwargs)


def _pending(club, author=None, body="New here: hello!"):
    post = _post(club, author or _member(club), body=body)
    assert post.status == ClubPost.Status.PENDING
    return post


LINKS = [
    "Look: [our shop](https://spam.example/buy)",
    "Autolink <https://spam.example/buy>",
    "Mail me <me@spam.example>",
]


# --- links (level 1) ------------------------------------------------------------------


@pytest.mark.parametrize("body", LINKS)
def test_new_member_cannot_post_a_link(club, body):
    with pytest.raises(DomainError) as caught:
        _post(club, _member(club), body=body)
    assert caught.value.field == "body" and caught.value.code == "privilege"
    assert "trust level 1" in caught.value.message
    assert not ClubPost.objects.exists()


@pytest.mark.parametrize("body", LINKS)
def test_basic_member_posts_links(club, body):
    post = _post(club, _member(club, TrustLevel.BASIC), body=body)
    assert "<a " in post.body_html


@pytest.mark.parametrize(
    "body",
    [
        "Visit https://spam.example/buy today",  # bare URL: counts if the renderer links it
        "Raw <a href='https://spam.example'>html</a> is escaped",
        "Just **bold** words about a.m. rides",
    ],
)
def test_what_counts_as_a_link_is_what_the_renderer_links(club, body):
    rendered = render_markdown(body)
    linked = "<a " in rendered
    assert has_link(rendered) is linked
    if linked:
        with pytest.raises(DomainError):
            _post(club, _member(club), body=body)
    else:
        _post(club, _member(club), body=body)


def test_link_gate_applies_to_comments_and_edits(club):
    post = _post(club, _member(club, TrustLevel.MEMBER))
    newcomer = _member(club)
    with pytest.raises(DomainError) as caught:
        services.comment_create(post=post, author=newcomer, body="[deal](https://spam.example)")
    assert caught.value.field == "body"
    services.comment_create(post=post, author=newcomer, body="Count me in")
    basic = _member(club, TrustLevel.BASIC)
    services.comment_create(post=post, author=basic, body="Route: <https://maps.example/r>")

    own = _pending(club, newcomer)
    with pytest.raises(DomainError) as caught:
        services.post_update(post=own, editor=newcomer, body="Now with <https://spam.example>")
    assert caught.value.field == "body"
    own.refresh_from_db()
    assert "spam" not in own.body


@pytest.mark.parametrize("who", ["brand_staff", "club_moderator", "site_moderator"])
def test_accountable_people_post_links_and_photos_at_level_0(club, who):
    person = {
        "brand_staff": lambda: _staff(club),
        "club_moderator": lambda: _club_moderator(club),
        "site_moderator": lambda: (
            ClubMembershipFactory(club=club, member=ModeratorFactory()).member
        ),
    }[who]()
    assert person.trust_level == TrustLevel.NEW
    post = _post(
        club,
        person,
        body="Details: [programme](https://roadgrip.example/day)",
        photos=[image_upload(), image_upload()],
    )
    assert post.status == ClubPost.Status.PUBLISHED and post.photo_count == 2


def test_club_moderator_of_another_club_is_not_exempt(club):
    person = _member(club)
    ClubMembership.objects.create(
        club=ClubFactory(), member=person, role=ClubMembership.Role.MODERATOR
    )
    with pytest.raises(DomainError):
        _post(club, person, body="<https://spam.example>")


# --- photos (level 1) -----------------------------------------------------------------


def test_new_member_posts_one_photo_not_more(club):
    newcomer = _member(club)
    post = _post(club, newcomer, photos=[image_upload() for _ in range(PHOTOS_BEFORE_BASIC)])
    assert post.photo_count == PHOTOS_BEFORE_BASIC
    with pytest.raises(DomainError) as caught:
        _post(club, newcomer, photos=[image_upload() for _ in range(PHOTOS_BEFORE_BASIC + 1)])
    assert caught.value.field == "photos" and caught.value.code == "privilege"
    assert ClubPost.objects.count() == 1


def test_basic_member_posts_several_photos(club):
    post = _post(club, _member(club, TrustLevel.BASIC), photos=[image_upload() for _ in range(3)])
    assert post.photo_count == 3


# --- pre-moderation (level 2) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "status"),
    [
        (TrustLevel.NEW, ClubPost.Status.PENDING),
        (TrustLevel.BASIC, ClubPost.Status.PENDING),
        (TrustLevel.MEMBER, ClubPost.Status.PUBLISHED),
        (TrustLevel.LEADER, ClubPost.Status.PUBLISHED),
    ],
)
def test_posts_below_level_2_wait_for_a_moderator(club, level, status):
    assert _post(club, _member(club, level)).status == status


def test_staff_announcements_and_moderators_posts_are_never_pending(club):
    staff = _staff(club)
    announcement = _post(club, staff, kind=ClubPost.Kind.ANNOUNCEMENT)
    assert announcement.status == ClubPost.Status.PUBLISHED
    assert _post(club, staff).status == ClubPost.Status.PUBLISHED
    assert _post(club, _club_moderator(club)).status == ClubPost.Status.PUBLISHED


def test_pending_post_is_seen_by_its_author_and_moderators_only(club):
    author = _member(club)
    post = _pending(club, author)
    published = _post(club, _member(club, TrustLevel.MEMBER))
    other = _member(club, TrustLevel.MEMBER)
    moderator = _club_moderator(club)

    def feed(viewer):
        return set(selectors.post_list_for_club(club=club, viewer=viewer))

    assert feed(author) == {post, published}
    assert feed(other) == feed(AnonymousUser()) == feed(moderator) == {published}
    for viewer in (author, moderator, ModeratorFactory(), _staff(club), _leader(club)):
        assert selectors.post_get(club=club, pk=post.pk, viewer=viewer) == post
    for viewer in (other, AnonymousUser(), MemberFactory()):
        with pytest.raises(NotFound):
            selectors.post_get(club=club, pk=post.pk, viewer=viewer)
    standing = club_standing(user=moderator, club=club)
    assert list(selectors.post_list_pending(club=club, standing=standing)) == [post]
    assert selectors.post_pending_count(club=club, standing=standing) == 1
    for viewer in (author, other):
        standing = club_standing(user=viewer, club=club)
        assert not selectors.post_list_pending(club=club, standing=standing).exists()
        assert selectors.post_pending_count(club=club, standing=standing) == 0


def test_pending_post_cannot_be_liked_commented_or_pinned(club):
    post = _pending(club)
    with pytest.raises(NotFound):
        services.post_like(post=post, member=_member(club, TrustLevel.MEMBER))
    with pytest.raises(NotFound):
        services.comment_create(post=post, author=_member(club, TrustLevel.MEMBER), body="Hi")
    with pytest.raises(NotFound):
        services.post_pin(post=post, actor=_club_moderator(club), pinned=True)
    post.refresh_from_db()
    assert (post.like_count, post.comment_count, post.is_pinned) == (0, 0, False)


def test_author_edits_a_pending_post_and_it_stays_pending(club):
    author = _member(club)
    post = _pending(club, author)
    updated = services.post_update(post=post, editor=author, body="Better words")
    assert updated.status == ClubPost.Status.PENDING and updated.body == "Better words"


def test_pending_posts_do_not_count_as_contributions(club):
    author = _member(club)
    post = _pending(club, author)
    assert trust_stats(member=author)[Stat.CONTRIBUTIONS] == 0
    services.post_approve(post=post, actor=_club_moderator(club))
    assert trust_stats(member=author)[Stat.CONTRIBUTIONS] == 1


def test_moderators_are_told_once_until_they_read_it(club):
    moderator = _club_moderator(club)
    staff = _staff(club)
    other_clubs_moderator = _club_moderator(ClubFactory())
    _pending(club)
    _pending(club)
    told = Notification.objects.filter(kind="club_posts_pending")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([moderator.pk, staff.pk])
    assert not told.filter(recipient=other_clubs_moderator).exists()
    assert told.first().url.endswith(f"/clubs/{club.slug}/pending/")


def test_approve_publishes_audits_and_tells_the_author(club):
    author = _member(club)
    post = _pending(club, author, body="My first ride with the club")
    written = timezone.now() - timedelta(hours=5)
    ClubPost.objects.filter(pk=post.pk).update(created_at=written)
    moderator = _club_moderator(club)

    approved = services.post_approve(post=post, actor=moderator)

    assert approved.status == ClubPost.Status.PUBLISHED
    # Published now: at the top of the feed, not filed five hours down.
    assert approved.created_at > written + timedelta(hours=4)
    assert list(selectors.post_list_for_club(club=club, viewer=_member(club))) == [approved]
    # When it was written is kept on the post (shown in each viewer's zone), not as
    # text in the moderator's language in the log.
    assert approved.submitted_at == written
    assert ClubPost.objects.get(pk=post.pk).written_earlier_at == written
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.APPROVE_POST)
    assert (entry.actor, entry.target_member, entry.club) == (moderator, author, club)
    assert "first ride" in entry.target_repr and entry.reason == ""
    note = Notification.objects.get(recipient=author, kind="club_post_approved")
    assert note.url == approved.get_absolute_url() and note.params["club"] == club.name
    with pytest.raises(Conflict):
        services.post_approve(post=post, actor=moderator)  # already decided
    assert ClubAuditEntry.objects.filter(action=ClubAuditEntry.Action.APPROVE_POST).count() == 1


def test_reject_needs_a_reason_hides_and_tells_the_author_why(club):
    author = _member(club)
    post = _pending(club, author)
    moderator = _club_moderator(club)
    for reason in ("", "   "):
        with pytest.raises(DomainError) as caught:
            services.post_reject(post=post, actor=moderator, reason=reason)
        assert caught.value.field == "reason"

    rejected = services.post_reject(post=post, actor=moderator, reason="Off topic for this club")

    assert rejected.status == ClubPost.Status.HIDDEN
    entry = ClubAuditEntry.objects.get(action=ClubAuditEntry.Action.REJECT_POST)
    assert entry.reason == "Off topic for this club" and entry.target_member == author
    note = Notification.objects.get(recipient=author, kind="club_post_rejected")
    assert note.params["reason"] == "Off topic for this club"
    assert selectors.post_get(club=club, pk=post.pk, viewer=author) == rejected
    with pytest.raises(NotFound):
        selectors.post_get(club=club, pk=post.pk, viewer=_member(club, TrustLevel.MEMBER))
    # Never public, so no removal penalty.
    assert not ReputationEntry.objects.filter(member=author).exists()
    assert Member.objects.get(pk=author.pk).reputation == 1
    with pytest.raises(Conflict):
        services.post_approve(post=post, actor=moderator)


def test_who_may_decide_on_a_pending_post(club):
    post = _pending(club)
    for outsider in (
        _member(club, TrustLevel.REGULAR),
        MemberFactory(trust_level=TrustLevel.LEADER),  # a leader, but not of this club
        _member(ClubFactory(), TrustLevel.LEADER),
        BrandStaffFactory().member,
        _member(club, TrustLevel.LEADER, status=ClubMembership.Status.PENDING),
    ):
        with pytest.raises(AccessDenied):
            services.post_approve(post=post, actor=outsider)
        with pytest.raises(AccessDenied):
            services.post_reject(post=post, actor=outsider, reason="No")
    with pytest.raises(AccessDenied):
        services.post_approve(post=post, actor=post.author)
    for decider in (_club_moderator(club), _staff(club), ModeratorFactory(), _leader(club)):
        services.post_approve(post=_pending(club), actor=decider)
        services.post_reject(post=_pending(club), actor=decider, reason="Duplicate")


def test_hide_or_restore_is_no_way_around_the_decision(club):
    post = _pending(club)
    moderator = _club_moderator(club)
    with pytest.raises(Conflict):
        services.post_restore(post=post, actor=moderator, reason="Looks fine")
    with pytest.raises(Conflict):
        services.post_hide(post=post, actor=moderator, reason="Spam")
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PENDING


def test_nothing_is_approved_in_a_closed_club(club):
    post = _pending(club)
    Club.objects.filter(pk=club.pk).update(is_closed=True)
    post.club.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        services.post_approve(post=post, actor=_club_moderator(club))
    assert caught.value.code == "closed"
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PENDING


def test_pending_post_is_indexed_only_once_approved(database_search):  # noqa: F811
    club = ClubFactory(visibility=Club.Visibility.PUBLIC)
    post = _pending(club, body="Quixotic zebrawood handlebars")
    reader = _member(club, TrustLevel.MEMBER)

    def found(user):
        hits = search_services.search("zebrawood", user=user).hits
        return {f"{hit.doc_type}:{hit.doc_id}" for hit in hits}

    key = f"club_post:{post.pk}"
    assert key not in found(post.author)
    assert key not in found(AnonymousUser())
    services.post_approve(post=post, actor=_club_moderator(club))
    assert key in found(reader)
    assert key in found(AnonymousUser())

    rejected = _pending(club, body="Quixotic zebrawood saddle")
    services.post_reject(post=rejected, actor=_club_moderator(club), reason="Advert")
    assert f"club_post:{rejected.pk}" not in found(reader)


def _approved(club, author=None, body="My first ride with the club", moderator=None):
    post = _pending(club, author, body=body)
    return services.post_approve(post=post, actor=moderator or _club_moderator(club))


def _read_all_notifications():
    Notification.objects.filter(read_at__isnull=True).update(read_at=timezone.now())


def test_premoderated_authors_edit_of_a_published_post_waits_again(club):
    author = _member(club, TrustLevel.BASIC)
    moderator = _club_moderator(club)
    post = _approved(club, author, moderator=moderator)
    published_at, written = post.created_at, post.submitted_at
    reader = _member(club, TrustLevel.MEMBER)
    _read_all_notifications()

    edited = services.post_update(post=post, editor=author, body="Now selling fake tyres")

    assert edited.status == ClubPost.Status.PENDING and edited.is_edit_pending
    assert edited.body == "Now selling fake tyres" and edited.edited_at is not None
    assert edited.submitted_at == written  # the first writing time is kept
    assert set(selectors.post_list_for_club(club=club, viewer=reader)) == set()
    with pytest.raises(NotFound):
        selectors.post_get(club=club, pk=post.pk, viewer=reader)
    standing = club_standing(user=moderator, club=club)
    assert list(selectors.post_list_pending(club=club, standing=standing)) == [edited]
    # The moderators are told as for a new post (once, until they read it).
    told = Notification.objects.filter(kind="club_posts_pending", read_at__isnull=True)
    assert list(told.values_list("recipient_id", flat=True)) == [moderator.pk]
    assert told.get().url.endswith(f"/clubs/{club.slug}/pending/")

    # Approved again, it keeps its place in the feed and its writing time.
    again = services.post_approve(post=edited, actor=moderator)
    assert again.status == ClubPost.Status.PUBLISHED
    assert (again.created_at, again.submitted_at) == (published_at, written)
    assert set(selectors.post_list_for_club(club=club, viewer=reader)) == {again}


def test_edit_that_changes_nothing_or_by_unmoderated_authors_stays_published(club):
    newcomer = _member(club)
    post = _approved(club, newcomer)
    same = services.post_update(post=post, editor=newcomer, body=post.body)
    assert same.status == ClubPost.Status.PUBLISHED

    _read_all_notifications()
    for author in (
        _member(club, TrustLevel.MEMBER),
        _club_moderator(club),
        _staff(club),
        ClubMembershipFactory(club=club, member=ModeratorFactory()).member,
    ):
        own = _post(club, author)
        updated = services.post_update(post=own, editor=author, body="Changed my mind")
        assert updated.status == ClubPost.Status.PUBLISHED and updated.submitted_at is None
    assert not Notification.objects.filter(kind="club_posts_pending", read_at__isnull=True).exists()


def test_author_who_lost_level_2_edits_a_post_published_at_once(club):
    author = _member(club, TrustLevel.MEMBER)
    post = _post(club, author)
    assert post.status == ClubPost.Status.PUBLISHED
    Member.objects.filter(pk=author.pk).update(trust_level=TrustLevel.BASIC)
    author.refresh_from_db()

    edited = services.post_update(post=post, editor=author, body="Different words")

    assert edited.status == ClubPost.Status.PENDING
    assert edited.submitted_at == edited.created_at == post.created_at
    again = services.post_approve(post=edited, actor=_club_moderator(club))
    # It was never late: nothing to show beside its time.
    assert again.created_at == post.created_at and again.written_earlier_at is None


def test_edited_post_leaves_search_until_approved_again(database_search):  # noqa: F811
    club = ClubFactory(visibility=Club.Visibility.PUBLIC)
    author = _member(club)
    post = _approved(club, author, body="Quixotic zebrawood handlebars")

    def found():
        hits = search_services.search("zebrawood", user=AnonymousUser()).hits
        return {f"{hit.doc_type}:{hit.doc_id}" for hit in hits}

    key = f"club_post:{post.pk}"
    assert key in found()
    services.post_update(post=post, editor=author, body="Quixotic zebrawood spam offer")
    assert key not in found()
    services.post_approve(post=post, actor=_club_moderator(club))
    assert key in found()


def test_rejecting_an_edit_of_a_published_post_removes_what_it_earned(club):
    author = _member(club)
    post = _approved(club, author)
    services.post_like(post=post, member=_member(club, TrustLevel.MEMBER))
    liked = ReputationEntry.objects.get(member=author, reason=Reason.POST_LIKED)
    edited = services.post_update(post=post, editor=author, body="Buy my stuff")
    moderator = _club_moderator(club)

    rejected = services.post_reject(post=edited, actor=moderator, reason="Turned into an advert")

    assert rejected.status == ClubPost.Status.HIDDEN
    liked.refresh_from_db()
    assert liked.reversed_by is not None
    assert ReputationEntry.objects.filter(
        member=author, reason=Reason.CONTENT_REMOVED, reverses__isnull=True
    ).exists()
    # A new post that is rejected was never public: it costs nothing.
    other = _member(club)
    services.post_reject(post=_pending(club, other), actor=moderator, reason="Off topic")
    assert not ReputationEntry.objects.filter(member=other).exists()


# --- a pending post whose author can no longer take part ------------------------------


@pytest.mark.parametrize("gone", ["banned", "removed", "left", "account_closed"])
def test_pending_post_of_an_author_who_cannot_take_part_is_not_approved(club, gone):
    author = _member(club)
    post = _pending(club, author)
    moderator = _club_moderator(club)
    club_services.club_member_recount(club=club)
    if gone == "banned":  # banned by a path that left the post waiting (e.g. a race)
        ClubMembership.objects.filter(club=club, member=author).update(
            status=ClubMembership.Status.BANNED
        )
    elif gone == "removed":
        club_services.club_member_remove(club=club, actor=moderator, member=author, reason="x")
    elif gone == "left":
        club_services.club_leave(club=club, member=author)
    else:
        Member.objects.filter(pk=author.pk).update(is_active=False)
    post.author.refresh_from_db()

    with pytest.raises(Conflict) as caught:
        services.post_approve(post=post, actor=moderator)

    assert caught.value.code == "author_cannot_participate"
    assert author.public_name in caught.value.message
    assert "can no longer take part" in caught.value.message
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PENDING
    assert not ClubAuditEntry.objects.filter(action=ClubAuditEntry.Action.APPROVE_POST).exists()
    assert not Notification.objects.filter(kind="club_post_approved").exists()
    # Rejecting stays possible.
    services.post_reject(post=post, actor=moderator, reason="Author gone")


def test_ban_rejects_the_members_pending_posts_in_that_club_only(club):
    author = _member(club)
    first = _pending(club, author, body="Pending one")
    second = _pending(club, author, body="Pending two")
    moderator = _club_moderator(club)
    edited = _approved(club, author, body="Was fine", moderator=moderator)
    edited = services.post_update(post=edited, editor=author, body="Now it is not")
    others = _pending(club)
    elsewhere_club = ClubFactory()
    ClubMembershipFactory(club=elsewhere_club, member=author)
    elsewhere = _pending(elsewhere_club, author)
    club_services.club_member_recount(club=club)
    _read_all_notifications()

    club_services.club_member_ban(club=club, actor=moderator, member=author, reason="Spam account")

    for post in (first, second, edited):
        post.refresh_from_db()
        assert post.status == ClubPost.Status.HIDDEN
    for post in (others, elsewhere):
        post.refresh_from_db()
        assert post.status == ClubPost.Status.PENDING
    rejections = ClubAuditEntry.objects.filter(action=ClubAuditEntry.Action.REJECT_POST)
    assert rejections.count() == 3
    assert {entry.reason for entry in rejections} == {"Spam account"}
    assert {entry.actor_id for entry in rejections} == {moderator.pk}
    assert {entry.target_repr for entry in rejections} == {
        "Pending one",
        "Pending two",
        "Now it is not",
    }
    assert ClubAuditEntry.objects.filter(action=ClubAuditEntry.Action.BAN).count() == 1
    # Nobody is notified of the rejections (the ban is what happened).
    assert not Notification.objects.filter(
        kind__in=["club_post_rejected", "club_posts_pending"], read_at__isnull=True
    ).exists()
    standing = club_standing(user=moderator, club=club)
    assert list(selectors.post_list_pending(club=club, standing=standing)) == [others]


# --- leaders (level 4) ----------------------------------------------------------------


def test_leader_moderates_content_in_their_own_club(club):
    leader = _leader(club)
    author = _member(club, TrustLevel.MEMBER)
    post = _post(club, author)
    comment = services.comment_create(post=post, author=author, body="Rude words")

    services.comment_hide(comment=comment, actor=leader, reason="Rude")
    services.post_hide(post=post, actor=leader, reason="Spam")
    post.refresh_from_db()
    assert post.status == ClubPost.Status.HIDDEN
    # The hidden post stays visible to the leader, who may restore it.
    assert selectors.post_get(club=club, pk=post.pk, viewer=leader) == post
    post = services.post_restore(post=post, actor=leader, reason="Appeal upheld")
    other = _post(club, author)
    services.post_delete(post=other, actor=leader)
    second = services.comment_create(post=post, author=author, body="Again")
    services.comment_delete(comment=second, actor=leader)
    actions = set(ClubAuditEntry.objects.filter(actor=leader).values_list("action", flat=True))
    assert actions == {
        ClubAuditEntry.Action.HIDE_COMMENT,
        ClubAuditEntry.Action.HIDE_POST,
        ClubAuditEntry.Action.RESTORE_POST,
        ClubAuditEntry.Action.DELETE_POST,
        ClubAuditEntry.Action.DELETE_COMMENT,
    }


def test_leader_does_not_moderate_other_clubs_or_manage_members(club):
    leader = _leader(club)
    elsewhere = ClubFactory()
    post = _post(elsewhere, _member(elsewhere, TrustLevel.MEMBER))
    with pytest.raises(AccessDenied):
        services.post_hide(post=post, actor=leader, reason="Spam")
    with pytest.raises(AccessDenied):
        services.post_delete(post=post, actor=leader)

    target = _member(club)
    own_post = _post(club, _member(club, TrustLevel.MEMBER))
    with pytest.raises(AccessDenied):
        club_services.club_member_ban(club=club, actor=leader, member=target, reason="Spam")
    with pytest.raises(AccessDenied):
        club_services.club_member_remove(club=club, actor=leader, member=target, reason="x")
    with pytest.raises(AccessDenied):
        services.post_pin(post=own_post, actor=leader, pinned=True)
    standing = club_standing(user=leader, club=club)
    assert standing.can_moderate_content and not standing.can_moderate


def test_leader_banned_from_the_club_moderates_nothing(club):
    leader = _leader(club)
    post = _post(club, _member(club, TrustLevel.MEMBER))
    ClubMembership.objects.filter(member=leader).update(status=ClubMembership.Status.BANNED)
    with pytest.raises(AccessDenied):
        services.post_hide(post=post, actor=leader, reason="Spam")


# --- invites: the fast track to level 1 -----------------------------------------------


def _invite(club):
    staff = _staff(club)
    return club_services.club_invite_create(club=club, actor=staff, max_uses=5)


def test_joining_by_invite_lifts_a_new_member_to_basic():
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    invite = _invite(club)
    newcomer = MemberFactory()
    club_services.club_invite_redeem(token=invite.token, member=newcomer)
    assert newcomer.trust_level == TrustLevel.BASIC
    assert Member.objects.get(pk=newcomer.pk).trust_level == TrustLevel.BASIC
    row = ReputationEntry.objects.get(member=newcomer)
    assert (row.reason, row.trust_level, row.delta) == (Reason.LEVEL_PROMOTED, 1, 0)
    assert row.source_type == ContentType.objects.get_for_model(ClubInvite)
    assert row.source_id == invite.pk
    # Basic at once: a link is allowed, the post still waits for a moderator.
    post = _post(club, newcomer, body="Thanks! <https://my-ride.example>")
    assert post.status == ClubPost.Status.PENDING


def test_invite_leaves_higher_levels_alone():
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    invite = _invite(club)
    regular = MemberFactory(trust_level=TrustLevel.REGULAR)
    club_services.club_invite_redeem(token=invite.token, member=regular)
    assert Member.objects.get(pk=regular.pk).trust_level == TrustLevel.REGULAR
    assert not ReputationEntry.objects.filter(member=regular).exists()


def test_refused_invite_fast_tracks_nobody():
    club = ClubFactory(visibility=Club.Visibility.INVITE)
    invite = _invite(club)
    ClubInvite.objects.filter(pk=invite.pk).update(revoked_at=timezone.now())
    newcomer = MemberFactory()
    with pytest.raises(DomainError):
        club_services.club_invite_redeem(token=invite.token, member=newcomer)
    assert Member.objects.get(pk=newcomer.pk).trust_level == TrustLevel.NEW
    assert not ReputationEntry.objects.filter(member=newcomer).exists()


def test_ledger_names_the_invite_without_its_staff_only_label():
    club = ClubFactory(visibility=Club.Visibility.INVITE, name="Night Riders")
    invite = club_services.club_invite_create(
        club=club, actor=_staff(club), label="For the dealer's nephew"
    )
    newcomer = MemberFactory()
    club_services.club_invite_redeem(token=invite.token, member=newcomer)
    (entry,) = reputation_ledger_page(member=newcomer, page_number=1).object_list
    assert entry.source_label == "Invite to Night Riders"
    assert "nephew" not in entry.source_label
