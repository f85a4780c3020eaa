"""An expert's own settings and measured figures, and their endorsements of reviews."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_RESPONSE_HOURS = 72


class ExpertProfile(models.Model):
    """Created with an expert's first certificate; the expert edits the first group of
    fields, the services keep the measured ones."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    about = models.TextField(
        _("about my expertise"),
        max_length=3000,
        blank=True,
        help_text=_("Markdown. Shown on your expert profile."),
    )
    about_html = models.TextField(editable=False, blank=True)
    response_hours = models.PositiveSmallIntegerField(
        _("I answer directed questions within (hours)"), default=DEFAULT_RESPONSE_HOURS
    )
    accepts_questions = models.BooleanField(_("members may ask me questions"), default=True)
    accepts_conversations = models.BooleanField(
        _("members may start a private conversation with me"), default=False
    )
    # Measured from data (experts.services.profiles.expert_response_time_refresh):
    # median seconds from a question directed to the expert to the expert's first
    # answer, over questions asked in the last 90 days.
    median_response_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    response_sample_size = models.PositiveIntegerField(default=0, editable=False)
    response_measured_at = models.DateTimeField(null=True, blank=True, editable=False)
    answer_count = models.PositiveIntegerField(default=0, editable=False)
    endorsement_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self):
        return f"Expert profile of {self.member_id}"


class Endorsement(models.Model):
    """An expert checked a review ("Expert-checked") and says what they found. When the
    expert works for the reviewed product's brand the endorsement carries that label."""

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="endorsements"
    )
    review = models.ForeignKey(
        "reviews.Review", on_delete=models.CASCADE, related_name="endorsements"
    )
    certificate = models.ForeignKey(
        "experts.Certificate", on_delete=models.CASCADE, related_name="endorsements"
    )
    note = models.TextField(_("what you checked"), max_length=1000)
    note_html = models.TextField(editable=False)
    brand_affiliation = models.ForeignKey(
        "brand_clubs.Brand",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the expert works for the brand of the reviewed product."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["expert", "review"], name="one_endorsement_per_expert")
        ]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")

    def __str__(self):
        return f"Endorsement of review {self.review_id} by {self.expert_id}"
