"""Forms of the certification workflow, for members (apply, answer reviewers,
challenge) and for reviewers in the Wagtail admin. They parse input; the rules live in
experts.services.certification (lengths are repeated here so browsers can help)."""

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Brand, Category
from community.reviews.forms import MultipleFileField, MultipleFileInput
from experts.models import Tier, VerificationCheck
from experts.services import certification as services

EVIDENCE_ACCEPT = "application/pdf,.pdf,image/jpeg,image/png,image/webp,image/heic,.heic"


def evidence_field(*, label, help_text=""):
    return MultipleFileField(
        label=label,
        required=False,  # the service says when at least one file is needed
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=help_text
        or gettext(
            "PDF documents or images (JPEG, PNG, WebP, HEIC), up to %(count)d files of "
            "%(size)d MB each. Only you and the reviewers can open them."
        )
        % {
            "count": settings.EXPERT_EVIDENCE_MAX_FILES,
            "size": settings.EXPERT_EVIDENCE_MAX_BYTES // (1024 * 1024),
        },
    )


class RenewalChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, certificate):
        return gettext("%(tier)s · %(headline)s (expires %(date)s)") % {
            "tier": certificate.get_tier_display(),
            "headline": certificate.headline,
            "date": timezone.localtime(certificate.expires_at).date().isoformat(),
        }


class ApplicationForm(forms.Form):
    tier = forms.ChoiceField(
        label=_("How are you qualified?"),
        choices=Tier.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Independent: academics, researchers, licensed professionals with no tie to "
            "a brand. Practitioner: years in the trade. Brand employee: you work for a "
            "brand; your name will always show “Brand employee · <brand>”."
        ),
    )
    employer = forms.ModelChoiceField(
        label=_("Brand you work for"),
        queryset=Brand.objects.order_by("name"),
        required=False,
        empty_label=_("(not a brand employee)"),
        help_text=_("Only for brand employees."),
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Product categories you are an expert in"),
        queryset=Category.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    brands = forms.ModelMultipleChoiceField(
        label=_("Brands you are an expert in"),
        queryset=Brand.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Choose categories, brands or both: at least one field."),
    )
    headline = forms.CharField(
        label=_("Headline"),
        max_length=services.HEADLINE_MAX_LENGTH,
        help_text=_("One line under your name, e.g. “Dermatologist, 12 years in practice”."),
    )
    credentials = forms.CharField(
        label=_("Credentials"),
        max_length=services.CREDENTIALS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Degrees, licences, positions, years of experience: what reviewers can check."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    conflict_of_interest = forms.CharField(
        label=_("Conflict-of-interest statement"),
        max_length=services.CONFLICT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Name every tie to a brand (employment, payment, gifts, shares), or write "
            "that you have none."
        ),
    )
    renewal_of = RenewalChoiceField(
        label=_("Renews certificate"),
        queryset=None,
        required=False,
        empty_label=_("(a new certificate)"),
    )

    def __init__(self, *args, renewable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = evidence_field(label=_("Evidence"))
        self.fields["links"].help_text = gettext(
            "One per line, up to %(count)d: your institution's page, a licence register, "
            "publications."
        ) % {"count": services.MAX_LINKS}
        self.fields["renewal_of"].queryset = renewable
        if not renewable.exists():
            del self.fields["renewal_of"]

    def clean_links(self):
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class RespondForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer to the reviewers"),
        max_length=services.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = evidence_field(label=_("More evidence (optional)"))


class ChallengeForm(forms.Form):
    statement = forms.CharField(
        label=_("What is wrong with these credentials?"),
        max_length=services.STATEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Be specific: what is untrue or hidden (e.g. an undeclared tie to a brand), "
            "and how you know. The expert does not see your evidence."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"] = evidence_field(label=_("Evidence"))


# --- reviewers (Wagtail admin) ----------------------------------------------------------


def _end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


class ApproveForm(forms.Form):
    checks = forms.MultipleChoiceField(
        label=_("What did you verify?"),
        choices=VerificationCheck.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Shown on the public badge. Brand employees need “Employment by the brand”."),
        error_messages={"required": _("Record what you checked: choose at least one check.")},
    )
    note = forms.CharField(
        label=_("Note for the reviewers"),
        required=False,
        max_length=services.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the log; never shown to the public."),
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most three years from today."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = timezone.localdate() + timedelta(days=settings.EXPERT_CERTIFICATE_DAYS)
        self.fields["expires_at"].initial = default

    @property
    def expiry(self) -> datetime:
        """The end of the chosen day in the reviewer's time zone."""
        return _end_of_day(self.cleaned_data["expires_at"])


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the applicant sees it)"),
        max_length=services.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why: a reason is required.")},
    )


class RequestInfoForm(forms.Form):
    message = forms.CharField(
        label=_("What should the applicant add?"),
        max_length=services.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CertificateReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the expert sees it)"),
        max_length=services.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why: a reason is required.")},
    )


class ResolveChallengeForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold: the challenge is right")), ("dismiss", _("Dismiss"))],
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(
        label=_("What you found"),
        max_length=services.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    then = forms.ChoiceField(
        label=_("And then"),
        choices=[
            ("", _("Leave the certificate as it is")),
            ("suspend", _("Suspend the certificate")),
            ("revoke", _("Revoke the certificate (final)")),
        ],
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Only with an upheld challenge."),
    )
