"""Writes of reviews, photos, votes, replies, flags, moderation and purchase codes.

Each function is keyword-only, checks access itself and runs in one transaction, so
that a page, a future API and the Wagtail admin all obey the same rules. The product's
rating summary is maintained here with F() expressions on every change of a review's
visibility or rating; product_rating_recount re-derives it from the reviews.

Trust levels (ADR 0008) gate what members post: links in a review and more than one
photo from level 1 (community.reputation.gates; brand replies are exempt, their authors are
accountable staff). A flag counts double in the moderators' queue from level 2, and
redeeming a purchase code lifts a new member to level 1 at once (trust_fast_track).
"""

import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import Brand, Product
from brand_clubs.services import access_brand_staff
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.notifications import notify
from community.members.selectors import is_moderator
from community.ratelimit import rate_limit_hit
from community.reputation import rules as reputation_rules
from community.reputation.gates import access_links, access_photo_count
from community.reputation.rules import Reason
from community.reputation.services import (
    reputation_content_deleted,
    reputation_content_removed,
    reputation_content_restored,
    reputation_record,
    reputation_undo,
)
from community.reputation.trust_services import flag_weight_of, trust_fast_track
from community.reviews.models import (
    MAX_PHOTOS_PER_REVIEW,
    BrandReply,
    HelpfulVote,
    PurchaseCode,
    Review,
    ReviewFlag,
    ReviewModeration,
    ReviewPhoto,
    ReviewRevision,
)
from community.reviews.photos import (
    PreparedPhoto,
    photos_prepare,
    renditions_delete_on_commit,
    renditions_write,
)
from community.text import detect_language, render_markdown
from experts.services.endorsements import endorsements_shown

PURCHASE_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PURCHASE_CODE_LENGTH = 12
MAX_CODES_PER_BATCH = 10_000


# --- access -------------------------------------------------------------------------


def access_review_write(*, user) -> None:
    if not (user and user.is_authenticated):
        raise AccessDenied(_("Please log in to write a review."))
    if not user.is_active:
        raise AccessDenied(_("Your account is not active."))


def access_review_edit(*, user, review: Review) -> None:
    """Only the author edits or deletes a review, and only while it is not deleted."""
    access_review_write(user=user)
    if review.author_id != user.pk:
        raise AccessDenied(_("You can only change your own reviews."))
    if review.status == Review.Status.DELETED:
        raise NotFound(_("This review was deleted."))


def access_review_read(*, user, review: Review) -> None:
    """Published reviews are public; hidden ones only for their author and moderators."""
    if review.status == Review.Status.PUBLISHED:
        return
    if review.status == Review.Status.HIDDEN and (
        is_moderator(user)
        or (user is not None and user.is_authenticated and review.author_id == user.pk)
    ):
        return
    if review.status == Review.Status.DELETED and is_moderator(user):
        return
    raise NotFound(_("This review is not available."))


def access_moderate(*, user) -> None:
    if not is_moderator(user):
        raise AccessDenied(_("Only moderators can do this."))


# --- rating summary -----------------------------------------------------------------


