"""Files that must not be reachable by URL alone: photos of club posts and event albums.

They are written under PRIVATE_MEDIA_ROOT, which no web server serves, and reach a
browser only through a view that checks access first (`private_file_response`). In
production the view answers with an X-Accel-Redirect header (nginx serves the bytes
from an `internal` location) when PRIVATE_MEDIA_ACCEL_PREFIX is set.
"""

import mimetypes
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _


@deconstructible
class PrivateMediaStorage(FileSystemStorage):
    """A file system storage rooted at PRIVATE_MEDIA_ROOT, read at each use so that
    tests can point it elsewhere; it has no public URL."""

    def __init__(self):
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; link to their access-checked view.")


private_storage = PrivateMediaStorage()


def private_file_response(field_file) -> HttpResponse:
    """Serve a private file to a viewer whose access the caller has checked."""
    if not field_file or not field_file.name:
        raise Http404(_("No such file."))
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    accel_prefix = getattr(settings, "PRIVATE_MEDIA_ACCEL_PREFIX", "")
    if accel_prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + field_file.name
    else:
        try:
            handle = field_file.storage.open(field_file.name, "rb")
        except FileNotFoundError:
            raise Http404(_("No such file.")) from None
        response = FileResponse(handle, content_type=content_type)
    # Only the viewer's browser may keep it: a shared cache must never hand it on.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
