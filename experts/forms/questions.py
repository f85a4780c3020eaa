"""Forms of questions and answers: they parse input; the rules are in
experts.services.questions (lengths are repeated here only so browsers can help)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Category
from community.reviews.forms import MultipleFileField
from experts.models import Vote
from experts.services import questions as services

MARKDOWN_HELP = _("Markdown works: **bold**, *italic*, lists and links.")


def _wiki_field():
    return forms.BooleanField(
        label=_("Community wiki"),
        required=False,
        help_text=_(
            "Invite members of trust level 3 (Regular) to improve this answer. It stays "
            "yours: votes and acceptance still count for you."
        ),
    )


class QuestionFilterForm(forms.Form):
    """Filters of the question list; bad values fall back to the defaults."""

    category = forms.ModelChoiceField(
        label=_("Field"),
        queryset=Category.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All fields"),
    )
    # max_value: a larger number would overflow the database's integer on lookup.
    product = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )
    unanswered = forms.BooleanField(label=_("Unanswered"), required=False)
    expert_answered = forms.BooleanField(label=_("Answered by an expert"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest")),
            ("active", _("Recently active")),
            ("votes", _("Most votes")),
        ],
    )

    def filters(self) -> dict:
        """The valid values only (an invalid field is simply ignored)."""
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value}


class AskForm(forms.Form):
    title = forms.CharField(
        label=_("Your question"),
        min_length=services.TITLE_MIN_LENGTH,
        max_length=services.TITLE_MAX_LENGTH,
        help_text=_("One sentence that ends with a question mark works best."),
    )
    body = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=services.BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you already tried, the model, the conditions. Markdown works: **bold**, "
            "*italic*, lists and links."
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Field"),
        queryset=Category.objects.order_by("name"),
        required=False,
        empty_label=_("(none)"),
        help_text=_("Helps experts of the field find your question."),
    )

    def __init__(self, *args, has_product: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_product:  # the product's category is the field
            del self.fields["category"]


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=services.BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )
    photos = MultipleFileField(label=_("Photos"), required=False)
    is_wiki = _wiki_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request: a lazy string formatted at import would stay English.
        self.fields["photos"].help_text = gettext(
            "Up to %(count)d photos: JPEG, PNG, WebP or HEIC, at most 15 MB each."
        ) % {"count": services.MAX_PHOTOS_PER_ANSWER}


class AnswerEditForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        max_length=services.BODY_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=MARKDOWN_HELP,
    )
    is_wiki = _wiki_field()

    def __init__(self, *args, is_author: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_author:  # only the author marks or unmarks a wiki
            del self.fields["is_wiki"]
            self.fields["body"].label = _("Improve this answer")


class VoteForm(forms.Form):
    """One vote action: up, down (with a reason) or withdraw, on a question or answer.
    The reason is checked by the service, so a missing one is a form error there."""

    question = forms.IntegerField(required=False, widget=forms.HiddenInput)
    answer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    value = forms.ChoiceField(
        choices=[("up", _("Up")), ("down", _("Down")), ("withdraw", _("Withdraw my vote"))]
    )
    reason = forms.ChoiceField(
        label=_("Why?"),
        required=False,
        choices=[("", _("Choose a reason…")), *Vote.Reason.choices],
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("question")) == bool(data.get("answer")):
            raise forms.ValidationError(gettext("Vote on a question or an answer."))
        return data


class CommentForm(forms.Form):
    question = forms.IntegerField(required=False, widget=forms.HiddenInput)
    answer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Comment"),
        max_length=services.COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("question")) == bool(data.get("answer")):
            raise forms.ValidationError(gettext("Comment on a question or on an answer."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.HIDE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why close it?"),
        max_length=services.CLOSE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the question, e.g. “Solved, thank you” or “Duplicate”."),
    )