def _summary_change(*, product_id: int, rating: int, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) one visible review of `rating` stars."""
    Product.objects.filter(pk=product_id).update(
        rating_count=F("rating_count") + sign,
        rating_total=F("rating_total") + sign * rating,
        **{f"stars_{rating}": F(f"stars_{rating}") + sign},
    )


def product_rating_recount(*, product: Product) -> Product:
    """Re-derive the summary from the visible reviews (repairs drift; tests compare)."""
    rows = (
        Review.objects.filter(product=product, status=Review.Status.PUBLISHED)
        .values("rating")
        .annotate(n=Count("pk"))
    )
    stars = {n: 0 for n in range(1, 6)}
    for row in rows:
        stars[row["rating"]] = row["n"]
    values = {f"stars_{n}": count for n, count in stars.items()}
    values["rating_count"] = sum(stars.values())
    values["rating_total"] = sum(n * count for n, count in stars.items())
    Product.objects.filter(pk=product.pk).update(**values)
    product.refresh_from_db()
    return product


# --- reviews ------------------------------------------------------------------------


def _validate_review_fields(*, rating, title: str, body: str) -> tuple[int, str, str]:
    if isinstance(rating, bool | float):  # 4.9 must not quietly become 4
        raise DomainError(_("Choose a rating from 1 to 5 stars."), field="rating")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        raise DomainError(_("Choose a rating from 1 to 5 stars."), field="rating") from None
    if not 1 <= rating <= 5:
        raise DomainError(_("Choose a rating from 1 to 5 stars."), field="rating")
    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise DomainError(_("Give your review a title."), field="title")
    if len(title) > 150:
        raise DomainError(_("The title can be at most 150 characters."), field="title")
    if not body:
        raise DomainError(_("Write a few words about the product."), field="body")
    if len(body) > 10_000:
        raise DomainError(_("The review can be at most 10,000 characters."), field="body")
    return rating, title, body


def _attach_photos(*, review: Review, prepared: Sequence[PreparedPhoto], start: int) -> None:
    for offset, photo in enumerate(prepared):
        row = ReviewPhoto(
            review=review, position=start + offset, width=photo.width, height=photo.height
        )
        renditions_write(row, photo)
        row.save()


def _redeem_purchase_code(*, code: str, member, product: Product, review: Review) -> None:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    try:
        # Looked up within the product's brand: another brand's code is "not valid"
        # here, so the form cannot be used to test which codes exist.
        purchase_code = PurchaseCode.objects.select_for_update().get(
            code=normalised, brand_id=product.brand_id
        )
    except PurchaseCode.DoesNotExist:
        raise DomainError(
            _("This purchase code is not valid for this product's brand."),
            field="purchase_code",
            code="code_invalid",
        ) from None
    if purchase_code.is_redeemed:
        raise DomainError(
            _("This purchase code has already been used."),
            field="purchase_code",
            code="code_used",
        )
    purchase_code.redeemed_by = member
    purchase_code.redeemed_at = timezone.now()
    purchase_code.review = review
    purchase_code.save(update_fields=["redeemed_by", "redeemed_at", "review"])
    review.verified_purchase = True
    review.save(update_fields=["verified_purchase"])
    # A verified purchase vouches for a new member: Basic at once, the code named in
    # the ledger row (a member already at Basic or above is left as they are).
    trust_fast_track(member=member, source=purchase_code)


def _access_review_content(*, member, body_html: str, photo_count: int) -> None:
    """The trust-level gates of a review: links in the text, more than one photo."""
    access_links(member, html=body_html, field="body")
    access_photo_count(member, count=photo_count, field="photos")


def review_create(
    *,
    author,
    product: Product,
    rating,
    title: str,
    body: str,
    photos: Sequence = (),
    purchase_code: str = "",
) -> Review:
    access_review_write(user=author)
    rating, title, body = _validate_review_fields(rating=rating, title=title, body=body)
    if len(photos) > MAX_PHOTOS_PER_REVIEW:
        raise DomainError(
            _("A review can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_REVIEW},
            field="photos",
        )
    if (
        Review.objects.filter(author=author, product=product)
        .exclude(status=Review.Status.DELETED)
        .exists()
    ):
        raise Conflict(
            _("You have already reviewed this product. You can edit your review instead."),
            code="duplicate_review",
        )
    body_html = render_markdown(body)
    with_code = bool(purchase_code and purchase_code.strip())
    if not with_code:
        # With a purchase code the gates are checked after it is redeemed, which lifts
        # a new member to Basic: a verified buyer's first review may carry photos.
        _access_review_content(member=author, body_html=body_html, photo_count=len(photos))
    rate_limit_hit(action="review_write", key=author.pk)
    # Decode and re-encode photos before the transaction: slow, and a bad file must
    # fail the whole review with a clear message before anything is written.
    prepared = photos_prepare(photos)
    try:
        with transaction.atomic():
            review = Review.objects.create(
                author=author,
                product=product,
                rating=rating,
                title=title,
                body=body,
                body_html=body_html,
                language=detect_language(title, body),
                photo_count=len(prepared),
            )
            if with_code:
                _redeem_purchase_code(
                    code=purchase_code, member=author, product=product, review=review
                )
                _access_review_content(
                    member=author, body_html=body_html, photo_count=len(prepared)
                )
            _attach_photos(review=review, prepared=prepared, start=0)
            _summary_change(product_id=product.pk, rating=rating, sign=1)
    except IntegrityError:
        # Two submissions raced past the check above; the constraint decided.
        raise Conflict(
            _("You have already reviewed this product. You can edit your review instead."),
            code="duplicate_review",
        ) from None
    return review


def review_update(
    *,
    review: Review,
    editor,
    rating,
    title: str,
    body: str,
    add_photos: Sequence = (),
    remove_photo_ids: Sequence[int] = (),
) -> Review:
    """Edit a review; the version it replaces is kept as a ReviewRevision."""
    access_review_edit(user=editor, review=review)
    rating, title, body = _validate_review_fields(rating=rating, title=title, body=body)
    rate_limit_hit(action="review_write", key=editor.pk)
    remove_ids = {int(pk) for pk in remove_photo_ids}
    kept = review.photos.exclude(pk__in=remove_ids).count()
    if kept + len(add_photos) > MAX_PHOTOS_PER_REVIEW:
        raise DomainError(
            _("A review can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_REVIEW},
            field="photos",
        )
    body_html = render_markdown(body)
    access_links(editor, html=body_html, field="body")
    if add_photos:  # removing photos or editing the text is never refused
        access_photo_count(editor, count=kept + len(add_photos), field="photos")
    prepared = photos_prepare(add_photos)
    with transaction.atomic():
        current = Review.objects.select_for_update().get(pk=review.pk)
        if current.status == Review.Status.DELETED:  # deleted while this edit was typed
            raise NotFound(_("This review was deleted."))
        ReviewRevision.objects.create(
            review=current,
            rating=current.rating,
            title=current.title,
            body=current.body,
            written_at=current.edited_at or current.created_at,
        )
        if current.status == Review.Status.PUBLISHED and current.rating != rating:
            _summary_change(product_id=current.product_id, rating=current.rating, sign=-1)
            _summary_change(product_id=current.product_id, rating=rating, sign=1)
        for photo in current.photos.filter(pk__in=remove_ids):
            renditions_delete_on_commit([photo])
            photo.delete()
        last = current.photos.order_by("-position").values_list("position", flat=True).first()
        _attach_photos(review=current, prepared=prepared, start=(last or 0) + 1)
        current.rating = rating
        current.title = title
        current.body = body
        current.body_html = body_html
        current.language = detect_language(title, body)
        current.edited_at = timezone.now()
        current.photo_count = current.photos.count()
        current.save()
    return current


def review_delete(*, review: Review, actor) -> Review:
    """Soft delete by the author: gone from pages and the summary, kept for moderators.
    The points the review earned go with it (no penalty: that is for a moderator's
    removal), so deleting a review before a moderator sees it never keeps its points."""
    access_review_edit(user=actor, review=review)
    with transaction.atomic():
        current = Review.objects.select_for_update().get(pk=review.pk)
        if current.status == Review.Status.DELETED:
            return current
        if current.status == Review.Status.PUBLISHED:
            _summary_change(product_id=current.product_id, rating=current.rating, sign=-1)
        current.status = Review.Status.DELETED
        current.save(update_fields=["status"])
        reputation_content_deleted(content=current, author=current.author)
    return current


# --- helpful votes ------------------------------------------------------------------


def _with_author_and_category(review_id: int) -> Review:
    """The review with its author and its product's field, for the reputation ledger."""
    return Review.objects.select_related("author", "product__category").get(pk=review_id)


