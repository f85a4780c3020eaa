"""Evidence files of applications and challenges: identified by their bytes, bounded,
re-encoded when they are images, written to private storage.

The name and content type of an upload are chosen by the client, so neither is read:
a PDF is a file that starts with the `%PDF-` header and carries the `%%EOF` marker in
its last kilobytes; anything else must be an image that `community.imaging` accepts,
and is stored as one fresh JPEG (at most 2400 px on its longest edge, no metadata).
Everything else (HTML, executables, archives, truncated files) is refused with a
message on the "evidence" field, before any transaction opens.

Files and rows come and go together: `evidence_atomic` removes the files written
inside it when its transaction rolls back, and `evidence_delete` removes the files of
deleted rows once the deletion commits. Services open `evidence_atomic` as their
outermost transaction (an outer transaction that rolls back later cannot be seen)."""

import contextlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from community.errors import DomainError
from community.imaging import ImageRejected, make_renditions, normalise, open_verified
from experts.models import EvidenceFile

logger = logging.getLogger(__name__)

EVIDENCE_IMAGE_EDGE = 2400
PDF_HEADER = b"%PDF-"
# The PDF specification asks readers to look for %%EOF in the last 1024 bytes; some
# writers append a little more (signatures, padding), so allow a few kilobytes.
PDF_TRAILER_WINDOW = 4096
PDF_MIN_BYTES = 64  # a header, one object and a trailer cannot be shorter
ORIGINAL_NAME_MAX = 200


@dataclass(frozen=True)
class PreparedEvidence:
    kind: str  # EvidenceFile.Kind
    content: bytes
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)


def _max_bytes() -> int:
    return int(getattr(settings, "EXPERT_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def _clean_name(upload) -> str:
    """The uploader's file name, for display only: no folders, no control characters."""
    name = str(getattr(upload, "name", "") or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > ORIGINAL_NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and len(extension) <= 10:
            name = stem[: ORIGINAL_NAME_MAX - len(extension) - 1] + "." + extension
        else:
            name = name[:ORIGINAL_NAME_MAX]
    return name or _("evidence")


def _reject(name: str, reason: str, code: str) -> DomainError:
    return DomainError(
        _("%(name)s: %(reason)s") % {"name": name, "reason": reason},
        field="evidence",
        code=code,
    )


def _read_bounded(upload, name: str) -> bytes:
    limit = _max_bytes()
    too_large = _reject(
        name,
        _("This file is too large. The limit is %(limit)s MB.")
        % {"limit": round(limit / (1024 * 1024), 1)},
        "too_large",
    )
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > limit:
        raise too_large
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    return data


_PDF_VERSION = re.compile(rb"%PDF-[12]\.\d")


def _is_complete_pdf(data: bytes) -> bool:
    return (
        len(data) >= PDF_MIN_BYTES
        and _PDF_VERSION.match(data[:8]) is not None
        and b"%%EOF" in data[-PDF_TRAILER_WINDOW:]
    )


def evidence_prepare_one(upload) -> PreparedEvidence:
    name = _clean_name(upload)
    data = _read_bounded(upload, name)
    if not data:
        raise _reject(name, _("This file is empty."), "empty")
    if data.startswith(PDF_HEADER[:4]):
        if not _is_complete_pdf(data):
            raise _reject(
                name,
                _("This PDF is incomplete or damaged. Please save it again and upload it."),
                "truncated",
            )
        return PreparedEvidence(kind=EvidenceFile.Kind.PDF, content=data, original_name=name)
    try:
        image = normalise(open_verified(io.BytesIO(data), max_edge=EVIDENCE_IMAGE_EDGE))
        (rendition,) = make_renditions(image, {"evidence": EVIDENCE_IMAGE_EDGE}, formats=("JPEG",))
    except ImageRejected as exc:
        if exc.code == "not_image":
            raise _reject(
                name,
                _("Upload a PDF document or an image (JPEG, PNG, WebP or HEIC)."),
                "file_type",
            ) from None
        raise _reject(name, exc.message, exc.code) from None
    return PreparedEvidence(
        kind=EvidenceFile.Kind.IMAGE, content=rendition.content.read(), original_name=name
    )


def evidence_prepare(uploads: Sequence) -> list[PreparedEvidence]:
    """Check and convert every upload, or raise for the first bad one (slow: call it
    before the transaction)."""
    return [evidence_prepare_one(upload) for upload in uploads]


def _delete_names(names: Iterable[str]) -> None:
    storage = EvidenceFile._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # a file that cannot be removed must not hide the real error
            logger.warning("Could not delete evidence file %s", name, exc_info=True)


@contextlib.contextmanager
def evidence_atomic():
    """`transaction.atomic()` whose evidence files (written with `evidence_write(...,
    written=<the yielded list>)`) are removed again if the block fails."""
    written: list[str] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        _delete_names(written)
        raise


def evidence_write(
    *,
    prepared: Sequence[PreparedEvidence],
    uploaded_by,
    written: list[str],
    application=None,
    challenge=None,
) -> list[EvidenceFile]:
    """Create the rows and their files; each stored name is appended to `written`."""
    rows = []
    for item in prepared:
        row = EvidenceFile(
            application=application,
            challenge=challenge,
            uploaded_by=uploaded_by,
            kind=item.kind,
            original_name=item.original_name,
            size=item.size,
        )
        extension = "pdf" if item.kind == EvidenceFile.Kind.PDF else "jpg"
        row.file.save(f"evidence.{extension}", ContentFile(item.content), save=False)
        written.append(row.file.name)
        row.save()
        rows.append(row)
    return rows


def evidence_delete(rows: Iterable[EvidenceFile]) -> int:
    """Delete the rows now and their files once the transaction commits."""
    rows = list(rows)
    names = [row.file.name for row in rows if row.file and row.file.name]
    EvidenceFile.objects.filter(pk__in=[row.pk for row in rows]).delete()
    transaction.on_commit(lambda: _delete_names(names))
    return len(rows)
