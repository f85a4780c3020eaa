"""TEMPORARY development stubs: being replaced by the real views."""

from django.http import Http404


def club_audit(request, **kwargs):
    raise Http404("not built yet")


def club_detail(request, **kwargs):
    raise Http404("not built yet")


def club_invite_revoke(request, **kwargs):
    raise Http404("not built yet")


def club_invites(request, **kwargs):
    raise Http404("not built yet")


def club_join(request, **kwargs):
    raise Http404("not built yet")


def club_leave(request, **kwargs):
    raise Http404("not built yet")


def club_list(request, **kwargs):
    raise Http404("not built yet")


def club_member_action(request, **kwargs):
    raise Http404("not built yet")


def club_members(request, **kwargs):
    raise Http404("not built yet")


def club_requests(request, **kwargs):
    raise Http404("not built yet")


def invite_accept(request, **kwargs):
    raise Http404("not built yet")


def views(request, **kwargs):
    raise Http404("not built yet")


def render_club_home(request, club, *, landing_page=None):
    raise Http404("not built yet")
