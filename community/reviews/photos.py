"""Review photos: the sizes reviews need, on top of the shared pipeline in
community.imaging (verify, bound, orient, strip metadata, re-encode)."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from community.errors import DomainError
from community.imaging import ImageRejected, process_image

REVIEW_PHOTO_SIZES = {"thumb": 320, "medium": 960, "large": 1920}
# The file fields of every photo row (reviews, club posts, event albums, chat).
RENDITION_FIELDS = ("thumb", "thumb_webp", "medium", "medium_webp", "large", "large_webp")


@dataclass(frozen=True)
class PreparedPhoto:
    width: int
    height: int
    files: dict[str, ContentFile]  # ReviewPhoto field name -> re-encoded file


def photo_prepare(uploaded) -> PreparedPhoto:
    processed = process_image(uploaded, REVIEW_PHOTO_SIZES)
    files = {}
    for (size, fmt), rendition in processed.renditions.items():
        field_name = size if fmt == "jpeg" else f"{size}_webp"
        files[field_name] = rendition.content
    return PreparedPhoto(width=processed.width, height=processed.height, files=files)


def photos_prepare(uploads: Sequence) -> list[PreparedPhoto]:
    """Prepare every upload or none: the first bad file names itself and its reason."""
    prepared = []
    for upload in uploads:
        try:
            prepared.append(photo_prepare(upload))
        except ImageRejected as exc:
            name = getattr(upload, "name", "") or _("photo")
            raise DomainError(
                _("%(name)s: %(reason)s") % {"name": name, "reason": exc.message},
                field="photos",
                code=exc.code,
            ) from None
    return prepared


def renditions_write(row, photo: PreparedPhoto) -> list:
    """Write the photo's renditions into the row's file fields (the row is not saved);
    returns the written files, for a caller that must remove them on failure."""
    written = []
    for field_name, content in photo.files.items():
        field_file = getattr(row, field_name)
        field_file.save(content.name, content, save=False)
        written.append(field_file)
    return written


def renditions_delete_on_commit(rows: Sequence) -> None:
    """Remove the rows' rendition files once the transaction commits: a rollback must
    not leave rows pointing at missing files."""
    files = [getattr(row, name) for row in rows for name in RENDITION_FIELDS]

    def delete_files():
        for field_file in files:
            if field_file and field_file.name:
                field_file.storage.delete(field_file.name)

    transaction.on_commit(delete_files)
