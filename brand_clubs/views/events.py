"""TEMPORARY development stubs: being replaced by the real views."""

from django.http import Http404


def club_events(request, **kwargs):
    raise Http404("not built yet")


def event_album(request, **kwargs):
    raise Http404("not built yet")


def event_cancel(request, **kwargs):
    raise Http404("not built yet")


def event_checkin(request, **kwargs):
    raise Http404("not built yet")


def event_create(request, **kwargs):
    raise Http404("not built yet")


def event_detail(request, **kwargs):
    raise Http404("not built yet")


def event_edit(request, **kwargs):
    raise Http404("not built yet")


def event_ics(request, **kwargs):
    raise Http404("not built yet")


def event_photo(request, **kwargs):
    raise Http404("not built yet")


def event_reviews(request, **kwargs):
    raise Http404("not built yet")


def event_rsvp(request, **kwargs):
    raise Http404("not built yet")


def event_ticket(request, **kwargs):
    raise Http404("not built yet")


def member_calendar(request, **kwargs):
    raise Http404("not built yet")


def my_events(request, **kwargs):
    raise Http404("not built yet")
