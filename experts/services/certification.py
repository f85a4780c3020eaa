"""Writes of the certification workflow: apply, ask for and add information, approve
(a new certificate, or a renewal that extends one), reject, withdraw; suspend,
reinstate, revoke and expire certificates; challenge them and resolve challenges.

Each function checks access itself (experts.services.access), writes in one
transaction with the row it decides about locked (two reviewers cannot both decide),
records a CertificationLogEntry with its actor and reason, refreshes the member's
byline badge after any change to a certificate, and tells the people concerned."""

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.models import Member, Notification
from community.members.notifications import notify
from community.ratelimit import rate_limit_hit
from experts.models import (
    Answer,
    Certificate,
    CertificationLogEntry,
    CredentialChallenge,
    ExpertApplication,
    ExpertProfile,
    Tier,
    VerificationCheck,
)
from experts.selectors.certification import certification_reviewers
from experts.services.access import (
    access_account,
    access_application_own,
    access_application_review,
    access_certificate_manage,
)
from experts.services.badges import expert_badge_refresh
from experts.services.evidence import (
    evidence_atomic,
    evidence_delete,
    evidence_prepare,
    evidence_write,
)
from experts.signals import expert_index_refresh

Action = CertificationLogEntry.Action

MAX_FIELDS = 10  # categories and brands together: an expert in everything is in nothing
MAX_LINKS = 5
LINK_MAX_LENGTH = 500
HEADLINE_MAX_LENGTH = 120
CREDENTIALS_MAX_LENGTH = 5000
CONFLICT_MAX_LENGTH = 2000
MESSAGE_MAX_LENGTH = 2000
STATEMENT_MAX_LENGTH = 5000
MAX_VALIDITY = timedelta(days=3 * 365)
REMINDER_DAYS = 30

# Words put into notification sentences, translated into each recipient's language.
DECISION_WORDS = {
    "approved": gettext_lazy("approved"),
    "rejected": gettext_lazy("rejected"),
    "upheld": gettext_lazy("upheld"),
    "dismissed": gettext_lazy("dismissed"),
    "suspended": gettext_lazy("suspended"),
    "reinstated": gettext_lazy("reinstated"),
    "revoked": gettext_lazy("revoked"),
}
TIER_WORDS = {
    Tier.INDEPENDENT: gettext_lazy("an independent expert"),
    Tier.PRACTITIONER: gettext_lazy("an industry practitioner"),
    Tier.BRAND_STAFF: gettext_lazy("a brand employee"),
}

_url_validator = URLValidator(schemes=["http", "https"])


# --- helpers ----------------------------------------------------------------------------


def _log(*, action, actor, reason="", application=None, certificate=None, challenge=None):
    return CertificationLogEntry.objects.create(
        action=action,
        actor=actor,
        reason=reason or "",
        application=application,
        certificate=certificate,
        challenge=challenge,
    )


def _in_language(member, text) -> str:
    """A word for a notification sentence, in the language its reader chose."""
    with translation.override(getattr(member, "preferred_language", "") or settings.LANGUAGE_CODE):
        return str(text)


def _notify_one(*, recipient, kind: str, url: str, actor=None, params: dict, words=()):
    """Notify one member; the `words` among `params` are lazy texts translated for them."""
    params = dict(params)
    for key in words:
        params[key] = _in_language(recipient, params[key])
    notify(recipients=[recipient], kind=kind, url=url, actor=actor, params=params)


def _required_text(value, *, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field=field)
    if len(value) > limit:
        raise DomainError(_("Keep it under %(limit)d characters.") % {"limit": limit}, field=field)
    return value


def _reason(value, *, field: str = "reason") -> str:
    return _required_text(
        value,
        field=field,
        message=_("Say why: a reason is required."),
        limit=MESSAGE_MAX_LENGTH,
    )


def _clean_links(links) -> list[str]:
    if isinstance(links, str):
        links = links.splitlines()
    cleaned = []
    for raw in links or []:
        link = str(raw).strip()
        if not link:
            continue
        if len(link) > LINK_MAX_LENGTH:
            raise DomainError(
                _("A link can be at most %(limit)d characters.") % {"limit": LINK_MAX_LENGTH},
                field="links",
            )
        try:
            # urlsplit raises ValueError on a malformed host such as "http://[oops".
            if urlsplit(link).scheme.lower() not in ("http", "https"):
                raise ValidationError("scheme")
            _url_validator(link)
        except (ValidationError, ValueError):
            raise DomainError(
                _("“%(link)s” is not a web address. Links start with https:// or http://.")
                % {"link": Truncator(link).chars(80)},
                field="links",
                code="bad_link",
            ) from None
        if link not in cleaned:
            cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        raise DomainError(_("Give at most %(count)d links.") % {"count": MAX_LINKS}, field="links")
    return cleaned


