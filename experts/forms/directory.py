"""Forms of the expert directory, the expert's profile settings and endorsements. They
only parse input; the services enforce the rules."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experts.models import Tier
from experts.services.endorsements import NOTE_MAX_LENGTH
from experts.services.profiles import ABOUT_MAX_LENGTH, RESPONSE_HOURS_MAX, RESPONSE_HOURS_MIN


class DirectoryFilterForm(forms.Form):
    field = forms.ChoiceField(label=gettext_lazy("Field"), required=False)
    tier = forms.ChoiceField(label=gettext_lazy("Kind of expert"), required=False)
    brand = forms.ChoiceField(label=gettext_lazy("Brand"), required=False)
    sort = forms.ChoiceField(
        label=gettext_lazy("Sort by"),
        required=False,
        choices=[
            ("answers", gettext_lazy("Most answers")),
            ("followers", gettext_lazy("Most followers")),
            ("newest", gettext_lazy("Newest experts")),
        ],
    )

    def __init__(self, *args, categories=(), brands=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("All fields"))] + [
            (category.slug, category.name) for category in categories
        ]
        self.fields["tier"].choices = [("", _("All kinds")), *Tier.choices]
        self.fields["brand"].choices = [("", _("All brands"))] + [
            (brand.slug, brand.name) for brand in brands
        ]


class ExpertProfileForm(forms.Form):
    about = forms.CharField(
        label=gettext_lazy("About my expertise"),
        required=False,
        max_length=ABOUT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Markdown. Shown on your expert profile."),
    )
    response_hours = forms.IntegerField(
        label=gettext_lazy("I answer questions asked to me within (hours)"),
        min_value=RESPONSE_HOURS_MIN,
        max_value=RESPONSE_HOURS_MAX,
        help_text=gettext_lazy(
            "Questions not answered in time are shown to the asker as overdue and offered "
            "to other experts of the field."
        ),
    )
    accepts_questions = forms.BooleanField(
        label=gettext_lazy("Members may ask me questions"), required=False
    )
    accepts_conversations = forms.BooleanField(
        label=gettext_lazy("Members may start a private conversation with me"), required=False
    )


class EndorsementForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What you checked"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "Markdown. Say what you verified and how, e.g. “The torque values match the "
            "manufacturer's manual.”"
        ),
    )
