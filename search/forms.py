"""The search page's query string, parsed forgivingly.

Whatever a hand-edited or hostile URL holds, the page still renders: a value that does
not parse is dropped and its field falls back to the default, never a form error or a
500. The query text itself is only bounded here; search.query parses (and truncates) it.
"""

from django import forms
from django.forms.utils import ErrorDict
from django.utils.translation import gettext_lazy as _

from search.types import SearchFilters

MAX_Q_CHARS = 10_000
TYPE_CHOICES = [
    ("", _("Everything")),
    ("review", _("Reviews")),
    ("product", _("Products")),
    ("brand", _("Brands")),
    ("club", _("Clubs")),
    ("club_post", _("Club posts")),
    ("event", _("Events")),
    ("page", _("Pages")),
]
SORT_CHOICES = [
    ("relevance", _("Best match")),
    ("newest", _("Newest")),
    ("helpful", _("Most helpful")),
]
LANGUAGE_CHOICES = [("", _("Any language")), ("en", "English"), ("zh", "中文")]
STAR_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]
# The keys of filters (everything that narrows results, not q, sort or page).
FILTER_FIELDS = (
    "type",
    "brand",
    "product",
    "rating_min",
    "rating_max",
    "verified",
    "with_photos",
    "language",
    "date_from",
    "date_to",
)


TRUE_VALUES = frozenset({"1", "on", "true", "yes"})


class FlagInput(forms.CheckboxInput):
    """A checkbox whose only true values are those browsers and links send: anything
    else ("maybe") is off, not on as Django's CheckboxInput would have it."""

    def value_from_datadict(self, data, files, name) -> bool:
        value = data.get(name)
        return isinstance(value, str) and value.strip().lower() in TRUE_VALUES


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(label=_("Show"), required=False, choices=TYPE_CHOICES)
    brand = forms.SlugField(label=_("Brand"), required=False, max_length=100)
    product = forms.IntegerField(
        label=_("Product"), required=False, min_value=1, max_value=2**31 - 1
    )
    rating_min = forms.TypedChoiceField(
        label=_("Stars from"), required=False, choices=STAR_CHOICES, coerce=int, empty_value=None
    )
    rating_max = forms.TypedChoiceField(
        label=_("Stars to"), required=False, choices=STAR_CHOICES, coerce=int, empty_value=None
    )
    verified = forms.BooleanField(
        label=_("Verified purchases only"), required=False, widget=FlagInput
    )
    with_photos = forms.BooleanField(label=_("With photos only"), required=False, widget=FlagInput)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=LANGUAGE_CHOICES)
    date_from = forms.DateField(
        label=_("Written from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Written until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:MAX_Q_CHARS]

    def clean_page(self) -> int:
        return self.cleaned_data["page"] or 1  # the service clamps it to its bounds

    def clean(self):
        data = super().clean()
        low, high = data.get("rating_min"), data.get("rating_max")
        if low and high and low > high:
            data["rating_min"], data["rating_max"] = high, low
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            data["date_from"], data["date_to"] = end, start
        return data

    def full_clean(self):
        """Drop what did not parse instead of reporting it: each bad field gets its
        default, and the widgets no longer show the bad value."""
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        data = self.data.copy()
        for name in self._errors:
            if name in self.fields:
                data.pop(name, None)
                self.cleaned_data[name] = self._default(name)
        self.data = data
        self._errors = ErrorDict()

    def _default(self, name: str):
        return {"q": "", "page": 1, "verified": False, "with_photos": False}.get(name)

    # --- what the view needs -----------------------------------------------------------
    @property
    def query(self) -> str:
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

    @property
    def sort_order(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "relevance"

    @property
    def page_number(self) -> int:
        return (self.cleaned_data.get("page") if self.is_valid() else 1) or 1

    def filters(self) -> SearchFilters:
        if not self.is_valid():
            return SearchFilters()
        data = self.cleaned_data
        return SearchFilters(
            types=(data["type"],) if data.get("type") else (),
            brand=data.get("brand") or None,
            product_id=data.get("product"),
            rating_min=data.get("rating_min"),
            rating_max=data.get("rating_max"),
            verified=True if data.get("verified") else None,
            with_photos=True if data.get("with_photos") else None,
            language=data.get("language") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.get(name) for name in FILTER_FIELDS)

    def params(self, **changes) -> dict[str, str]:
        """The cleaned query string (defaults left out), with `changes` applied; a change
        to None removes the key. Page links and facet links are built from it, so that a
        bad value in the current URL is not carried into the next one."""
        params = {}
        if self.is_valid():
            for name in ("q", *FILTER_FIELDS, "sort"):
                value = self.cleaned_data.get(name)
                if value in (None, "", False) or (name == "sort" and value == "relevance"):
                    continue
                params[name] = "1" if value is True else str(value)
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = str(value)
        return params
