from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.reviews.models import MAX_PHOTOS_PER_REVIEW, ReviewFlag


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the image pipeline."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


STAR_CHOICES = [(n, n) for n in range(5, 0, -1)]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(
        label=_("Your review"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown works: **bold**, *italic*, lists and links."),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
    )
    purchase_code = forms.CharField(
        label=_("Purchase code"),
        max_length=40,
        required=False,
        help_text=_(
            "Got a code from the brand with your purchase? Enter it to show "
            "“Verified purchase” on your review."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy string formatted at import would stay English.
        self.fields["photos"].help_text = gettext(
            "Up to %(count)d photos: JPEG, PNG, WebP or HEIC, at most 15 MB each."
        ) % {"count": MAX_PHOTOS_PER_REVIEW}


class ReviewEditForm(ReviewForm):
    purchase_code = None
    remove_photos = forms.TypedMultipleChoiceField(
        label=_("Remove photos"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove_photos"].choices = [(photo.pk, photo.pk) for photo in photos]


class ReviewFilterForm(forms.Form):
    """Sorting and filters of a product's reviews; bad values fall back to defaults."""

    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest")),
            ("helpful", _("Most helpful")),
            ("highest", _("Highest rating")),
            ("lowest", _("Lowest rating")),
        ],
    )
    stars = forms.TypedChoiceField(
        label=_("Stars"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All ratings")), *[(n, n) for n in range(5, 0, -1)]],
    )
    with_photos = forms.BooleanField(label=_("With photos"), required=False)
    verified = forms.BooleanField(label=_("Verified purchases"), required=False)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=ReviewFlag.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note for the moderators"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class BrandReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Official reply"), max_length=5_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ModerationReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
