"""The one place Goodword touches Pillow: verify uploads, strip them, make renditions.

Uploads are hostile until proven otherwise: the file name and content type are chosen by the
client, so only the bytes are trusted, and only after Pillow has parsed and fully decoded them.
Everything that leaves this module is a fresh image with no metadata, so a member's GPS
position or camera serial never reaches the public site.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import struct
import warnings
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

logger = logging.getLogger(__name__)

pillow_heif.register_heif_opener()

IMAGE_MAX_BYTES = 15 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000
# MPO is how Pillow labels multi-picture JPEGs, which many phones produce.
ALLOWED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF"})

# Pillow's own bomb guard is a second line of defence; never let it be switched off.
if Image.MAX_IMAGE_PIXELS is None:
    Image.MAX_IMAGE_PIXELS = 1024 * 1024 * 1024 // 4 // 3
ImageFile.LOAD_TRUNCATED_IMAGES = False

# What Pillow (and pillow_heif) raise for malformed input besides the documented
# OSError/SyntaxError/ValueError: plugins are not consistent, and none of it may escape.
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    RuntimeError,
)

_SAVE_OPTIONS = {
    "JPEG": ("jpeg", "jpg", {"quality": 85, "progressive": True, "optimize": True}),
    "WEBP": ("webp", "webp", {"quality": 80}),
}


class ImageRejected(Exception):
    """An upload we refuse; `message` is translated and safe to show to the member."""

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


def _limit(name: str, default: int) -> int:
    """Read at call time so settings overrides (and tests) take effect without re-import."""
    if settings.configured:
        return getattr(settings, name, default)
    return default


def _read_bounded(uploaded, max_bytes: int) -> bytes:
    """Refuse oversized uploads from their declared size, and never buffer more than max+1."""
    if isinstance(uploaded, bytes | bytearray):
        uploaded = io.BytesIO(uploaded)
    too_large = ImageRejected(
        _("This image is too large. The limit is %(limit)s MB.")
        % {"limit": round(max_bytes / (1024 * 1024), 1)},
        code="too_large",
    )
    size = getattr(uploaded, "size", None)
    if isinstance(size, int) and size > max_bytes:
        raise too_large
    with contextlib.suppress(AttributeError, OSError, ValueError):
        uploaded.seek(0)  # Not seekable: read from where it is.
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large
    return data


def _not_image() -> ImageRejected:
    return ImageRejected(_("This file is not an image we can read."), code="not_image")


def _broken(exc: BaseException) -> ImageRejected:
    if isinstance(exc, EOFError) or "truncat" in str(exc).lower():
        return ImageRejected(
            _("This image is incomplete. It may not have finished uploading; please try again."),
            code="truncated",
        )
    return ImageRejected(_("This image is damaged and cannot be read."), code="corrupt")


def _too_many_pixels(max_pixels: int) -> ImageRejected:
    return ImageRejected(
        _("This image has too many pixels. The limit is %(limit)s megapixels.")
        % {"limit": round(max_pixels / 1_000_000)},
        code="too_many_pixels",
    )


def open_verified(uploaded, *, max_edge: int | None = None) -> Image.Image:
    """Return a fully decoded image from an untrusted upload, or raise ImageRejected.

    Opening only parses the header, so the pixel count is checked before any decoding: a
    tiny PNG can declare 30000x30000 pixels and decoding it would allocate gigabytes.
    `max_edge` lets JPEGs decode at a reduced DCT scale when only smaller renditions are
    needed; the whole stream is still decoded, so truncation is still caught.
    """
    max_pixels = _limit("IMAGE_MAX_PIXELS", IMAGE_MAX_PIXELS)
    data = _read_bounded(uploaded, _limit("IMAGE_MAX_BYTES", IMAGE_MAX_BYTES))
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        logger.warning("ImageFile.LOAD_TRUNCATED_IMAGES was enabled; turning it off.")
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    # catch_warnings is process-global; at worst a concurrent thread's bomb only warns and is
    # still rejected by our own, stricter pixel check below.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels(max_pixels) from exc
        except Image.UnidentifiedImageError as exc:
            raise _not_image() from exc
        except _DECODE_ERRORS as exc:
            raise _broken(exc) from exc
        if probe.format not in ALLOWED_FORMATS:
            raise ImageRejected(_("Please upload a JPEG, PNG, WebP or HEIC image."), code="format")
        width, height = probe.size
        if width < 1 or height < 1:
            raise _not_image()
        if width * height > max_pixels:
            raise _too_many_pixels(max_pixels)
        try:
            # verify() checks structure (e.g. PNG CRCs) but leaves the handle unusable.
            probe.verify()
            img = Image.open(io.BytesIO(data))
            if max_edge and img.format in ("JPEG", "MPO"):
                scale = min(1.0, max_edge / max(width, height))
                img.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
            img.load()
            # Drafting shrinks img.size; remember the real one (normalise() drops info).
            img.info["goodword_original_size"] = (width, height)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_many_pixels(max_pixels) from exc
        except _DECODE_ERRORS as exc:
            raise _broken(exc) from exc
    return img


def _to_srgb(img: Image.Image, icc: bytes) -> Image.Image:
    """Convert embedded colour profiles (e.g. Display P3 from iPhones) before dropping them."""
    try:
        from PIL import ImageCms

        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        out_mode = "RGBA" if img.mode == "RGBA" else "RGB"
        return ImageCms.profileToProfile(
            img, src, ImageCms.createProfile("sRGB"), outputMode=out_mode
        )
    except Exception:  # Broken or exotic profile: colours slightly off beats a rejection.
        logger.info("Ignoring unusable ICC profile", exc_info=True)
        return img


def normalise(img: Image.Image) -> Image.Image:
    """Upright, 8-bit sRGB-ish RGB pixels in a brand-new image carrying no metadata at all."""
    icc = img.info.get("icc_profile")
    img = ImageOps.exif_transpose(img)
    if icc and img.mode in ("RGB", "RGBA", "CMYK"):
        img = _to_srgb(img, icc)
    if img.mode == "I" or img.mode.startswith("I;16"):
        # 16-bit greyscale: scale down rather than let convert() clip everything to white.
        img = img.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif img.mode in ("L", "RGB") and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "La", "RGBa", "PA"):
        white = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, img.convert("RGBA"))
    if img.mode != "RGB":
        img = img.convert("RGB")
    clean = Image.new("RGB", img.size)
    clean.paste(img)
    return clean


@dataclass(frozen=True)
class Rendition:
    name: str
    content: ContentFile
    width: int
    height: int
    format: str


@dataclass(frozen=True)
class ProcessedImage:
    width: int
    height: int
    renditions: dict[tuple[str, str], Rendition]


def _fit(size: tuple[int, int], edge: int) -> tuple[int, int]:
    w, h = size
    scale = edge / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def make_renditions(
    img: Image.Image, sizes: dict[str, int], *, formats=("JPEG", "WEBP")
) -> list[Rendition]:
    """Resize to each longest edge (never upscaling) and encode with no metadata.

    Sizes are done largest first and a smaller one is resampled from an earlier rendition
    when that is at least twice as big: same quality, a fraction of the work on 12 MP input.
    """
    for fmt in formats:
        if fmt not in _SAVE_OPTIONS:
            raise ValueError(f"Unsupported rendition format: {fmt}")
    renditions: list[Rendition] = []
    resized: list[Image.Image] = []
    for name, edge in sorted(sizes.items(), key=lambda item: -item[1]):
        if max(img.size) <= edge:
            out = img
        else:
            source = next((r for r in reversed(resized) if max(r.size) >= 2 * edge), img)
            out = source.resize(_fit(img.size, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
            resized.append(out)
        for fmt in formats:
            _key, ext, options = _SAVE_OPTIONS[fmt]
            buf = io.BytesIO()
            out.save(buf, format=fmt, exif=b"", **options)
            filename = f"{name}.{ext}"
            renditions.append(
                Rendition(
                    name=filename,
                    content=ContentFile(buf.getvalue(), name=filename),
                    width=out.width,
                    height=out.height,
                    format=fmt,
                )
            )
    return renditions


def process_image(uploaded, sizes: dict[str, int]) -> ProcessedImage:
    """Verify, normalise and render an upload; width/height are of the upright original."""
    img = open_verified(uploaded, max_edge=max(sizes.values()) if sizes else None)
    width, height = img.info.get("goodword_original_size", img.size)
    clean = normalise(img)
    if clean.size != img.size:  # EXIF orientation swapped the axes.
        width, height = height, width
    by_key = {}
    for rendition in make_renditions(clean, sizes):
        size_name = rendition.name.rsplit(".", 1)[0]
        by_key[(size_name, _SAVE_OPTIONS[rendition.format][0])] = rendition
    return ProcessedImage(width=width, height=height, renditions=by_key)