def _check_evidence_count(uploads: Sequence, *, existing: int = 0, required: bool) -> None:
    limit = settings.EXPERT_EVIDENCE_MAX_FILES
    if required and not uploads and not existing:
        raise DomainError(
            _("Upload at least one document or image as evidence."),
            field="evidence",
            code="evidence_required",
        )
    if existing + len(uploads) > limit:
        raise DomainError(
            _("You can upload at most %(count)d files.") % {"count": limit},
            field="evidence",
            code="too_many_files",
        )


def _lock_application(application: ExpertApplication) -> ExpertApplication:
    locked = ExpertApplication.objects.select_for_update().filter(pk=application.pk).first()
    if locked is None:
        raise NotFound(_("No such application."))
    return locked


def _lock_certificate(certificate: Certificate) -> Certificate:
    locked = Certificate.objects.select_for_update().filter(pk=certificate.pk).first()
    if locked is None:
        raise NotFound(_("No such certificate."))
    return locked


def _check_renewable(certificate: Certificate) -> None:
    """Renewing sets a certificate active again, so a suspended one would leave its
    suspension without a reviewer deciding so: reviewers reinstate it first. Revoking is
    final."""
    if certificate.status == Certificate.Status.REVOKED:
        raise Conflict(
            _("A revoked certificate cannot be renewed."), field="renewal_of", code="revoked"
        )
    if certificate.status == Certificate.Status.SUSPENDED:
        raise Conflict(
            _("A suspended certificate cannot be renewed. The reviewers must reinstate it first."),
            field="renewal_of",
            code="suspended",
        )


def _already_decided() -> Conflict:
    return Conflict(_("This application was already decided or withdrawn."), code="already_decided")


def application_url(application) -> str:
    return reverse("experts:application_detail", args=[application.pk])


def credentials_url(member_id: int, certificate_id: int | None = None) -> str:
    url = reverse("experts:credentials", args=[member_id])
    return f"{url}#certificate-{certificate_id}" if certificate_id else url


def review_url(application) -> str:
    return reverse("expert_review:application", args=[application.pk])


def _notify_reviewers_of_application(application, *, actor) -> None:
    notify(
        recipients=certification_reviewers(
            tier=application.tier, employer_id=application.employer_id
        ),
        kind="expert_application_received",
        url=review_url(application),
        actor=actor,
        params={"actor": actor.public_name, "tier": TIER_WORDS[application.tier]},
    )


# --- applying ---------------------------------------------------------------------------


