import pytest
from django.utils import translation

from community.reviews.templatetags.stars import stars


@pytest.mark.parametrize(
    ("rating", "on"), [(4, 4), ("4.5", 5), (4.4, 4), (0, 0), (9, 5), (None, 0)]
)
def test_stars_row(rating, on):
    html = stars(rating)
    assert html.count('class="star on"') == on
    assert html.count("★") == 5


def test_stars_label_is_translated():
    with translation.override("zh-hans"):
        assert 'aria-label="4 星（满分 5 星）"' in stars(4)  # noqa: RUF001
    with translation.override("en"):
        assert 'aria-label="1 star out of 5"' in stars(1)
