"""Endorsements: an expert says they checked a review ("Expert-checked") with a note.

The rule the issue names: an expert who works for the reviewed product's brand (a
BrandStaff link, or a current brand-staff certificate with that employer) may endorse
it, but the endorsement then always carries `brand_affiliation`, which every page shows
as "Brand employee · <brand>". No argument turns that off."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from brand_clubs.models import Brand
from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.notifications import notify
from community.members.selectors import is_moderator
from community.ratelimit import rate_limit_hit
from community.reviews.models import Review
from community.text import render_markdown
from experts.models import Certificate, Endorsement, ExpertProfile
from experts.services.access import access_account, certificate_for_field, employer_brand_for

NOTE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class EndorsementPlan:
    """What an endorsement by this expert of this review would record."""

    certificate: Certificate
    brand_affiliation: Brand | None


SHOWN_CERTIFICATE_STATUSES = (Certificate.Status.ACTIVE, Certificate.Status.EXPIRED)


def endorsements_shown():
    """Endorsements pages show: of published reviews, by active members, on a
    certificate that was not revoked or suspended (an expired one was true when the
    expert checked the review). The one rule for review cards, profiles and the feed."""
    return Endorsement.objects.filter(
        review__status=Review.Status.PUBLISHED,
        expert__is_active=True,
        certificate__status__in=SHOWN_CERTIFICATE_STATUSES,
    )


def access_endorsement_create(*, expert, review: Review) -> EndorsementPlan:
    """Every rule but the note and the rate limit: used by the form page to say what
    will be recorded (and labelled) before the expert writes anything."""
    access_account(user=expert)
    if review.status != Review.Status.PUBLISHED:
        raise NotFound(_("This review is not available."))
    if review.author_id == expert.pk:
        raise AccessDenied(_("You cannot endorse your own review."), code="own_review")
    product = review.product
    certificate = certificate_for_field(
        member=expert, category_id=product.category_id, brand_id=product.brand_id
    )
    if certificate is None:
        raise AccessDenied(
            _("You can endorse reviews in your fields of expertise."), code="not_in_field"
        )
    if Endorsement.objects.filter(expert=expert, review=review).exists():
        raise Conflict(_("You have already endorsed this review."), code="already_endorsed")
    return EndorsementPlan(
        certificate=certificate,
        brand_affiliation=employer_brand_for(expert=expert, brand=product.brand),
    )


def endorsement_create(*, expert, review: Review, note: str) -> Endorsement:
    plan = access_endorsement_create(expert=expert, review=review)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what you checked."), field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(
            _("Keep it under %(limit)d characters.") % {"limit": NOTE_MAX_LENGTH}, field="note"
        )
    rate_limit_hit(action="endorsement", key=expert.pk)
    try:
        with transaction.atomic():
            endorsement = Endorsement.objects.create(
                expert=expert,
                review=review,
                certificate=plan.certificate,
                note=note,
                note_html=render_markdown(note),
                brand_affiliation=plan.brand_affiliation,
            )
            ExpertProfile.objects.filter(member=expert).update(
                endorsement_count=F("endorsement_count") + 1
            )
            # The author sees their own published review: no further check needed.
            notify(
                recipients=[review.author],
                kind="review_endorsed",
                url=review.get_absolute_url(),
                actor=expert,
                params={"actor": expert.public_name, "product": review.product.name},
            )
    except IntegrityError:  # a concurrent request endorsed first
        raise Conflict(
            _("You have already endorsed this review."), code="already_endorsed"
        ) from None
    return endorsement


def access_endorsement_delete(*, actor, endorsement: Endorsement) -> None:
    access_account(user=actor)
    if endorsement.expert_id != actor.pk and not is_moderator(actor):
        raise AccessDenied(_("Only the expert who wrote it or a moderator can remove it."))


def endorsement_delete(*, actor, endorsement: Endorsement) -> None:
    """The expert withdraws their endorsement, or a moderator removes it."""
    access_endorsement_delete(actor=actor, endorsement=endorsement)
    with transaction.atomic():
        deleted, _rows = Endorsement.objects.filter(pk=endorsement.pk).delete()
        if deleted:
            ExpertProfile.objects.filter(
                member_id=endorsement.expert_id, endorsement_count__gt=0
            ).update(endorsement_count=F("endorsement_count") - 1)
