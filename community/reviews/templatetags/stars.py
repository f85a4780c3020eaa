"""{% stars rating %}: the five-star row, built once per rating and language.

It is drawn for every review on a page; as an include with a loop it was a visible
share of the product page's rendering time."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext

register = template.Library()


@lru_cache(maxsize=64)
def _stars_html(rating: int, language: str) -> str:
    label = ngettext("%(counter)s star out of 5", "%(counter)s stars out of 5", rating) % {
        "counter": rating
    }
    icons = "".join(
        f'<span class="star{" on" if position <= rating else ""}" aria-hidden="true">★</span>'
        for position in range(1, 6)
    )
    return format_html(
        '<span class="stars" role="img" aria-label="{}">{}</span>', label, mark_safe(icons)
    )


@register.simple_tag
def stars(rating) -> str:
    try:
        rating = min(max(int(float(rating) + 0.5), 0), 5)  # 4.5 shows 5, as floatformat did
    except (TypeError, ValueError):
        rating = 0
    return _stars_html(rating, get_language() or "")