def application_submit(
    *,
    applicant,
    tier: str,
    employer=None,
    categories: Iterable = (),
    brands: Iterable = (),
    headline: str,
    credentials: str,
    links=(),
    conflict_of_interest: str,
    evidence_uploads: Sequence = (),
    renewal_of: Certificate | None = None,
) -> ExpertApplication:
    """Apply to be certified in one or more fields (or to renew a certificate)."""
    access_account(user=applicant)
    if tier not in Tier.values:
        raise DomainError(_("Choose how you are qualified."), field="tier")
    if tier == Tier.BRAND_STAFF and employer is None:
        raise DomainError(_("Brand employees name the brand they work for."), field="employer")
    if tier != Tier.BRAND_STAFF and employer is not None:
        raise DomainError(
            _(
                "Only brand employees name an employer. If you work for this brand, "
                "apply as a brand employee: members must see that tie."
            ),
            field="employer",
        )
    categories = list(dict.fromkeys(categories))
    brands = list(dict.fromkeys(brands))
    if not categories and not brands:
        raise DomainError(
            _("Choose at least one field: a product category or a brand."),
            field="categories",
            code="no_field",
        )
    if len(categories) + len(brands) > MAX_FIELDS:
        raise DomainError(
            _("Choose at most %(count)d fields in one application.") % {"count": MAX_FIELDS},
            field="categories",
        )
    headline = _required_text(
        headline,
        field="headline",
        message=_("Say in one line what qualifies you."),
        limit=HEADLINE_MAX_LENGTH,
    )
    credentials = _required_text(
        credentials,
        field="credentials",
        message=_("Describe your credentials: degrees, licences, years in the trade."),
        limit=CREDENTIALS_MAX_LENGTH,
    )
    conflict_of_interest = _required_text(
        conflict_of_interest,
        field="conflict_of_interest",
        message=_(
            "A conflict-of-interest statement is required. Name every tie to a brand, "
            "or write that you have none."
        ),
        limit=CONFLICT_MAX_LENGTH,
    )
    links = _clean_links(links)
    if renewal_of is not None:
        # Read it again: the caller's copy may predate a suspension or revocation.
        renewal_of = Certificate.objects.filter(pk=renewal_of.pk).first()
        if renewal_of is None or renewal_of.member_id != applicant.pk:
            raise NotFound(_("No such certificate."))
        _check_renewable(renewal_of)
        if renewal_of.tier != tier or (
            tier == Tier.BRAND_STAFF and renewal_of.employer_id != getattr(employer, "pk", None)
        ):
            raise DomainError(
                _(
                    "A renewal keeps the tier and employer of the certificate; apply anew "
                    "for a different one."
                ),
                field="tier",
            )
    _check_evidence_count(evidence_uploads, required=True)
    if ExpertApplication.objects.filter(
        applicant=applicant, status__in=ExpertApplication.OPEN_STATUSES
    ).exists():
        raise Conflict(
            _("You already have an application waiting for review."), code="open_application"
        )
    rate_limit_hit(action="expert_apply", key=applicant.pk)
    prepared = evidence_prepare(evidence_uploads)
    with evidence_atomic() as written:
        # Lock the applicant's row: two submissions at once give one application.
        Member.objects.select_for_update().filter(pk=applicant.pk).first()
        if ExpertApplication.objects.filter(
            applicant=applicant, status__in=ExpertApplication.OPEN_STATUSES
        ).exists():
            raise Conflict(
                _("You already have an application waiting for review."),
                code="open_application",
            )
        application = ExpertApplication.objects.create(
            applicant=applicant,
            tier=tier,
            employer=employer if tier == Tier.BRAND_STAFF else None,
            headline=headline,
            credentials=credentials,
            links=links,
            conflict_of_interest=conflict_of_interest,
            renewal_of=renewal_of,
        )
        application.categories.set(categories)
        application.brands.set(brands)
        evidence_write(
            prepared=prepared, uploaded_by=applicant, written=written, application=application
        )
        _log(
            action=Action.SUBMITTED,
            actor=applicant,
            application=application,
            certificate=renewal_of,
        )
        _notify_reviewers_of_application(application, actor=applicant)
    return application


def application_withdraw(*, applicant, application: ExpertApplication) -> ExpertApplication:
    """The applicant takes an open application back; its evidence files are removed."""
    access_application_own(user=applicant, application=application)
    with transaction.atomic():
        locked = _lock_application(application)
        if not locked.is_open:
            raise _already_decided()
        locked.status = ExpertApplication.Status.WITHDRAWN
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at", "updated_at"])
        evidence_delete(locked.evidence.all())
        _log(action=Action.WITHDRAWN, actor=applicant, application=locked)
    return locked


def application_request_info(
    *, reviewer, application: ExpertApplication, message: str
) -> ExpertApplication:
    """Ask the applicant for more information; the application waits for them."""
    access_application_review(user=reviewer, application=application)
    message = _required_text(
        message,
        field="message",
        message=_("Write what the applicant should add."),
        limit=MESSAGE_MAX_LENGTH,
    )
    rate_limit_hit(action="expert_review", key=reviewer.pk)
    with transaction.atomic():
        locked = _lock_application(application)
        access_application_review(user=reviewer, application=locked)
        if not locked.is_open:
            raise _already_decided()
        locked.status = ExpertApplication.Status.INFO_REQUESTED
        locked.decision_message = message
        locked.save(update_fields=["status", "decision_message", "updated_at"])
        _log(action=Action.INFO_REQUESTED, actor=reviewer, reason=message, application=locked)
        _notify_one(
            recipient=locked.applicant,
            kind="expert_info_requested",
            url=application_url(locked),
            actor=reviewer,
            params={"excerpt": Truncator(message).chars(140)},
        )
    return locked


