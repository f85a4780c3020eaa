"""Writes of club feeds: posts with photos, announcements, comments, likes and pins.

Every function checks access itself with `brand_clubs.services.access` (so a removed or
banned member's old form is refused like any other request), counts a rate limit and
writes in one transaction. Counters on ClubPost (like_count, comment_count, photo_count)
change with F() in the same transaction as the row that causes them. What moderators,
club moderators and brand staff do to other people's content is kept in ClubAuditEntry.

Trust levels (community/reputation/rules.py) gate what members write here: a link in a
post or comment needs Privilege.POST_LINKS, more than rules.PHOTOS_BEFORE_BASIC photos
Privilege.POST_MANY_PHOTOS (both a form error otherwise), and a post by a member without
Privilege.SKIP_PREMODERATION is saved PENDING until a club moderator or a leader of the
club approves it (`post_approve`) or rejects it (`post_reject`); when such a member edits
a published post, it goes back to PENDING (`post_update`). The brand's staff and the
club's moderators are exempt (access.access_post_privilege).
"""

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from brand_clubs.models import (
    ClubAuditEntry,
    ClubComment,
    ClubMembership,
    ClubPost,
    ClubPostLike,
    ClubPostPhoto,
)
from brand_clubs.models.clubs import MAX_PHOTOS_PER_POST, ContentStatus
from brand_clubs.services.access import (
    ClubStanding,
    access_account,
    access_club_manage,
    access_club_moderate_content,
    access_club_own,
    access_club_participate,
    access_links,
    access_post_privilege,
    can_see_event,
    club_standing,
    post_needs_premoderation,
)
from brand_clubs.services.audit import club_audit_record
from brand_clubs.services.clubs import club_managers
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.notifications import notify
from community.ratelimit import rate_limit_hit
from community.reputation.rules import PHOTOS_BEFORE_BASIC, Privilege, Reason
from community.reputation.services import (
    reputation_content_deleted,
    reputation_content_removed,
    reputation_content_restored,
    reputation_record,
    reputation_undo,
)
from community.reviews.photos import (
    PreparedPhoto,
    photos_prepare,
    renditions_delete_on_commit,
    renditions_write,
)
from community.text import detect_language, render_markdown

MAX_POST_LENGTH = 5000
MAX_COMMENT_LENGTH = 2000
MAX_REASON_LENGTH = 1000
EXCERPT_LENGTH = 80
ANNOUNCEMENT_BATCH_SIZE = 500

AUDIT_DELETE_POST = ClubAuditEntry.Action.DELETE_POST
AUDIT_DELETE_COMMENT = ClubAuditEntry.Action.DELETE_COMMENT


# --- helpers --------------------------------------------------------------------------


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """Plain text of a Markdown body on one line, cut at about `length` characters."""
    text = " ".join(strip_tags(render_markdown(body)).split())
    return Truncator(text).chars(length)


def _clean_body(body, *, max_length: int, field: str = "body") -> str:
    body = (body or "").strip()
    if len(body) > max_length:
        raise DomainError(
            _("This can be at most %(count)d characters.") % {"count": max_length}, field=field
        )
    return body


def _clean_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason."), field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(
            _("The reason can be at most %(count)d characters.") % {"count": MAX_REASON_LENGTH},
            field="reason",
        )
    return reason


def _lock_post(post: ClubPost) -> ClubPost:
    """The post's current row, locked until the transaction ends (status changes race)."""
    return ClubPost.objects.select_for_update().select_related("club").get(pk=post.pk)


def _check_links(*, user, standing: ClubStanding, body_html: str) -> None:
    access_links(user=user, standing=standing, body_html=body_html, field="body")


def _require_published(post: ClubPost) -> None:
    if post.status != ClubPost.Status.PUBLISHED:
        raise NotFound(_("This post is not available."))


def _attach_photos(*, post: ClubPost, prepared: Sequence[PreparedPhoto], start: int) -> None:
    for offset, photo in enumerate(prepared):
        row = ClubPostPhoto(
            post=post, position=start + offset, width=photo.width, height=photo.height
        )
        renditions_write(row, photo)
        row.save()


