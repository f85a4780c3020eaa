from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from community.members.models import TIME_ZONE_CHOICES, Member


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
    direct_messages = forms.ChoiceField(
        label=_("Who may start a direct conversation with me"),
        choices=Member.DirectMessages.choices,
        # Not sent: the current choice stays.
        required=False,
        help_text=_(
            "Conversations you already have stay open whatever you choose here. Club "
            "mates are members of a club you are an active member of."
        ),
    )


class NotificationSettingsForm(forms.Form):
    """One "In the site" and, for kinds that are mailed, one "E-mail" checkbox per
    notification kind, from the rows of `notification_preferences_for`."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.preference_rows = rows
        for row in rows:
            self.fields[f"in_app_{row.kind}"] = forms.BooleanField(
                label=_("In the site"),
                required=False,
                initial=row.in_app,
                widget=forms.CheckboxInput(
                    attrs={"aria-label": format_lazy("{}: {}", row.label, _("In the site"))}
                ),
            )
            if row.email_possible:
                self.fields[f"email_{row.kind}"] = forms.BooleanField(
                    label=_("E-mail"),
                    required=False,
                    initial=row.email,
                    widget=forms.CheckboxInput(
                        attrs={"aria-label": format_lazy("{}: {}", row.label, _("E-mail"))}
                    ),
                )

    def rows(self):
        """(label, in-the-site field, e-mail field or None) per kind, for the template."""
        for row in self.preference_rows:
            email = self[f"email_{row.kind}"] if row.email_possible else None
            yield row.label, self[f"in_app_{row.kind}"], email

    def choices(self) -> tuple[dict[str, bool], dict[str, bool]]:
        """The (in_app, email) dicts for `notification_preferences_set`."""
        in_app = {row.kind: self.cleaned_data[f"in_app_{row.kind}"] for row in self.preference_rows}
        email = {
            row.kind: self.cleaned_data[f"email_{row.kind}"]
            for row in self.preference_rows
            if row.email_possible
        }
        return in_app, email