def application_respond(
    *,
    applicant,
    application: ExpertApplication,
    message: str,
    evidence_uploads: Sequence = (),
) -> ExpertApplication:
    """The applicant answers an information request (text and perhaps more files); the
    application goes back to the reviewers."""
    access_application_own(user=applicant, application=application)
    message = _required_text(
        message,
        field="message",
        message=_("Write your answer to the reviewers."),
        limit=MESSAGE_MAX_LENGTH,
    )
    if application.status != ExpertApplication.Status.INFO_REQUESTED:
        raise Conflict(
            _("The reviewers have not asked for more information."), code="not_requested"
        )
    _check_evidence_count(evidence_uploads, existing=application.evidence.count(), required=False)
    rate_limit_hit(action="expert_apply", key=applicant.pk)
    prepared = evidence_prepare(evidence_uploads)
    with evidence_atomic() as written:
        locked = _lock_application(application)
        if locked.status != ExpertApplication.Status.INFO_REQUESTED:
            raise Conflict(
                _("The reviewers have not asked for more information."), code="not_requested"
            )
        evidence_write(
            prepared=prepared, uploaded_by=applicant, written=written, application=locked
        )
        locked.status = ExpertApplication.Status.SUBMITTED
        locked.decision_message = ""
        locked.save(update_fields=["status", "decision_message", "updated_at"])
        _log(action=Action.RESUBMITTED, actor=applicant, reason=message, application=locked)
        _notify_reviewers_of_application(locked, actor=applicant)
    return locked


# --- deciding ---------------------------------------------------------------------------


def _clean_checks(checks, *, tier: str) -> list[str]:
    codes = list(dict.fromkeys(str(code) for code in checks or ()))
    unknown = [code for code in codes if code not in VerificationCheck.values]
    if unknown:
        raise DomainError(_("Unknown check: %(code)s") % {"code": unknown[0]}, field="checks")
    if not codes:
        raise DomainError(_("Record what you checked: choose at least one check."), field="checks")
    if tier == Tier.BRAND_STAFF and VerificationCheck.EMPLOYMENT not in codes:
        raise DomainError(
            _("For a brand employee, check the employment by the brand."), field="checks"
        )
    # Keep the order of the choices, so every badge lists them alike.
    return [code for code in VerificationCheck.values if code in codes]


def _clean_expiry(expires_at: datetime | None, *, now: datetime) -> datetime:
    if expires_at is None:
        return now + timedelta(days=settings.EXPERT_CERTIFICATE_DAYS)
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise DomainError(_("The expiry must be in the future."), field="expires_at")
    if expires_at > now + MAX_VALIDITY:
        raise DomainError(_("A certificate is valid for at most three years."), field="expires_at")
    return expires_at


def application_approve(
    *,
    reviewer,
    application: ExpertApplication,
    checks: Sequence[str],
    note: str = "",
    expires_at: datetime | None = None,
) -> Certificate:
    """Approve with the checks performed: a new certificate, or for a renewal the same
    certificate extended (its "since" kept)."""
    access_application_review(user=reviewer, application=application)
    checks = _clean_checks(checks, tier=application.tier)
    note = (note or "").strip()
    if len(note) > MESSAGE_MAX_LENGTH:
        raise DomainError(
            _("Keep it under %(limit)d characters.") % {"limit": MESSAGE_MAX_LENGTH}, field="note"
        )
    now = timezone.now()
    expires_at = _clean_expiry(expires_at, now=now)
    rate_limit_hit(action="expert_review", key=reviewer.pk)
    with transaction.atomic():
        locked = _lock_application(application)
        access_application_review(user=reviewer, application=locked)
        if not locked.is_open:
            raise _already_decided()
        categories = list(locked.categories.all())
        brands = list(locked.brands.all())
        if locked.renewal_of_id is not None:
            certificate = _lock_certificate(locked.renewal_of)
            if certificate.status == Certificate.Status.REVOKED:
                raise Conflict(_("The certificate to renew was revoked meanwhile."), code="revoked")
            if certificate.status == Certificate.Status.SUSPENDED:
                # Approving would lift the suspension without a decision on it.
                raise Conflict(
                    _(
                        "The certificate to renew was suspended meanwhile. Reinstate it "
                        "first if the suspension is resolved, or reject this renewal."
                    ),
                    code="suspended",
                )
            action = Action.RENEWED
        else:
            certificate = Certificate(member_id=locked.applicant_id, first_issued_at=now)
            action = Action.APPROVED
        certificate.tier = locked.tier
        certificate.employer_id = locked.employer_id
        certificate.headline = locked.headline
        certificate.application = locked
        certificate.status = Certificate.Status.ACTIVE
        certificate.verified_at = now
        certificate.verified_by = reviewer
        certificate.checks = checks
        certificate.expires_at = expires_at
        certificate.status_reason = ""
        certificate.status_changed_at = now
        certificate.save()
        certificate.categories.set(categories)
        certificate.brands.set(brands)
        locked.status = ExpertApplication.Status.APPROVED
        locked.decided_by = reviewer
        locked.decided_at = now
        locked.checks_performed = checks
        locked.review_note = note
        locked.decision_message = ""
        locked.save()
        _log(
            action=action,
            actor=reviewer,
            reason=note,
            application=locked,
            certificate=certificate,
        )
        ExpertProfile.objects.get_or_create(member_id=locked.applicant_id)
        expert_badge_refresh(member_id=locked.applicant_id)
        _notify_one(
            recipient=locked.applicant,
            kind="expert_application_decided",
            url=credentials_url(locked.applicant_id, certificate.pk),
            actor=reviewer,
            params={"decision": DECISION_WORDS["approved"]},
            words=("decision",),
        )
    return certificate


