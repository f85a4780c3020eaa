"""Brand and product pages, with the trust-weighted score, its "How is this
calculated?" page and the brand trust summary (community/reviews/trust_score.py)."""

import json

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from brand_clubs import selectors
from brand_clubs.selectors.clubs import club_list_for_brand
from brand_clubs.services import is_brand_staff
from community.reputation import rules
from community.reputation.activity import note_items_read
from community.reviews.forms import ReviewFilterForm
from community.reviews.selectors import review_list_for_product, review_of_member_for_product
from community.reviews.trust_score import (
    brand_trust_summary,
    product_weight_breakdown,
    product_weighted_score,
    published_weight_rules,
)

BRANDS_PER_PAGE = 24
REVIEWS_PER_PAGE = 20


def brand_list(request):
    page = Paginator(selectors.brand_list(), BRANDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "brand_clubs/brand_list.html", {"page": page})


def brand_detail(request, slug):
    brand = selectors.brand_get(slug=slug)
    products = selectors.product_list_for_brand(brand=brand)
    page = Paginator(products, BRANDS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "brand": brand,
        "page": page,
        "clubs": club_list_for_brand(brand=brand),
        "trust": brand_trust_summary(brand=brand),
    }
    return render(request, "brand_clubs/brand_detail.html", context)


def _review_filters(request) -> dict:
    form = ReviewFilterForm(request.GET)
    if not form.is_valid():  # a hand-edited URL falls back to the defaults
        form = ReviewFilterForm({})
        form.is_valid()
    data = form.cleaned_data
    return {
        "form": form,
        "sort": data.get("sort") or "newest",
        "stars": data.get("stars"),
        "with_photos": bool(data.get("with_photos")),
        "verified": bool(data.get("verified")),
    }


def product_json_ld(product, reviews) -> str:
    """schema.org Product with its AggregateRating and the reviews shown on the page."""
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": product.description,
        "brand": {"@type": "Brand", "name": product.brand.name},
    }
    if product.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": product.rating_average,
            "reviewCount": product.rating_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    data["review"] = [
        {
            "@type": "Review",
            "name": review.title,
            "reviewBody": review.body,
            "datePublished": review.created_at.date().isoformat(),
            "author": {"@type": "Person", "name": review.author.public_name},
            "reviewRating": {"@type": "Rating", "ratingValue": review.rating, "bestRating": 5},
        }
        for review in reviews
    ]
    # Escape "<" so that no text from members can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def product_detail(request, brand_slug, product_slug):
    product = selectors.product_get(brand_slug=brand_slug, product_slug=product_slug)
    filters = _review_filters(request)
    reviews = review_list_for_product(
        product=product,
        viewer=request.user,
        sort=filters["sort"],
        stars=filters["stars"],
        with_photos=filters["with_photos"],
        verified=filters["verified"],
    )
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    # The reviews shown count as read, except the viewer's own (as in feed.py). This
    # evaluates the page's reviews once; the template and the JSON-LD reuse the result.
    viewer_id = request.user.pk if request.user.is_authenticated else None
    note_items_read(
        request,
        [f"review:{review.pk}" for review in page.object_list if review.author_id != viewer_id],
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "product": product,
        "brand": product.brand,
        "page": page,
        "filter_form": filters["form"],
        "filter_query": query.urlencode(),
        "filtered": any([filters["stars"], filters["with_photos"], filters["verified"]]),
        "own_review": review_of_member_for_product(member=request.user, product=product),
        "can_reply": is_brand_staff(user=request.user, brand=product.brand),
        "clubs": club_list_for_brand(brand=product.brand),
        "json_ld": product_json_ld(product, page.object_list),
        "page_title": _("%(product)s reviews") % {"product": product.name},
        "weighted": product_weighted_score(product=product),
        "weighted_min_reviews": rules.WEIGHTED_MIN_REVIEWS,
    }
    return render(request, "brand_clubs/product_detail.html", context)


def product_weighted(request, brand_slug, product_slug):
    """How is this calculated? The plain and the weighted score, each factor in words,
    and every published review with its factors, heaviest first."""
    product = selectors.product_get(brand_slug=brand_slug, product_slug=product_slug)
    breakdown = product_weight_breakdown(product=product, page=request.GET.get("page"))
    context = {
        "product": product,
        "brand": product.brand,
        "breakdown": breakdown,
        "score": breakdown.score,
        "page": breakdown.page,
        "rules": published_weight_rules(),
        "page_title": _("How the score of %(product)s is calculated") % {"product": product.name},
    }
    return render(request, "brand_clubs/weighted_breakdown.html", context)
