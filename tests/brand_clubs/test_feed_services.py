"""Writes of club feeds: who may post, comment, like, pin, hide and delete, what is
counted, audited and notified, and what nasty input does."""

import io

import pytest
from django.core import mail

from brand_clubs.models import (
    Club,
    ClubAuditEntry,
    ClubComment,
    ClubMembership,
    ClubPost,
    ClubPostLike,
    ClubPostPhoto,
)
from brand_clubs.services import feed as services
from community.errors import AccessDenied, DomainError, NotFound, RateLimited
from community.members.models import Notification
from community.reputation.rules import TrustLevel
from community.reviews.photos import RENDITION_FIELDS
from tests.factories import (
    BrandStaffFactory,
    ClubFactory,
    ClubMembershipFactory,
    EventFactory,
    MemberFactory,
    ModeratorFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def club():
    return ClubFactory()


@pytest.fixture
def private_club():
    return ClubFactory(visibility=Club.Visibility.APPROVAL)


def _member(club, *, level=TrustLevel.MEMBER, **kwargs):
    """A member of `club`. These tests mean established members (trust level 2: links,
    several photos, posts published at once); test_trust_gates.py covers new members."""
    if "member" not in kwargs:
        kwargs["member__trust_level"] = level
    return ClubMembershipFactory(club=club, **kwargs).member


def _staff(club):
    return BrandStaffFactory(brand=club.brand).member


def _club_moderator(club):
    return _member(club, role=ClubMembership.Role.MODERATOR)


def _post(club, author=None, body="Hello **club**", **kwargs):
    return services.post_create(club=club, author=author or _member(club), body=body, **kwargs)


def _fake_image(name="holiday.jpg"):
    fake = io.BytesIO(b"this is not an image at all, just text pretending")
    fake.name = name
    return fake


# --- post_create ----------------------------------------------------------------------


def test_member_posts_sanitised_markdown(club):
    author = _member(club)
    post = _post(
        club, author, body="Hi <script>alert(1)</script> **bold** [x](javascript:alert(1))"
    )
    assert post.status == ClubPost.Status.PUBLISHED and post.kind == ClubPost.Kind.POST
    assert "<script" not in post.body_html and 'href="javascript' not in post.body_html
    assert "<strong>bold</strong>" in post.body_html
    assert post.author == author


def test_chinese_post_is_labelled_zh(club):
    assert _post(club, body="今天骑行很愉快 风景很好。").language == "zh"


def test_post_with_photos_stores_every_rendition_privately(club, settings):
    post = _post(club, body="", photos=[image_upload("a.jpg"), image_upload("b.png", fmt="PNG")])
    assert post.photo_count == 2
    photos = list(post.photos.all())
    assert [photo.position for photo in photos] == [0, 1]
    for field in RENDITION_FIELDS:
        name = getattr(photos[0], field).name
        assert (settings.PRIVATE_MEDIA_ROOT / name).exists()
        assert not (settings.MEDIA_ROOT / name).exists()


def test_five_photos_are_refused(club):
    with pytest.raises(DomainError) as caught:
        _post(club, photos=[image_upload(f"{n}.jpg") for n in range(5)])
    assert caught.value.field == "photos"
    assert not ClubPost.objects.exists()


def test_fake_image_fails_the_whole_post(club):
    with pytest.raises(DomainError) as caught:
        _post(club, body="Text", photos=[image_upload("ok.jpg"), _fake_image()])
    assert caught.value.field == "photos" and "holiday.jpg" in str(caught.value.message)
    assert not ClubPost.objects.exists() and not ClubPostPhoto.objects.exists()


def test_oversized_image_is_refused(club, settings):
    settings.IMAGE_MAX_BYTES = 500
    with pytest.raises(DomainError) as caught:
        _post(club, photos=[image_upload("big.png", size=(400, 400), fmt="PNG")])
    assert caught.value.field == "photos"
    assert not ClubPost.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n  "])
def test_empty_post_without_photos_is_refused(club, body):
    with pytest.raises(DomainError) as caught:
        _post(club, body=body)
    assert caught.value.field == "body"


def test_too_long_post_is_refused(club):
    with pytest.raises(DomainError) as caught:
        _post(club, body="x" * (services.MAX_POST_LENGTH + 1))
    assert caught.value.field == "body"


def test_unknown_kind_is_refused(club):
    with pytest.raises(DomainError):
        _post(club, kind="advert")


def test_anonymous_non_member_pending_and_inactive_cannot_post(club, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(AccessDenied) as caught:
        services.post_create(club=club, author=AnonymousUser(), body="Hi")
    assert caught.value.code == "login_required"
    with pytest.raises(AccessDenied):
        services.post_create(club=club, author=MemberFactory(), body="Hi")
    pending = _member(club, status=ClubMembership.Status.PENDING)
    with pytest.raises(AccessDenied):
        services.post_create(club=club, author=pending, body="Hi")
    inactive = _member(club)
    django_user_model.objects.filter(pk=inactive.pk).update(is_active=False)
    inactive.refresh_from_db()
    with pytest.raises(AccessDenied):
        services.post_create(club=club, author=inactive, body="Hi")
    assert not ClubPost.objects.exists()


def test_banned_member_cannot_post(club):
    banned = _member(club, status=ClubMembership.Status.BANNED)
    with pytest.raises(AccessDenied) as caught:
        _post(club, banned)
    assert caught.value.code == "banned"


def test_removed_member_with_an_old_form_cannot_post(club):
    author = _member(club)
    ClubMembership.objects.filter(club=club, member=author).delete()
    with pytest.raises(AccessDenied):
        _post(club, author)


def test_nobody_posts_in_a_closed_club(club):
    club.is_closed = True
    club.save()
    for author in (_member(club), _staff(club)):
        with pytest.raises(AccessDenied) as caught:
            _post(club, author)
        assert caught.value.code == "closed"


def test_brand_staff_post_without_membership_but_other_brand_staff_cannot(club):
    assert _post(club, _staff(club)).pk
    with pytest.raises(AccessDenied):
        _post(club, BrandStaffFactory().member)


def test_site_moderator_reads_but_does_not_post(private_club):
    with pytest.raises(AccessDenied):
        _post(private_club, ModeratorFactory())


def test_event_of_another_club_is_refused(club):
    with pytest.raises(NotFound):
        _post(club, event=EventFactory())
    event = EventFactory(club=club)
    assert _post(club, event=event).event == event


def test_post_rate_limit(club, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "club_post": (2, 3600)}
    author = _member(club)
    _post(club, author)
    _post(club, author)
    with pytest.raises(RateLimited):
        _post(club, author)


# --- announcements --------------------------------------------------------------------


def test_only_brand_staff_announce(club):
    for author in (_member(club), _club_moderator(club)):
        with pytest.raises(AccessDenied):
            _post(club, author, kind=ClubPost.Kind.ANNOUNCEMENT)
    assert not ClubPost.objects.exists()


def test_announcement_reaches_active_members_only(
    private_club, django_capture_on_commit_callbacks, django_user_model
):
    club = private_club
    staff = _staff(club)
    _member(club, member=staff, role=ClubMembership.Role.OWNER)  # the author: not told
    members = [_member(club) for _ in range(3)]
    moderator = _club_moderator(club)
    pending = _member(club, status=ClubMembership.Status.PENDING)
    banned = _member(club, status=ClubMembership.Status.BANNED)
    inactive = _member(club)
    django_user_model.objects.filter(pk=inactive.pk).update(is_active=False)
    outsider = MemberFactory()
    other_staff = _staff(club)  # brand staff, not a member: not in "every member"
    ClubMembershipFactory(member=outsider)  # a member of another club
    body = "**Spring ride** on Sunday: meet at the harbour at nine. " * 4
    with django_capture_on_commit_callbacks(execute=True):
        post = _post(club, staff, body=body, kind=ClubPost.Kind.ANNOUNCEMENT)
    notified = set(
        Notification.objects.filter(kind="club_announcement").values_list("recipient", flat=True)
    )
    assert notified == {m.pk for m in [*members, moderator]}
    for excluded in (staff, pending, banned, inactive, outsider, other_staff):
        assert excluded.pk not in notified
    notification = Notification.objects.filter(kind="club_announcement").first()
    assert notification.url == post.get_absolute_url()
    assert notification.params["club"] == club.name
    excerpt = notification.params["excerpt"]
    assert len(excerpt) <= services.EXCERPT_LENGTH and "**" not in excerpt
    assert excerpt.startswith("Spring ride on Sunday")
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        m.email for m in [*members, moderator]
    )


def test_announcement_is_sent_in_batches(club, monkeypatch):
    monkeypatch.setattr(services, "ANNOUNCEMENT_BATCH_SIZE", 2)
    members = [_member(club) for _ in range(5)]
    _post(club, _staff(club), kind=ClubPost.Kind.ANNOUNCEMENT)
    assert Notification.objects.filter(kind="club_announcement").count() == len(members)


def test_announcement_with_photos_only_has_an_excerpt(club):
    _member(club)
    _post(club, _staff(club), body="", photos=[image_upload()], kind=ClubPost.Kind.ANNOUNCEMENT)
    assert Notification.objects.get(kind="club_announcement").params["excerpt"]


def test_plain_post_notifies_nobody(club):
    _member(club)
    _post(club, _staff(club))
    assert not Notification.objects.exists()


# --- post_update ----------------------------------------------------------------------


def test_author_edits_post(club):
    author = _member(club)
    post = _post(club, author)
    updated = services.post_update(post=post, editor=author, body="Now *better* <script>x</script>")
    assert updated.edited_at is not None
    assert "<em>better</em>" in updated.body_html and "<script" not in updated.body_html


def test_only_the_author_edits(club):
    post = _post(club)
    for editor in (_member(club), _staff(club), _club_moderator(club), ModeratorFactory()):
        with pytest.raises(AccessDenied):
            services.post_update(post=post, editor=editor, body="Mine now")
    post.refresh_from_db()
    assert post.body == "Hello **club**"


def test_banned_author_or_closed_club_cannot_edit(club):
    author = _member(club)
    post = _post(club, author)
    ClubMembership.objects.filter(member=author).update(status=ClubMembership.Status.BANNED)
    with pytest.raises(AccessDenied):
        services.post_update(post=post, editor=author, body="Edited")


def test_edit_empty_body_needs_photos(club):
    author = _member(club)
    post = _post(club, author)
    with pytest.raises(DomainError):
        services.post_update(post=post, editor=author, body="")
    with_photo = _post(club, author, photos=[image_upload()])
    assert services.post_update(post=with_photo, editor=author, body="").body == ""


def test_edit_hidden_or_deleted_post_is_refused(club):
    author = _member(club)
    post = _post(club, author)
    services.post_hide(post=post, actor=_club_moderator(club), reason="Off topic")
    with pytest.raises(AccessDenied):
        services.post_update(post=post, editor=author, body="Sneaky edit")
    services.post_delete(post=post, actor=author)
    with pytest.raises(NotFound):
        services.post_update(post=post, editor=author, body="Sneaky edit")


# --- post_delete ----------------------------------------------------------------------


def test_author_deletes_post_and_its_photo_files(
    club, settings, django_capture_on_commit_callbacks
):
    author = _member(club)
    post = _post(club, author, photos=[image_upload()])
    names = [getattr(post.photos.get(), field).name for field in RENDITION_FIELDS]
    with django_capture_on_commit_callbacks(execute=True):
        deleted = services.post_delete(post=post, actor=author)
    assert deleted.status == ClubPost.Status.DELETED and deleted.photo_count == 0
    assert not ClubPostPhoto.objects.exists()
    assert not any((settings.PRIVATE_MEDIA_ROOT / name).exists() for name in names)
    assert not ClubAuditEntry.objects.exists()  # an author's own choice is not audited
    assert services.post_delete(post=post, actor=author).status == ClubPost.Status.DELETED


def test_files_stay_when_the_delete_rolls_back(club, settings, django_capture_on_commit_callbacks):
    author = _member(club)
    post = _post(club, author, photos=[image_upload()])
    name = post.photos.get().thumb.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.post_delete(post=post, actor=author)
    assert callbacks and (settings.PRIVATE_MEDIA_ROOT / name).exists()


@pytest.mark.parametrize("who", ["club_moderator", "brand_staff", "site_moderator"])
def test_moderators_delete_posts_audited(club, who):
    actor = {
        "club_moderator": lambda: _club_moderator(club),
        "brand_staff": lambda: _staff(club),
        "site_moderator": ModeratorFactory,
    }[who]()
    post = _post(club)
    services.post_delete(post=post, actor=actor)
    entry = ClubAuditEntry.objects.get()
    assert entry.action == services.AUDIT_DELETE_POST and entry.actor == actor
    assert entry.target_member == post.author and entry.club == club


def test_other_members_and_other_brands_staff_cannot_delete(club):
    post = _post(club)
    for actor in (_member(club), BrandStaffFactory().member, MemberFactory()):
        with pytest.raises(AccessDenied):
            services.post_delete(post=post, actor=actor)
    post.refresh_from_db()
    assert post.status == ClubPost.Status.PUBLISHED


def test_banned_author_may_still_delete_their_post(club):
    author = _member(club)
    post = _post(club, author)
    ClubMembership.objects.filter(member=author).update(status=ClubMembership.Status.BANNED)
    assert services.post_delete(post=post, actor=author).status == ClubPost.Status.DELETED


# --- hide, restore, pin ---------------------------------------------------------------


def test_hide_and_restore_need_a_reason_and_are_audited(club):
    post = _post(club)
    moderator = _club_moderator(club)
    with pytest.raises(DomainError) as caught:
        services.post_hide(post=post, actor=moderator, reason="  ")
    assert caught.value.field == "reason"
    hidden = services.post_hide(post=post, actor=moderator, reason="Spam")
    assert hidden.status == ClubPost.Status.HIDDEN
    assert services.post_hide(post=post, actor=moderator, reason="Again").status == "hidden"
    restored = services.post_restore(post=post, actor=ModeratorFactory(), reason="Appeal")
    assert restored.status == ClubPost.Status.PUBLISHED
    actions = list(ClubAuditEntry.objects.order_by("pk").values_list("action", "reason"))
    assert actions == [("hide_post", "Spam"), ("restore_post", "Appeal")]


def test_members_cannot_hide_and_deleted_posts_cannot_be_hidden(club):
    author = _member(club)
    post = _post(club, author)
    for actor in (author, _member(club), BrandStaffFactory().member):
        with pytest.raises(AccessDenied):
            services.post_hide(post=post, actor=actor, reason="Mine")
    services.post_delete(post=post, actor=author)
    with pytest.raises(NotFound):
        services.post_hide(post=post, actor=_staff(club), reason="Gone")
    with pytest.raises(NotFound):
        services.post_restore(post=post, actor=_staff(club), reason="Back")


def test_club_managers_pin_and_unpin(club):
    post = _post(club)
    manager = _club_moderator(club)
    pinned = services.post_pin(post=post, actor=manager, pinned=True)
    assert pinned.is_pinned and pinned.pinned_at is not None
    services.post_pin(post=post, actor=manager, pinned=True)  # no change, no second entry
    unpinned = services.post_pin(post=post, actor=_staff(club), pinned=False)
    assert not unpinned.is_pinned and unpinned.pinned_at is None
    actions = list(ClubAuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["pin", "unpin"]


def test_members_and_site_moderators_cannot_pin(club):
    post = _post(club)
    for actor in (post.author, _member(club), ModeratorFactory()):
        with pytest.raises(AccessDenied):
            services.post_pin(post=post, actor=actor, pinned=True)


def test_hidden_post_cannot_be_pinned(club):
    post = _post(club)
    services.post_hide(post=post, actor=_staff(club), reason="Spam")
    with pytest.raises(NotFound):
        services.post_pin(post=post, actor=_staff(club), pinned=True)


# --- likes ----------------------------------------------------------------------------


def test_like_twice_counts_once_and_unlike(club):
    post = _post(club)
    fan = _member(club)
    assert services.post_like(post=post, member=fan).like_count == 1
    assert services.post_like(post=post, member=fan).like_count == 1
    assert ClubPostLike.objects.filter(post=post).count() == 1
    assert services.post_unlike(post=post, member=fan).like_count == 0
    assert services.post_unlike(post=post, member=fan).like_count == 0


def test_like_that_raced_in_does_not_count_twice(club):
    post = _post(club)
    fan = _member(club)
    ClubPostLike.objects.create(post=post, member=fan)  # the other request won
    ClubPost.objects.filter(pk=post.pk).update(like_count=1)
    assert services.post_like(post=post, member=fan).like_count == 1


def test_own_post_cannot_be_liked(club):
    author = _member(club)
    post = _post(club, author)
    with pytest.raises(DomainError) as caught:
        services.post_like(post=post, member=author)
    assert caught.value.code == "own_post"


def test_outsiders_banned_and_removed_members_cannot_like(club):
    post = _post(club)
    banned = _member(club, status=ClubMembership.Status.BANNED)
    removed = _member(club)
    ClubMembership.objects.filter(member=removed).delete()
    for member in (MemberFactory(), banned, removed):
        with pytest.raises(AccessDenied):
            services.post_like(post=post, member=member)
    post.refresh_from_db()
    assert post.like_count == 0


def test_hidden_post_cannot_be_liked(club):
    post = _post(club)
    services.post_hide(post=post, actor=_staff(club), reason="Spam")
    with pytest.raises(NotFound):
        services.post_like(post=post, member=_member(club))


def test_like_rate_limit(club, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "club_like": (1, 60)}
    fan = _member(club)
    services.post_like(post=_post(club), member=fan)
    with pytest.raises(RateLimited):
        services.post_like(post=_post(club), member=fan)


# --- comments -------------------------------------------------------------------------


def test_comment_counts_and_notifies_the_post_author(club):
    author = _member(club)
    post = _post(club, author)
    commenter = _member(club)
    comment = services.comment_create(post=post, author=commenter, body="Nice <script>x</script>")
    assert "<script" not in comment.body_html
    post.refresh_from_db()
    assert post.comment_count == 1
    notification = Notification.objects.get()
    assert notification.recipient == author and notification.kind == "club_post_comment"
    assert notification.actor == commenter
    assert notification.url.endswith(f"#comment-{comment.pk}")


def test_own_comment_does_not_notify(club):
    author = _member(club)
    post = _post(club, author)
    services.comment_create(post=post, author=author, body="Adding a detail")
    assert not Notification.objects.exists()


def test_author_who_left_a_private_club_is_not_told(private_club):
    author = _member(private_club)
    post = _post(private_club, author)
    ClubMembership.objects.filter(member=author).delete()
    services.comment_create(post=post, author=_member(private_club), body="Secret reply")
    assert not Notification.objects.exists()


def test_comment_needs_text_and_a_published_post(club):
    post = _post(club)
    commenter = _member(club)
    with pytest.raises(DomainError):
        services.comment_create(post=post, author=commenter, body="  ")
    with pytest.raises(DomainError):
        services.comment_create(post=post, author=commenter, body="x" * 2001)
    services.post_hide(post=post, actor=_staff(club), reason="Spam")
    with pytest.raises(NotFound):
        services.comment_create(post=post, author=commenter, body="Hello")
    assert not ClubComment.objects.exists()


def test_outsiders_and_banned_members_cannot_comment(private_club):
    post = _post(private_club)
    banned = _member(private_club, status=ClubMembership.Status.BANNED)
    for author in (MemberFactory(), banned, ModeratorFactory(), BrandStaffFactory().member):
        with pytest.raises(AccessDenied):
            services.comment_create(post=post, author=author, body="Let me in")


def test_comment_delete_by_author_and_by_moderator(club):
    post = _post(club)
    commenter = _member(club)
    first = services.comment_create(post=post, author=commenter, body="One")
    second = services.comment_create(post=post, author=commenter, body="Two")
    services.comment_delete(comment=first, actor=commenter)
    services.comment_delete(comment=first, actor=commenter)  # twice: counted once
    post.refresh_from_db()
    assert post.comment_count == 1
    assert not ClubAuditEntry.objects.exists()
    with pytest.raises(AccessDenied):
        services.comment_delete(comment=second, actor=_member(club))
    services.comment_delete(comment=second, actor=_club_moderator(club))
    post.refresh_from_db()
    assert post.comment_count == 0
    assert ClubAuditEntry.objects.get().action == services.AUDIT_DELETE_COMMENT


def test_comment_hide_is_audited_and_counted_once(club):
    post = _post(club)
    comment = services.comment_create(post=post, author=_member(club), body="Rude")
    with pytest.raises(AccessDenied):
        services.comment_hide(comment=comment, actor=post.author, reason="I dislike it")
    with pytest.raises(DomainError):
        services.comment_hide(comment=comment, actor=_staff(club), reason="")
    services.comment_hide(comment=comment, actor=_staff(club), reason="Rude")
    services.comment_hide(comment=comment, actor=_staff(club), reason="Rude again")
    services.comment_delete(comment=comment, actor=comment.author)
    post.refresh_from_db()
    assert post.comment_count == 0
    entry = ClubAuditEntry.objects.get()
    assert entry.action == ClubAuditEntry.Action.HIDE_COMMENT and entry.reason == "Rude"
    with pytest.raises(NotFound):
        services.comment_hide(comment=comment, actor=_staff(club), reason="Deleted already")


def test_counters_agree_with_the_rows_after_a_mixed_sequence(club):
    post = _post(club)
    fans = [_member(club) for _ in range(4)]
    comments = [services.comment_create(post=post, author=fan, body="Hi") for fan in fans]
    for fan in fans:
        services.post_like(post=post, member=fan)
    services.post_unlike(post=post, member=fans[0])
    services.comment_delete(comment=comments[0], actor=fans[0])
    services.comment_hide(comment=comments[1], actor=_staff(club), reason="Spam")
    post.refresh_from_db()
    assert post.like_count == ClubPostLike.objects.filter(post=post).count() == 3
    assert post.comment_count == post.comments.filter(status="published").count() == 2