def application_reject(
    *, reviewer, application: ExpertApplication, reason: str
) -> ExpertApplication:
    """Reject with a reason the applicant sees."""
    access_application_review(user=reviewer, application=application)
    reason = _reason(reason)
    rate_limit_hit(action="expert_review", key=reviewer.pk)
    with transaction.atomic():
        locked = _lock_application(application)
        access_application_review(user=reviewer, application=locked)
        if not locked.is_open:
            raise _already_decided()
        locked.status = ExpertApplication.Status.REJECTED
        locked.decided_by = reviewer
        locked.decided_at = timezone.now()
        locked.decision_message = reason
        locked.save()
        _log(action=Action.REJECTED, actor=reviewer, reason=reason, application=locked)
        _notify_one(
            recipient=locked.applicant,
            kind="expert_application_decided",
            url=application_url(locked),
            actor=reviewer,
            params={"decision": DECISION_WORDS["rejected"]},
            words=("decision",),
        )
    return locked


# --- certificates -----------------------------------------------------------------------


def _certificate_set_status(*, certificate, actor, status: str, action, reason: str, word):
    """Change a locked certificate's status, log it, refresh the badge, tell the expert."""
    certificate.status = status
    certificate.status_reason = reason
    certificate.status_changed_at = timezone.now()
    certificate.save(update_fields=["status", "status_reason", "status_changed_at"])
    _log(action=action, actor=actor, reason=reason, certificate=certificate)
    expert_badge_refresh(member_id=certificate.member_id)
    _notify_one(
        recipient=certificate.member,
        kind="expert_certificate_changed",
        url=credentials_url(certificate.member_id, certificate.pk),
        actor=actor,
        params={"change": DECISION_WORDS[word], "reason": Truncator(reason).chars(300)},
        words=("change",),
    )


def _suspend(*, certificate, actor, reason):
    if certificate.status != Certificate.Status.ACTIVE:
        raise Conflict(_("Only an active certificate can be suspended."), code="not_active")
    _certificate_set_status(
        certificate=certificate,
        actor=actor,
        status=Certificate.Status.SUSPENDED,
        action=Action.SUSPENDED,
        reason=reason,
        word="suspended",
    )


def _revoke(*, certificate, actor, reason):
    if certificate.status == Certificate.Status.REVOKED:
        raise Conflict(_("This certificate is already revoked."), code="revoked")
    # Revoked means the credentials did not hold: answers written under them stop being
    # expert answers (an expired or suspended certificate keeps them: it was true when
    # they were written). The answer keeps `expert_certificate`, so the history stays.
    Answer.objects.filter(expert_certificate=certificate).update(expert_tier="")
    _certificate_set_status(
        certificate=certificate,
        actor=actor,
        status=Certificate.Status.REVOKED,
        action=Action.REVOKED,
        reason=reason,
        word="revoked",
    )
    expert_index_refresh(member_ids=[certificate.member_id])


