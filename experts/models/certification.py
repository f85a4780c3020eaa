"""Certification: a member applies with evidence, reviewers decide, a certificate is the
public, expiring result. Every step is written to CertificationLogEntry."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.private_media import private_storage


class Tier(models.TextChoices):
    """Why an expert's word carries weight. Brand staff are always labelled as such."""

    INDEPENDENT = "independent", _("Independent expert")
    PRACTITIONER = "practitioner", _("Industry practitioner")
    BRAND_STAFF = "brand_staff", _("Brand employee")


class VerificationCheck(models.TextChoices):
    """What a reviewer checked before approving; shown on the public badge."""

    IDENTITY = "identity", _("Identity")
    QUALIFICATION = "qualification", _("Degree or qualification")
    LICENCE = "licence", _("Licence in a public register")
    INSTITUTION = "institution", _("Affiliation with the institution")
    EXPERIENCE = "experience", _("Years of experience in the trade")
    EMPLOYMENT = "employment", _("Employment by the brand")
    CONFLICTS = "conflicts", _("Conflict-of-interest statement")


class ExpertApplication(models.Model):
    """A request to be certified (or to renew a certificate) in one or more fields."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        INFO_REQUESTED = "info_requested", _("More information requested")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATUSES = (Status.SUBMITTED, Status.INFO_REQUESTED)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_applications"
    )
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    employer = models.ForeignKey(
        "brand_clubs.Brand",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Required for brand employees: the brand you work for."),
    )
    categories = models.ManyToManyField(
        "brand_clubs.Category", verbose_name=_("product categories"), blank=True, related_name="+"
    )
    brands = models.ManyToManyField(
        "brand_clubs.Brand", verbose_name=_("brands"), blank=True, related_name="+"
    )
    headline = models.CharField(
        _("headline"),
        max_length=120,
        help_text=_("One line under your name, e.g. “Dermatologist, 12 years in practice”."),
    )
    credentials = models.TextField(_("credentials"), max_length=5000)
    links = models.JSONField(_("links"), default=list, blank=True)
    conflict_of_interest = models.TextField(_("conflict-of-interest statement"), max_length=2000)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    renewal_of = models.ForeignKey(
        "experts.Certificate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal_applications",
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Shown to the applicant: the reason of a rejection or the question of an info request.
    decision_message = models.TextField(_("message to the applicant"), blank=True)
    checks_performed = models.JSONField(_("checks performed"), default=list, blank=True)
    review_note = models.TextField(_("reviewers' note"), blank=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        verbose_name = _("expert application")
        verbose_name_plural = _("expert applications")

    def __str__(self):
        return f"{self.get_tier_display()} application by {self.applicant_id}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class Certificate(models.Model):
    """A member's certification in a tier and fields: what the public badge shows.
    A renewal extends the same certificate, so "since" stays the first approval."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates"
    )
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices)
    employer = models.ForeignKey(
        "brand_clubs.Brand",
        verbose_name=_("employer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employee_certificates",
    )
    categories = models.ManyToManyField(
        "brand_clubs.Category", verbose_name=_("product categories"), blank=True, related_name="+"
    )
    brands = models.ManyToManyField(
        "brand_clubs.Brand", verbose_name=_("brands"), blank=True, related_name="+"
    )
    headline = models.CharField(_("headline"), max_length=120)
    application = models.ForeignKey(
        ExpertApplication,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The application that granted or last renewed it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    first_issued_at = models.DateTimeField(_("certified since"))
    verified_at = models.DateTimeField(_("verified"))
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    checks = models.JSONField(_("what was verified"), default=list)
    expires_at = models.DateTimeField(_("expires"))
    status_reason = models.TextField(_("reason"), blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-verified_at", "-pk"]
        indexes = [models.Index(fields=["status", "expires_at"])]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self):
        return f"{self.get_tier_display()} certificate of {self.member_id}"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.ACTIVE and self.expires_at > timezone.now()

    @property
    def check_labels(self) -> list[str]:
        labels = dict(VerificationCheck.choices)
        return [labels[code] for code in self.checks if code in labels]


def evidence_path(instance, filename):
    # The stored name never reuses the uploader's file name.
    extension = "pdf" if instance.kind == EvidenceFile.Kind.PDF else "jpg"
    return f"evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class EvidenceFile(models.Model):
    """A credential document or image. Private: stored where no web server looks and
    served only to its uploader and to reviewers (experts.services.access)."""

    class Kind(models.TextChoices):
        PDF = "pdf", _("PDF document")
        IMAGE = "image", _("Image")

    application = models.ForeignKey(
        ExpertApplication,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    challenge = models.ForeignKey(
        "experts.CredentialChallenge",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    file = models.FileField(storage=private_storage, upload_to=evidence_path, max_length=200)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, challenge__isnull=True)
                | models.Q(application__isnull=True, challenge__isnull=False),
                name="evidence_belongs_to_one",
            )
        ]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name


class CredentialChallenge(models.Model):
    """Any member may dispute a certificate with evidence; it goes to the review queue."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="challenges"
    )
    challenger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credential_challenges"
    )
    statement = models.TextField(_("what is wrong"), max_length=5000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("credential challenge")
        verbose_name_plural = _("credential challenges")

    def __str__(self):
        return f"Challenge of certificate {self.certificate_id}"


class CertificationLogEntry(models.Model):
    """Who did what to an application, certificate or challenge, and why."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Applied")
        RESUBMITTED = "resubmitted", _("Added information")
        WITHDRAWN = "withdrawn", _("Withdrew the application")
        INFO_REQUESTED = "info_requested", _("Asked for more information")
        APPROVED = "approved", _("Approved")
        RENEWED = "renewed", _("Renewed")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        SUSPENDED = "suspended", _("Suspended")
        REINSTATED = "reinstated", _("Reinstated")
        REVOKED = "revoked", _("Revoked")
        CHALLENGED = "challenged", _("Challenged")
        CHALLENGE_UPHELD = "challenge_upheld", _("Upheld a challenge")
        CHALLENGE_DISMISSED = "challenge_dismissed", _("Dismissed a challenge")

    application = models.ForeignKey(
        ExpertApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="log"
    )
    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, null=True, blank=True, related_name="log"
    )
    challenge = models.ForeignKey(
        CredentialChallenge, on_delete=models.CASCADE, null=True, blank=True, related_name="log"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("certification log entry")
        verbose_name_plural = _("certification log entries")

    def __str__(self):
        return f"{self.action} by {self.actor_id}"