def _delete_photos_on_commit(photos: Sequence[ClubPostPhoto]) -> None:
    """Delete the rows now and their files once the transaction has committed (a
    rollback must not leave rows pointing at missing files)."""
    for photo in photos:
        photo.delete()
    renditions_delete_on_commit(photos)


# --- posts ----------------------------------------------------------------------------


def post_create(
    *,
    club,
    author,
    body: str,
    photos: Sequence = (),
    kind: str = ClubPost.Kind.POST,
    event=None,
    standing: ClubStanding | None = None,
) -> ClubPost:
    """A post in the club's feed; an announcement (brand staff only) also notifies
    every active member of the club, and nobody else. A link needs trust level 1, more
    than rules.PHOTOS_BEFORE_BASIC photos too (form errors on "body" / "photos"); below
    level 2 the post is saved PENDING and the club's moderators are told."""
    standing = access_club_participate(user=author, club=club, standing=standing)
    if kind not in ClubPost.Kind.values:
        raise DomainError(_("Unknown kind of post."), field="kind")
    if kind == ClubPost.Kind.ANNOUNCEMENT:
        access_club_own(user=author, club=club, standing=standing)
    if event is not None and (
        event.club_id != club.pk or not can_see_event(event=event, standing=standing)
    ):
        raise NotFound(_("No such event."))
    body = _clean_body(body, max_length=MAX_POST_LENGTH)
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS_PER_POST:
        raise DomainError(
            _("A post can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_POST},
            field="photos",
        )
    if not body and not photos:
        raise DomainError(_("Write something or add a photo."), field="body")
    body_html = render_markdown(body)
    _check_links(user=author, standing=standing, body_html=body_html)
    if len(photos) > PHOTOS_BEFORE_BASIC:
        access_post_privilege(
            user=author, privilege=Privilege.POST_MANY_PHOTOS, standing=standing, field="photos"
        )
    # Announcements come from the brand's staff, who are never pre-moderated.
    pending = kind == ClubPost.Kind.POST and post_needs_premoderation(
        user=author, standing=standing
    )
    rate_limit_hit(action="club_post", key=author.pk)
    # Decode and re-encode before the transaction: slow, and a bad file must fail the
    # whole post with a clear message before anything is written.
    prepared = photos_prepare(photos)
    with transaction.atomic():
        post = ClubPost.objects.create(
            club=club,
            author=author,
            kind=kind,
            event=event,
            body=body,
            body_html=body_html,
            language=detect_language(body),
            status=ContentStatus.PENDING if pending else ContentStatus.PUBLISHED,
            photo_count=len(prepared),
        )
        _attach_photos(post=post, prepared=prepared, start=0)
        if kind == ClubPost.Kind.ANNOUNCEMENT:
            _announce(post=post, club=club, author=author)
        if pending:
            _tell_moderators_of_pending(club=club, author=author)
    return post


def _tell_moderators_of_pending(*, club, author) -> None:
    """The club's moderators and the brand's staff get one unread notification per club
    pointing at the approval list, however many posts arrive before they open it."""
    notify(
        recipients=club_managers(club),
        kind="club_posts_pending",
        url=reverse("brand_clubs:club_pending_posts", args=[club.slug]),
        actor=author,
        params={"club": club.name},
        once_unread=True,
    )


def _announce(*, post: ClubPost, club, author) -> int:
    """Notify the club's active members in batches (keyset on pk, so a club of any size
    never sits in memory at once). Brand staff who are not members are not told."""
    Member = get_user_model()
    members = (
        Member.objects.filter(
            is_active=True,
            club_memberships__club=club,
            club_memberships__status=ClubMembership.Status.ACTIVE,
        )
        .exclude(pk=author.pk)
        .order_by("pk")
    )
    params = {"club": club.name, "excerpt": excerpt(post.body) or _("(photos)")}
    url = post.get_absolute_url()
    sent = 0
    last_pk = 0
    while True:
        batch = list(members.filter(pk__gt=last_pk)[:ANNOUNCEMENT_BATCH_SIZE])
        if not batch:
            return sent
        sent += notify(
            recipients=batch, kind="club_announcement", url=url, actor=author, params=params
        )
        last_pk = batch[-1].pk


def post_update(*, post: ClubPost, editor, body: str) -> ClubPost:
    """The author edits the text of their post (published or still waiting for a
    moderator) while they may still take part; the link gate applies to the new text.

    An author whose posts are pre-moderated (`post_needs_premoderation`) cannot change
    a published post behind the moderators' backs: a new text sends it back to PENDING
    (out of the feed and of search until approved) and the club's moderators are told as
    for a new post. `submitted_at` keeps when it was first written, which also tells
    `post_approve` that the post keeps its place in the feed."""
    access_account(user=editor)
    if post.author_id != editor.pk:
        raise AccessDenied(_("You can only edit your own posts."))
    standing = access_club_participate(user=editor, club=post.club)
    body = _clean_body(body, max_length=MAX_POST_LENGTH)
    body_html = render_markdown(body)
    _check_links(user=editor, standing=standing, body_html=body_html)
    premoderated = post_needs_premoderation(user=editor, standing=standing)
    rate_limit_hit(action="club_post", key=editor.pk)
    with transaction.atomic():
        current = _lock_post(post)
        if current.status == ClubPost.Status.DELETED:
            raise NotFound(_("This post is not available."))
        if current.status == ClubPost.Status.HIDDEN:
            raise AccessDenied(_("A moderator hid this post: it cannot be edited."))
        if not body and not current.photo_count:
            raise DomainError(_("Write something or add a photo."), field="body")
        # A pending post stays pending: the moderators decide on what it says now.
        back_to_review = (
            premoderated and current.status == ClubPost.Status.PUBLISHED and body != current.body
        )
        current.body = body
        current.body_html = body_html
        current.language = detect_language(body)
        current.edited_at = timezone.now()
        fields = ["body", "body_html", "language", "edited_at"]
        if back_to_review:
            current.status = ClubPost.Status.PENDING
            if current.submitted_at is None:
                current.submitted_at = current.created_at
            fields += ["status", "submitted_at"]
        # save(), not update(): the search index follows the post's save (a pending
        # post leaves it).
        current.save(update_fields=fields)
        if back_to_review:
            _tell_moderators_of_pending(club=current.club, author=editor)
    return current


def post_delete(*, post: ClubPost, actor) -> ClubPost:
    """Soft delete by the author (any time: it is their text), or by a moderator of the
    club, the brand's staff, a site moderator or a leader of the club (audited). Photos
    go with it."""
    access_account(user=actor)
    is_author = post.author_id == actor.pk
    if not is_author:
        access_club_moderate_content(user=actor, club=post.club)
    rate_limit_hit(action="club_post" if is_author else "club_manage", key=actor.pk)
    with transaction.atomic():
        current = _lock_post(post)
        if current.status == ClubPost.Status.DELETED:
            return current
        _delete_photos_on_commit(list(current.photos.all()))
        was_published = current.status == ClubPost.Status.PUBLISHED
        current.status = ClubPost.Status.DELETED
        current.is_pinned = False
        current.photo_count = 0
        current.save(update_fields=["status", "is_pinned", "photo_count"])
        if is_author:
            reputation_content_deleted(content=current, author=current.author)
        elif was_published:
            # A moderator's delete is a removal (a hidden post has paid already).
            reputation_content_removed(
                content=current, author=current.author, moderator=actor, club=current.club
            )
        if not is_author:
            club_audit_record(
                club=current.club,
                actor=actor,
                action=AUDIT_DELETE_POST,
                member=current.author,
                target_repr=excerpt(current.body),
            )
    return current


def _post_moderate(*, post: ClubPost, actor, reason: str, status: str, action: str) -> ClubPost:
    """Hide or restore a post (moderators, with a reason, audited); a no-op when the post
    is already in that state, NotFound when its author deleted it. Hiding reverses the
    post's reputation and costs its author the removal penalty; restoring undoes both.
    A post waiting for approval is approved or rejected instead (restoring it would
    publish it without a decision)."""
    access_club_moderate_content(user=actor, club=post.club)
    reason = _clean_reason(reason)
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        current = _lock_post(post)
        if current.status == ClubPost.Status.DELETED:
            raise NotFound(_("This post is not available."))
        if current.status == ClubPost.Status.PENDING:
            raise Conflict(
                _("This post is waiting for approval: approve or reject it."), code="pending"
            )
        if current.status == status:
            return current
        current.status = status
        current.save(update_fields=["status"])
        club_audit_record(
            club=current.club,
            actor=actor,
            action=action,
            member=current.author,
            target_repr=excerpt(current.body),
            reason=reason,
        )
        if status == ClubPost.Status.HIDDEN:
            reputation_content_removed(
                content=current, author=current.author, moderator=actor, club=current.club
            )
        else:
            reputation_content_restored(content=current, author=current.author, moderator=actor)
    return current


def post_hide(*, post: ClubPost, actor, reason: str) -> ClubPost:
    return _post_moderate(
        post=post,
        actor=actor,
        reason=reason,
        status=ClubPost.Status.HIDDEN,
        action=ClubAuditEntry.Action.HIDE_POST,
    )


def post_restore(*, post: ClubPost, actor, reason: str) -> ClubPost:
    return _post_moderate(
        post=post,
        actor=actor,
        reason=reason,
        status=ClubPost.Status.PUBLISHED,
        action=ClubAuditEntry.Action.RESTORE_POST,
    )


# --- pre-moderation -------------------------------------------------------------------


def _lock_pending(post: ClubPost) -> ClubPost:
    current = _lock_post(post)
    if current.status != ClubPost.Status.PENDING:
        raise Conflict(
            _("This post is no longer waiting for approval: someone already decided."),
            code="not_pending",
        )
    return current


def _tell_author(*, post: ClubPost, actor, kind: str, params: dict) -> None:
    """Tell the author what was decided, if they can still open the post's club."""
    if club_standing(user=post.author, club=post.club).can_read:
        notify(
            recipients=[post.author],
            kind=kind,
            url=post.get_absolute_url(),
            actor=actor,
            params={"club": post.club.name, **params},
        )


def post_approve(*, post: ClubPost, actor) -> ClubPost:
    """Publish a post that was waiting for a moderator (club moderators, brand staff,
    site moderators, leaders of the club; audited; the author is told). Refused
    (Conflict) when its author can no longer take part in the club: banned, removed,
    gone, or their account closed.

    A new post's `created_at` becomes the time of approval and `submitted_at` keeps when
    it was written (the post shows both): it is published now, so it goes to the top of
    the feed as new instead of being filed under the day it was written, below posts
    everyone has already read (Discourse creates a queued post on approval for the same
    reason). A post that was published before and waited again after an edit
    (`submitted_at` already set) keeps its place."""
    access_club_moderate_content(user=actor, club=post.club)
    if post.author_id == actor.pk:
        raise AccessDenied(_("Another moderator has to approve your own post."), code="self")
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        current = _lock_pending(post)
        if current.club.is_closed:
            raise DomainError(_("This club is closed: nothing new can be added."), code="closed")
        if not club_standing(user=current.author, club=current.club).can_participate:
            raise Conflict(
                _(
                    "%(name)s can no longer take part in this club, so this post cannot be "
                    "published. Reject it instead."
                )
                % {"name": current.author.public_name},
                code="author_cannot_participate",
            )
        current.status = ClubPost.Status.PUBLISHED
        fields = ["status"]
        if current.submitted_at is None:
            current.submitted_at = current.created_at
            current.created_at = timezone.now()
            fields += ["submitted_at", "created_at"]
        # save(), not update(): the search index follows the post's save.
        current.save(update_fields=fields)
        club_audit_record(
            club=current.club,
            actor=actor,
            action=ClubAuditEntry.Action.APPROVE_POST,
            member=current.author,
            target_repr=excerpt(current.body) or _("(photos)"),
        )
        _tell_author(post=current, actor=actor, kind="club_post_approved", params={})
    return current


def post_reject(*, post: ClubPost, actor, reason: str) -> ClubPost:
    """Turn down a post that was waiting for a moderator, with a reason (audited; the
    author is told the reason). The post stays hidden: its author still sees it, labelled,
    and may delete it. A new post was never public, so it costs no reputation; a post
    that was published before and waited again after an edit is removed like a hidden
    one (what it earned is reversed, with the removal penalty), or editing a liked post
    into spam would keep its points."""
    access_club_moderate_content(user=actor, club=post.club)
    reason = _clean_reason(reason)
    if post.author_id == actor.pk:
        raise AccessDenied(_("Another moderator has to decide on your own post."), code="self")
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        current = _lock_pending(post)
        was_public = current.is_edit_pending
        _reject(post=current, actor=actor, reason=reason)
        if was_public:
            reputation_content_removed(
                content=current, author=current.author, moderator=actor, club=current.club
            )
        _tell_author(
            post=current, actor=actor, kind="club_post_rejected", params={"reason": reason}
        )
    return current


def _reject(*, post: ClubPost, actor, reason: str) -> None:
    """Hide a locked pending post and log the decision."""
    post.status = ClubPost.Status.HIDDEN
    # save(), not update(): the search index follows the post's save.
    post.save(update_fields=["status"])
    club_audit_record(
        club=post.club,
        actor=actor,
        action=ClubAuditEntry.Action.REJECT_POST,
        member=post.author,
        target_repr=excerpt(post.body) or _("(photos)"),
        reason=reason,
    )


def posts_reject_pending_of_banned(*, club, member, actor, reason: str) -> int:
    """When `member` is banned from `club` (brand_clubs.services.clubs.club_member_ban,
    in its transaction; access checked there), their posts still waiting for a
    moderator are rejected with the ban's reason: hidden and logged one by one, without
    notifications. They could not be approved any more (`post_approve`). Returns how
    many."""
    pending = list(
        ClubPost.objects.select_for_update()
        .select_related("club", "author")
        .filter(club=club, author=member, status=ClubPost.Status.PENDING)
        .order_by("pk")
    )
    for post in pending:
        _reject(post=post, actor=actor, reason=reason)
    return len(pending)


def post_pin(*, post: ClubPost, actor, pinned: bool) -> ClubPost:
    """Club moderators and brand staff pin posts to the top of the feed."""
    access_club_manage(user=actor, club=post.club)
    rate_limit_hit(action="club_manage", key=actor.pk)
    pinned = bool(pinned)
    with transaction.atomic():
        current = _lock_post(post)
        _require_published(current)
        if current.is_pinned == pinned:
            return current
        current.is_pinned = pinned
        current.pinned_at = timezone.now() if pinned else None
        current.save(update_fields=["is_pinned", "pinned_at"])
        club_audit_record(
            club=current.club,
            actor=actor,
            action=ClubAuditEntry.Action.PIN if pinned else ClubAuditEntry.Action.UNPIN,
            member=current.author,
            target_repr=excerpt(current.body),
        )
    return current


# --- likes ----------------------------------------------------------------------------


def post_like(*, post: ClubPost, member) -> ClubPost:
    """Like a post once; liking again changes nothing. Authors cannot like their own
    posts (a like is what others think of it, as a helpful vote on a review). The
    author earns reputation in the club for each like."""
    access_club_participate(user=member, club=post.club)
    post.refresh_from_db(fields=["status"])  # hidden or deleted since the page was shown
    _require_published(post)
    if post.author_id == member.pk:
        raise DomainError(_("You cannot like your own post."), code="own_post")
    rate_limit_hit(action="club_like", key=member.pk)
    with transaction.atomic():
        try:
            with transaction.atomic():
                # The status is checked by the UPDATE, which holds the row, so a post
                # hidden meanwhile earns nothing; a repeated like rolls the count back.
                counted = ClubPost.objects.filter(
                    pk=post.pk, status=ClubPost.Status.PUBLISHED
                ).update(like_count=F("like_count") + 1)
                if not counted:
                    raise NotFound(_("This post is not available."))
                ClubPostLike.objects.create(post=post, member=member)
        except IntegrityError:
            pass  # already liked (or a double click raced): the same as once
        else:
            reputation_record(
                member=post.author,
                reason=Reason.POST_LIKED,
                source=post,
                actor=member,
                club=post.club,
            )
    post.refresh_from_db(fields=["like_count"])
    post.viewer_liked = True
    return post


def post_unlike(*, post: ClubPost, member) -> ClubPost:
    """Take a like back. Only the member's own like row is touched, so this needs a
    signed-in account and nothing more: a member who left can still withdraw a like."""
    access_account(user=member)
    rate_limit_hit(action="club_like", key=member.pk)
    with transaction.atomic():
        # Only the request that actually deletes the row decrements the counter.
        deleted, _rows = ClubPostLike.objects.filter(post=post, member=member).delete()
        if deleted:
            ClubPost.objects.filter(pk=post.pk).update(like_count=F("like_count") - 1)
            reputation_undo(
                member=post.author, source=post, actor=member, reasons=[Reason.POST_LIKED]
            )
    post.refresh_from_db(fields=["like_count"])
    post.viewer_liked = False
    return post


# --- comments -------------------------------------------------------------------------


def comment_create(*, post: ClubPost, author, body: str) -> ClubComment:
    """Comment on a published post; its author is told if they can still see it."""
    club = post.club
    standing = access_club_participate(user=author, club=club)
    _require_published(post)
    body = _clean_body(body, max_length=MAX_COMMENT_LENGTH)
    if not body:
        raise DomainError(_("Write a comment."), field="body")
    body_html = render_markdown(body)
    _check_links(user=author, standing=standing, body_html=body_html)
    rate_limit_hit(action="club_comment", key=author.pk)
    with transaction.atomic():
        current = _lock_post(post)
        _require_published(current)  # hidden or deleted while the comment was typed
        comment = ClubComment.objects.create(
            post=current, author=author, body=body, body_html=body_html
        )
        ClubPost.objects.filter(pk=post.pk).update(comment_count=F("comment_count") + 1)
        post_author = current.author
        if post_author.pk != author.pk and club_standing(user=post_author, club=club).can_read:
            notify(
                recipients=[post_author],
                kind="club_post_comment",
                url=f"{current.get_absolute_url()}#comment-{comment.pk}",
                actor=author,
                params={"actor": author.public_name, "club": club.name},
            )
    post.refresh_from_db(fields=["comment_count"])
    return comment


def _lock_comment(comment: ClubComment) -> ClubComment:
    return ClubComment.objects.select_for_update().select_related("post__club").get(pk=comment.pk)


def _remove_comment(*, comment: ClubComment, status: str) -> None:
    """Set a published comment's new status and keep its post's count of visible ones."""
    was_published = comment.status == ContentStatus.PUBLISHED
    comment.status = status
    comment.save(update_fields=["status"])
    if was_published:
        ClubPost.objects.filter(pk=comment.post_id).update(comment_count=F("comment_count") - 1)


def comment_delete(*, comment: ClubComment, actor) -> ClubComment:
    """Soft delete by the comment's author, or by moderators and the club's leaders
    (audited)."""
    access_account(user=actor)
    is_author = comment.author_id == actor.pk
    if not is_author:
        access_club_moderate_content(user=actor, club=comment.post.club)
    rate_limit_hit(action="club_comment" if is_author else "club_manage", key=actor.pk)
    with transaction.atomic():
        current = _lock_comment(comment)
        if current.status == ContentStatus.DELETED:
            return current
        _remove_comment(comment=current, status=ContentStatus.DELETED)
        if not is_author:
            club_audit_record(
                club=current.post.club,
                actor=actor,
                action=AUDIT_DELETE_COMMENT,
                member=current.author,
                target_repr=excerpt(current.body),
            )
    return current


def comment_hide(*, comment: ClubComment, actor, reason: str) -> ClubComment:
    access_club_moderate_content(user=actor, club=comment.post.club)
    reason = _clean_reason(reason)
    rate_limit_hit(action="club_manage", key=actor.pk)
    with transaction.atomic():
        current = _lock_comment(comment)
        if current.status == ContentStatus.DELETED:
            raise NotFound(_("This comment is not available."))
        if current.status == ContentStatus.HIDDEN:
            return current
        _remove_comment(comment=current, status=ContentStatus.HIDDEN)
        club_audit_record(
            club=current.post.club,
            actor=actor,
            action=ClubAuditEntry.Action.HIDE_COMMENT,
            member=current.author,
            target_repr=excerpt(current.body),
            reason=reason,
        )
    return current