def review_mark_helpful(*, review: Review, voter) -> Review:
    """Mark a review helpful once; its author earns reputation for it (more for a
    verified purchase or an expert-checked review, see reputation rules)."""
    if not (voter and voter.is_authenticated and voter.is_active):
        raise AccessDenied(_("Please log in to mark reviews helpful."))
    if review.author_id == voter.pk:
        raise DomainError(_("You cannot mark your own review helpful."), code="own_review")
    if review.status != Review.Status.PUBLISHED:
        raise NotFound(_("This review is not available."))
    rate_limit_hit(action="helpful_vote", key=voter.pk)
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Count first: the vote's save reindexes the review and must see the count.
                # The status is checked by the UPDATE itself, which holds the row: a
                # moderator hiding it meanwhile either waits for this vote or wins.
                counted = Review.objects.filter(
                    pk=review.pk, status=Review.Status.PUBLISHED
                ).update(helpful_count=F("helpful_count") + 1)
                if not counted:
                    raise NotFound(_("This review is not available."))
                HelpfulVote.objects.create(review=review, voter=voter)
        except IntegrityError:
            pass  # already voted: marking twice is the same as once (and earns once)
        else:
            current = _with_author_and_category(review.pk)
            reputation_record(
                member=current.author,
                reason=Reason.REVIEW_HELPFUL,
                points=reputation_rules.review_helpful_points(
                    verified_purchase=current.verified_purchase,
                    expert_checked=endorsements_shown().filter(review=current).exists(),
                ),
                source=current,
                actor=voter,
                category=current.product.category,
            )
    review.refresh_from_db(fields=["helpful_count"])
    return review


