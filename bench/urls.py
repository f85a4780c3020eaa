"""The site's URLs plus a bare view: the baseline the benchmarks divide by."""

from django.http import HttpResponse
from django.urls import path

from community.urls import urlpatterns as site_urlpatterns


def bare_view(request):
    """The cheapest Django response: same server, same middleware, no database, no template."""
    return HttpResponse("ok")


# Before the site's patterns: Wagtail's catch-all comes last there.
urlpatterns = [path("bench/bare/", bare_view), *site_urlpatterns]
