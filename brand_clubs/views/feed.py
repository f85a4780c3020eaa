"""TEMPORARY development stubs: being replaced by the real views."""

from django.http import Http404


def club_feed(request, **kwargs):
    raise Http404("not built yet")


def comment_delete(request, **kwargs):
    raise Http404("not built yet")


def comment_hide(request, **kwargs):
    raise Http404("not built yet")


def post_delete(request, **kwargs):
    raise Http404("not built yet")


def post_detail(request, **kwargs):
    raise Http404("not built yet")


def post_edit(request, **kwargs):
    raise Http404("not built yet")


def post_hide(request, **kwargs):
    raise Http404("not built yet")


def post_like(request, **kwargs):
    raise Http404("not built yet")


def post_photo(request, **kwargs):
    raise Http404("not built yet")


def post_pin(request, **kwargs):
    raise Http404("not built yet")


def post_restore(request, **kwargs):
    raise Http404("not built yet")
