"""Forms of the chat pages. They parse input only: every rule (access, mutes, lengths
of the stored text, rate limits, what an image may be) is checked by the services."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from community.chat.models import RoomSubscription

MAX_REASON_LENGTH = 500

MUTE_DURATIONS = [
    (10, _("10 minutes")),
    (60, _("1 hour")),
    (60 * 24, _("1 day")),
    (60 * 24 * 7, _("1 week")),
    (60 * 24 * 30, _("30 days")),
]


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=settings.CHAT_MESSAGE_MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_("Markdown works: **bold**, *italic* and links. @name mentions someone."),
    )
    reply_to = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    # Set by chat.js: a resend of the same composed message is not posted twice.
    client_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    # A plain file field: the image is opened only by community.imaging, in the service.
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("JPEG, PNG, WebP or HEIC, at most 15 MB."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("body") and not data.get("photo"):
            raise forms.ValidationError(_("Write a message or add a photo."), code="empty")
        return data


class DeleteForm(forms.Form):
    """Authors delete their own messages without a reason; moderators must give one."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the moderation log."),
    )

    def __init__(self, *args, reason_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class MuteForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    minutes = forms.TypedChoiceField(
        label=_("For how long"), choices=MUTE_DURATIONS, coerce=int, initial=60
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the moderation log."),
    )


class NotifyForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Notify me about"),
        choices=RoomSubscription.Notify.choices,
        widget=forms.Select(attrs={"data-autosubmit": ""}),
    )


class ReadForm(forms.Form):
    sequence = forms.IntegerField(min_value=0)
