"""Helpers for the question-and-answer tests: experts in a field, questions asked
through the service (so due times and notifications are real)."""

from experts.models import ExpertProfile
from tests.factories import (
    BrandStaffFactory,
    CertificateFactory,
    MemberFactory,
)


def make_expert(
    *,
    categories=(),
    brands=(),
    tier="independent",
    employer=None,
    response_hours=None,
    accepts_questions=True,
    member=None,
):
    """A member with a current certificate in the given fields and an ExpertProfile
    (as approval leaves them); brand staff also get the BrandStaff row of `employer`."""
    member = member or MemberFactory()
    if tier == "brand_staff" and employer is not None:
        BrandStaffFactory(brand=employer, member=member)
    CertificateFactory(
        member=member,
        tier=tier,
        employer=employer,
        categories=list(categories),
        brands=list(brands),
    )
    changes = {"accepts_questions": accepts_questions}
    if response_hours is not None:
        changes["response_hours"] = response_hours
    ExpertProfile.objects.filter(member=member).update(**changes)
    member.refresh_from_db()
    return member


# --- until experts:credentials exists -------------------------------------------------
# Every byline ({% member_name %}) of an expert links to `experts:credentials`, which
# the certification part of the app provides. While that URL is missing, the page tests
# run on this URLconf: the site's, plus a stand-in for that one name. The fixture
# `credentials_url` switches to it only when the real name does not resolve.


def _stand_in_credentials(request, member_pk):  # pragma: no cover - never requested
    from django.http import HttpResponse

    return HttpResponse(f"credentials of {member_pk}")


def _urlpatterns():
    from django.urls import include, path

    import experts.urls
    from community import urls as site_urls

    experts_patterns = [
        *experts.urls.urlpatterns,
        path("experts/<int:member_pk>/credentials/", _stand_in_credentials, name="credentials"),
    ]
    others = [
        pattern
        for pattern in site_urls.urlpatterns
        if getattr(pattern, "namespace", None) != "experts"
    ]
    return [path("", include((experts_patterns, "experts"))), *others]


def __getattr__(name):
    # Built lazily: importing the site's URLs at collection time would be too early.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def use_credentials_stand_in(settings) -> None:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("experts:credentials", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__