def review_unmark_helpful(*, review: Review, voter) -> Review:
    if not (voter and voter.is_authenticated):
        raise AccessDenied(_("Please log in to mark reviews helpful."))
    rate_limit_hit(action="helpful_vote", key=voter.pk)
    with transaction.atomic():
        # Lock the review so two concurrent undos cannot both see the vote and both
        # decrement; count first, because deleting the vote reindexes the review.
        locked = Review.objects.select_for_update().only("pk", "author_id").get(pk=review.pk)
        if HelpfulVote.objects.filter(review=review, voter=voter).exists():
            Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") - 1)
            HelpfulVote.objects.filter(review=review, voter=voter).delete()
            reputation_undo(
                member=locked.author,
                source=locked,
                actor=voter,
                reasons=[Reason.REVIEW_HELPFUL],
            )
    review.refresh_from_db(fields=["helpful_count"])
    return review


def review_helpful_recount(*, review: Review) -> int:
    review.helpful_count = HelpfulVote.objects.filter(review=review).count()
    review.save(update_fields=["helpful_count"])  # a save, so the search index follows
    return review.helpful_count


# --- brand replies ------------------------------------------------------------------


def brand_reply_save(*, review: Review, author, body: str) -> BrandReply:
    """Create or edit the brand's one official reply to a review of its product."""
    brand = review.product.brand
    access_brand_staff(user=author, brand=brand)
    if review.status != Review.Status.PUBLISHED:
        raise NotFound(_("This review is not available."))
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write a reply."), field="body")
    if len(body) > 5_000:
        raise DomainError(_("A reply can be at most 5,000 characters."), field="body")
    rate_limit_hit(action="brand_reply", key=author.pk)
    with transaction.atomic():
        reply, created = BrandReply.objects.select_for_update().get_or_create(
            review=review,
            defaults={
                "brand": brand,
                "author": author,
                "body": body,
                "body_html": render_markdown(body),
            },
        )
        if not created:
            reply.author = author
            reply.body = body
            reply.body_html = render_markdown(body)
            reply.edited_at = timezone.now()
            reply.save()
        if created:
            # The author may always see their own published review; an edit of the reply
            # tells nobody again, and a brand's staff member replying to their own
            # review is not told about it.
            notify(
                recipients=[review.author],
                kind="review_brand_reply",
                url=f"{review.get_absolute_url()}#review-{review.pk}",
                actor=author,
                params={"brand": brand.name, "product": review.product.name},
            )
    return reply


def brand_reply_delete(*, review: Review, actor) -> None:
    access_brand_staff(user=actor, brand=review.product.brand)
    BrandReply.objects.filter(review=review).delete()


# --- flags and moderation -----------------------------------------------------------


