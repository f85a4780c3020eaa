from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from community.members.models import TIME_ZONE_CHOICES


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=60,
        help_text=_("Shown with your reviews. Not your e-mail address."),
    )

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"].strip()
        user.preferred_language = (request.LANGUAGE_CODE or "")[:10]
        user.save(update_fields=["display_name", "preferred_language"])


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    bio = forms.CharField(
        label=_("About me"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser asks")), *settings.LANGUAGES],
        required=False,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[("", _("As my browser reports")), *TIME_ZONE_CHOICES],
        required=False,
    )
    avatar = forms.FileField(
        label=_("Avatar"), required=False, help_text=_("JPEG, PNG, WebP or HEIC.")
    )
    remove_avatar = forms.BooleanField(label=_("Remove my avatar"), required=False)
