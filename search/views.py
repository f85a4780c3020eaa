"""The search page and the search box's suggestions. Thin: parse the query string with
SearchForm, call search.services, render."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from community.http import wants_json
from search import services
from search.forms import FILTER_FIELDS, SORT_CHOICES, SearchForm

TYPE_LABELS = {
    "review": gettext_lazy("Review"),
    "product": gettext_lazy("Product"),
    "brand": gettext_lazy("Brand"),
    "page": gettext_lazy("Page"),
    "club": gettext_lazy("Club"),
    "club_post": gettext_lazy("Club post"),
    "event": gettext_lazy("Event"),
}


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    count: int | None = None
    active: bool = False


def _url(form: SearchForm, **changes) -> str:
    params = form.params(**changes)
    return "?" + urlencode(params) if params else "?"


def _facet_links(form: SearchForm, facets: dict) -> dict[str, list[Link]]:
    """Each facet value as a link that adds its filter (or removes it when active)."""
    data = form.cleaned_data
    links: dict[str, list[Link]] = {}
    brand = data.get("brand")
    links["brand"] = [
        Link(
            label=facet.label or facet.value,
            count=facet.count,
            active=facet.value == brand,
            url=_url(form, brand=None if facet.value == brand else facet.value, page=None),
        )
        for facet in facets.get("brand", [])
    ]
    exact = data.get("rating_min") if data.get("rating_min") == data.get("rating_max") else None
    rating_links = []
    for facet in facets.get("rating", []):
        try:
            stars = int(facet.value)
        except (TypeError, ValueError):
            continue
        active = stars == exact
        value = None if active else stars
        label = ngettext("%(stars)d star", "%(stars)d stars", stars) % {"stars": stars}
        rating_links.append(
            (
                stars,
                Link(
                    label=label,
                    count=facet.count,
                    active=active,
                    url=_url(form, rating_min=value, rating_max=value, page=None),
                ),
            )
        )
    links["rating"] = [
        link for _stars, link in sorted(rating_links, key=lambda pair: pair[0], reverse=True)
    ]
    return links


def _active_filters(form: SearchForm, facets: dict) -> list[Link]:
    """The filters in force, each with a link that removes it."""
    data = form.cleaned_data
    brand_names = {facet.value: facet.label for facet in facets.get("brand", [])}
    active = []

    def add(label, *names):
        active.append(Link(label=label, url=_url(form, page=None, **dict.fromkeys(names))))

    if data.get("type"):
        add(str(dict(form.fields["type"].choices).get(data["type"], data["type"])), "type")
    if data.get("brand"):
        name = brand_names.get(data["brand"]) or data["brand"]
        add(_("Brand: %(brand)s") % {"brand": name}, "brand")
    if data.get("product"):
        add(_("One product"), "product")
    low, high = data.get("rating_min"), data.get("rating_max")
    if low and low == high:
        label = ngettext("%(stars)d star", "%(stars)d stars", low) % {"stars": low}
        add(label, "rating_min", "rating_max")
    else:
        if low:
            label = ngettext("%(stars)d star or more", "%(stars)d stars or more", low)
            add(label % {"stars": low}, "rating_min")
        if high:
            label = ngettext("%(stars)d star or fewer", "%(stars)d stars or fewer", high)
            add(label % {"stars": high}, "rating_max")
    if data.get("verified"):
        add(_("Verified purchases"), "verified")
    if data.get("with_photos"):
        add(_("With photos"), "with_photos")
    if data.get("language"):
        add(str(dict(form.fields["language"].choices)[data["language"]]), "language")
    if data.get("date_from"):
        add(_("From %(date)s") % {"date": date_format(data["date_from"])}, "date_from")
    if data.get("date_to"):
        add(_("Until %(date)s") % {"date": date_format(data["date_to"])}, "date_to")
    return active


@require_GET
def search_page(request):
    form = SearchForm(request.GET)
    form.is_valid()  # always True: SearchForm drops what does not parse
    query = form.query
    results = services.search(
        query,
        user=request.user,
        filters=form.filters(),
        page=form.page_number,
        sort=form.sort_order,
    )
    if results.total and results.page > results.num_pages:  # past the last page
        results = services.search(
            query,
            user=request.user,
            filters=form.filters(),
            page=results.num_pages,
            sort=form.sort_order,
        )
    searched = results.backend != "none"  # "none": no word to look for
    hits = [(hit, TYPE_LABELS.get(hit.doc_type, hit.doc_type)) for hit in results.hits]
    context = {
        "form": form,
        "query": query,
        "searched": searched,
        "results": results,
        "hits": hits,
        "filtered": form.is_filtered,
        "active_filters": _active_filters(form, results.facets),
        "clear_filters_url": _url(form, page=None, **dict.fromkeys(FILTER_FIELDS)),
        "facets": _facet_links(form, results.facets) if searched else {},
        "sort_links": [
            Link(
                label=str(label),
                url=_url(form, sort=value, page=None),
                active=value == form.sort_order,
            )
            for value, label in SORT_CHOICES
        ],
        "previous_url": _url(form, page=results.page - 1) if results.has_previous else "",
        "next_url": _url(form, page=results.page + 1) if results.has_next else "",
        "page_title": (_("Search: %(query)s") % {"query": query[:80]}) if query else _("Search"),
    }
    return render(request, "search/search.html", context)


@require_GET
def autocomplete(request):
    """Suggestions for the search box: an htmx fragment, or JSON when asked for."""
    suggestions = services.autocomplete(request.GET.get("q", "")[:200], user=request.user)
    if wants_json(request):
        response = JsonResponse(
            {
                "suggestions": [
                    {"label": s.label, "url": s.url, "type": s.doc_type} for s in suggestions
                ]
            }
        )
    else:
        labelled = [(s, TYPE_LABELS.get(s.doc_type, s.doc_type)) for s in suggestions]
        response = render(request, "search/_autocomplete.html", {"suggestions": labelled})
    patch_vary_headers(response, ["Accept"])
    return response