def _manage(*, actor, certificate, reason, change) -> Certificate:
    access_certificate_manage(user=actor, certificate=certificate)
    reason = _reason(reason)
    rate_limit_hit(action="expert_review", key=actor.pk)
    with transaction.atomic():
        locked = _lock_certificate(certificate)
        access_certificate_manage(user=actor, certificate=locked)
        change(certificate=locked, actor=actor, reason=reason)
    return locked


def certificate_suspend(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Take a certificate out of use until a reviewer reinstates it."""
    return _manage(actor=actor, certificate=certificate, reason=reason, change=_suspend)


def _reinstate(*, certificate, actor, reason):
    if certificate.status != Certificate.Status.SUSPENDED:
        raise Conflict(_("Only a suspended certificate can be reinstated."), code="not_suspended")
    if certificate.expires_at <= timezone.now():
        raise Conflict(
            _(
                "This certificate has expired meanwhile and stays suspended; the expert "
                "must apply for a new certificate."
            ),
            code="expired",
        )
    _certificate_set_status(
        certificate=certificate,
        actor=actor,
        status=Certificate.Status.ACTIVE,
        action=Action.REINSTATED,
        reason=reason,
        word="reinstated",
    )


def certificate_reinstate(*, actor, certificate: Certificate, reason: str) -> Certificate:
    return _manage(actor=actor, certificate=certificate, reason=reason, change=_reinstate)


def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """End a certificate for good: a revoked certificate cannot be reinstated or renewed."""
    return _manage(actor=actor, certificate=certificate, reason=reason, change=_revoke)


def certificates_expire(*, now: datetime | None = None) -> int:
    """The daily run: mark active certificates past their expiry as expired (logged,
    badges refreshed, search reindexed) and remind experts whose certificate expires within 30 days.
    Returns how many expired. Safe to run more than once a day."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            Certificate.objects.select_for_update()
            .filter(status=Certificate.Status.ACTIVE, expires_at__lte=now)
            .values_list("pk", "member_id")
        )
        if due:
            Certificate.objects.filter(pk__in=[pk for pk, _member in due]).update(
                status=Certificate.Status.EXPIRED, status_changed_at=now, status_reason=""
            )
            CertificationLogEntry.objects.bulk_create(
                CertificationLogEntry(certificate_id=pk, action=Action.EXPIRED, actor=None)
                for pk, _member in due
            )
            member_ids = sorted({member_id for _pk, member_id in due})
            for member_id in member_ids:
                expert_badge_refresh(member_id=member_id)
            # The bulk update sent no signal: reindex their expert documents and answers
            # here (the database index in this transaction, an engine after commit).
            expert_index_refresh(member_ids=member_ids)
    certificates_remind_expiring(now=now)
    return len(due)


def certificates_remind_expiring(*, now: datetime | None = None) -> int:
    """Tell each expert once that a certificate expires within 30 days, unless they have
    already applied to renew it. "Once" is read from the notifications themselves (the
    url names the certificate), so a missed or repeated daily run neither skips nor
    repeats a reminder. Returns how many were sent."""
    now = now or timezone.now()
    soon = Certificate.objects.filter(
        status=Certificate.Status.ACTIVE,
        expires_at__gt=now,
        expires_at__lte=now + timedelta(days=REMINDER_DAYS),
        member__is_active=True,
    ).select_related("member")
    sent = 0
    for certificate in soon:
        if ExpertApplication.objects.filter(
            renewal_of=certificate, status__in=ExpertApplication.OPEN_STATUSES
        ).exists():
            continue
        url = credentials_url(certificate.member_id, certificate.pk)
        window_start = certificate.expires_at - timedelta(days=REMINDER_DAYS + 1)
        if Notification.objects.filter(
            recipient_id=certificate.member_id,
            kind="expert_certificate_expiring",
            url=url,
            created_at__gte=window_start,
        ).exists():
            continue
        # ISO dates read the same in every language.
        date = timezone.localtime(certificate.expires_at).date().isoformat()
        sent += notify(
            recipients=[certificate.member],
            kind="expert_certificate_expiring",
            url=url,
            params={"date": date},
        )
    return sent


# --- challenges -------------------------------------------------------------------------