def review_flag(*, review: Review, reporter, reason: str, note: str = "") -> ReviewFlag:
    """Report a published review to the moderators, once per member. The flag keeps its
    weight in the queue from the reporter's trust level now (rules.flag_weight)."""
    if not (reporter and reporter.is_authenticated and reporter.is_active):
        raise AccessDenied(_("Please log in to report a review."))
    if review.status != Review.Status.PUBLISHED:
        raise NotFound(_("This review is not available."))
    if review.author_id == reporter.pk:
        raise DomainError(_("You cannot report your own review."), code="own_review")
    if reason not in ReviewFlag.Reason.values:
        raise DomainError(_("Choose a reason."), field="reason")
    note = (note or "").strip()
    if len(note) > 1000:
        raise DomainError(_("The note can be at most 1,000 characters."), field="note")
    rate_limit_hit(action="review_flag", key=reporter.pk)
    try:
        with transaction.atomic():
            return ReviewFlag.objects.create(
                review=review,
                reporter=reporter,
                reason=reason,
                note=note,
                weight=flag_weight_of(reporter),
            )
    except IntegrityError:
        raise Conflict(
            _("You have already reported this review; moderators will look at it."),
            code="duplicate_flag",
        ) from None


def review_hide(*, review: Review, moderator, reason: str) -> Review:
    access_moderate(user=moderator)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the review is hidden."), field="reason")
    with transaction.atomic():
        current = Review.objects.select_for_update().get(pk=review.pk)
        if current.status != Review.Status.PUBLISHED:
            raise Conflict(_("Only a published review can be hidden."))
        _summary_change(product_id=current.product_id, rating=current.rating, sign=-1)
        current.status = Review.Status.HIDDEN
        current.save(update_fields=["status"])
        ReviewModeration.objects.create(
            review=current, moderator=moderator, action=ReviewModeration.Action.HIDE, reason=reason
        )
        _flags_resolve(review=current, moderator=moderator)
        context = _with_author_and_category(current.pk)
        reputation_content_removed(
            content=current,
            author=context.author,
            moderator=moderator,
            category=context.product.category,
        )
    return current


def review_restore(*, review: Review, moderator, reason: str) -> Review:
    access_moderate(user=moderator)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the review is restored."), field="reason")
    with transaction.atomic():
        current = Review.objects.select_for_update().get(pk=review.pk)
        if current.status != Review.Status.HIDDEN:
            raise Conflict(_("Only a hidden review can be restored."))
        current.status = Review.Status.PUBLISHED
        current.save(update_fields=["status"])
        _summary_change(product_id=current.product_id, rating=current.rating, sign=1)
        ReviewModeration.objects.create(
            review=current,
            moderator=moderator,
            action=ReviewModeration.Action.RESTORE,
            reason=reason,
        )
        _flags_resolve(review=current, moderator=moderator)
        reputation_content_restored(content=current, author=current.author, moderator=moderator)
    return current


def review_flags_dismiss(*, review: Review, moderator) -> int:
    """Close the open flags of a review that stays up."""
    access_moderate(user=moderator)
    with transaction.atomic():
        return _flags_resolve(review=review, moderator=moderator)


def _flags_resolve(*, review: Review, moderator) -> int:
    return ReviewFlag.objects.filter(review=review, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=moderator
    )


# --- purchase codes -----------------------------------------------------------------


def purchase_codes_generate(*, brand: Brand, count: int, actor, batch: str = "") -> list[str]:
    """Issue `count` single-use codes for `brand`; brand admins and site staff only."""
    if not (actor and actor.is_authenticated and actor.has_perm("reviews.add_purchasecode")):
        access_brand_staff(user=actor, brand=brand, admin_only=True)
    try:
        count = int(count)
    except (TypeError, ValueError):
        count = 0
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise DomainError(
            _("Generate between 1 and %(max)d codes at a time.") % {"max": MAX_CODES_PER_BATCH},
            field="count",
        )
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(
            "".join(secrets.choice(PURCHASE_CODE_ALPHABET) for _i in range(PURCHASE_CODE_LENGTH))
        )
    existing = set(PurchaseCode.objects.filter(code__in=codes).values_list("code", flat=True))
    codes -= existing  # astronomically rare; the caller asked for "up to" on collision
    with transaction.atomic():
        PurchaseCode.objects.bulk_create(
            [PurchaseCode(brand=brand, code=code, batch=batch[:80]) for code in sorted(codes)],
            batch_size=1000,
        )
    return sorted(codes)