def challenge_submit(
    *, challenger, certificate: Certificate, statement: str, evidence_uploads: Sequence = ()
) -> CredentialChallenge:
    """Any member disputes someone else's current certificate, with evidence; the
    challenge goes to the reviewers of that certificate."""
    access_account(user=challenger)
    if certificate.member_id == challenger.pk:
        raise AccessDenied(_("You cannot challenge your own credentials."), code="own")
    if not certificate.is_current:
        raise Conflict(
            _("This certificate is no longer current; there is nothing to challenge."),
            code="not_current",
        )
    statement = _required_text(
        statement,
        field="statement",
        message=_("Say what is wrong with these credentials."),
        limit=STATEMENT_MAX_LENGTH,
    )
    _check_evidence_count(evidence_uploads, required=True)
    if CredentialChallenge.objects.filter(
        certificate=certificate, challenger=challenger, status=CredentialChallenge.Status.OPEN
    ).exists():
        raise Conflict(
            _("Your earlier challenge of these credentials is still being reviewed."),
            code="open_challenge",
        )
    rate_limit_hit(action="expert_challenge", key=challenger.pk)
    prepared = evidence_prepare(evidence_uploads)
    with evidence_atomic() as written:
        challenge = CredentialChallenge.objects.create(
            certificate=certificate, challenger=challenger, statement=statement
        )
        evidence_write(
            prepared=prepared, uploaded_by=challenger, written=written, challenge=challenge
        )
        _log(
            action=Action.CHALLENGED,
            actor=challenger,
            certificate=certificate,
            challenge=challenge,
        )
        notify(
            recipients=[
                reviewer
                for reviewer in certification_reviewers(
                    tier=certificate.tier, employer_id=certificate.employer_id
                )
                if reviewer.pk != certificate.member_id
            ],
            kind="expert_challenge_received",
            url=reverse("expert_review:challenge", args=[challenge.pk]),
            actor=challenger,
            params={
                "actor": challenger.public_name,
                "expert": certificate.member.public_name,
            },
        )
    return challenge


CHALLENGE_CONSEQUENCES = {"suspend": _suspend, "revoke": _revoke}


def challenge_resolve(
    *,
    reviewer,
    challenge: CredentialChallenge,
    uphold: bool,
    resolution: str,
    then: str | None = None,
) -> CredentialChallenge:
    """Uphold or dismiss a challenge; an upheld one may suspend or revoke the
    certificate in the same transaction."""
    certificate = challenge.certificate
    access_certificate_manage(user=reviewer, certificate=certificate)
    resolution = _required_text(
        resolution,
        field="resolution",
        message=_("Write what you found."),
        limit=MESSAGE_MAX_LENGTH,
    )
    then = then or None
    if then is not None and then not in CHALLENGE_CONSEQUENCES:
        raise DomainError(_("Choose suspend, revoke or nothing."), field="then")
    if then is not None and not uphold:
        raise DomainError(_("A dismissed challenge leaves the certificate as it is."), field="then")
    rate_limit_hit(action="expert_review", key=reviewer.pk)
    with transaction.atomic():
        locked = CredentialChallenge.objects.select_for_update().filter(pk=challenge.pk).first()
        if locked is None:
            raise NotFound(_("No such challenge."))
        if locked.status != CredentialChallenge.Status.OPEN:
            raise Conflict(_("This challenge was already resolved."), code="already_decided")
        locked_certificate = _lock_certificate(certificate)
        access_certificate_manage(user=reviewer, certificate=locked_certificate)
        locked.status = (
            CredentialChallenge.Status.UPHELD if uphold else CredentialChallenge.Status.DISMISSED
        )
        locked.resolved_by = reviewer
        locked.resolved_at = timezone.now()
        locked.resolution = resolution
        locked.save(update_fields=["status", "resolved_by", "resolved_at", "resolution"])
        _log(
            action=Action.CHALLENGE_UPHELD if uphold else Action.CHALLENGE_DISMISSED,
            actor=reviewer,
            reason=resolution,
            certificate=locked_certificate,
            challenge=locked,
        )
        if then is not None:
            CHALLENGE_CONSEQUENCES[then](
                certificate=locked_certificate, actor=reviewer, reason=resolution
            )
        _notify_one(
            recipient=locked.challenger,
            kind="expert_challenge_decided",
            url=credentials_url(locked_certificate.member_id, locked_certificate.pk),
            actor=reviewer,
            params={
                "expert": locked_certificate.member.public_name,
                "decision": DECISION_WORDS["upheld" if uphold else "dismissed"],
            },
            words=("decision",),
        )
    return locked
