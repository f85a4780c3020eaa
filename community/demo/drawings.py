"""Product-like demo pictures drawn by Pillow: a gradient, a category-shaped object and a
label. Nothing drawn here is stored as is: the bytes go through the real upload pipeline
(community.imaging for logos and product images, community.reviews.photos for review
photos), so demo media is verified, stripped of metadata and rendered like any upload.
"""

import functools
import io
import random
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont, ImageOps

from community.imaging import process_image
from community.reviews.photos import PreparedPhoto, photos_prepare

Colours = tuple[tuple[int, int, int], tuple[int, int, int]]

FONT_PATHS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]


def picture_file(
    *, label: str, category: str, colours: Colours, rng: random.Random, size=(800, 600)
) -> ContentFile:
    """A drawing as the medium JPEG rendition of the shared pipeline (no metadata), ready
    for a brand logo or product image field."""
    data = draw_picture(label=label, category=category, colours=colours, rng=rng, size=size)
    return process_image(data, {"medium": 960}).renditions[("medium", "jpeg")].content


def review_photos(
    *, label: str, category: str, colours: Colours, count: int, rng: random.Random
) -> list[PreparedPhoto]:
    """`count` drawings prepared as review photos, exactly as uploaded ones would be."""
    uploads = [
        SimpleUploadedFile(
            f"photo{i}.jpg",
            draw_picture(label=label, category=category, colours=colours, rng=rng),
            content_type="image/jpeg",
        )
        for i in range(count)
    ]
    return photos_prepare(uploads)


@functools.lru_cache(maxsize=16)
def _font(size: int):
    for path in FONT_PATHS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def draw_picture(
    *, label: str, category: str, colours: Colours, rng: random.Random, size=(800, 600)
) -> bytes:
    """A gradient, a category-shaped object and the label, as JPEG bytes."""
    w, h = size
    gradient = Image.linear_gradient("L").resize(size)
    flip = rng.choice([None, Image.Transpose.FLIP_TOP_BOTTOM, Image.Transpose.TRANSPOSE])
    if flip is not None:
        gradient = gradient.transpose(flip).resize(size)
    img = ImageOps.colorize(gradient, colours[0], colours[1]).convert("RGB")
    draw = ImageDraw.Draw(img)
    cx, cy = w // 2 + rng.randint(-60, 60), h // 2 - 30 + rng.randint(-30, 30)
    ink, accent = (25, 25, 30), tuple(min(255, c + 40) for c in colours[1])
    draw.ellipse((cx - 220, cy + 150, cx + 220, cy + 190), fill=(0, 0, 0))  # shadow
    if category == "tyres":
        for radius, fill in ((170, ink), (110, (90, 90, 95)), (60, accent)):
            draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=fill)
        for angle in range(0, 360, 20):
            draw.pieslice(
                (cx - 170, cy - 170, cx + 170, cy + 170), angle, angle + 4, fill=(60, 60, 60)
            )
    elif category == "motorcycles":
        for wx in (cx - 150, cx + 150):
            draw.ellipse((wx - 70, cy + 20, wx + 70, cy + 160), outline=ink, width=18)
        frame = [(cx - 150, cy + 90), (cx - 40, cy - 40), (cx + 90, cy - 40), (cx + 150, cy + 90)]
        draw.polygon(frame, fill=accent, outline=ink)
        draw.rectangle((cx - 60, cy - 70, cx + 60, cy - 40), fill=ink)
    elif category == "coffee-machines":
        draw.rounded_rectangle(
            (cx - 130, cy - 160, cx + 130, cy + 160), 24, fill=accent, outline=ink, width=6
        )
        draw.rectangle((cx - 90, cy - 120, cx + 90, cy - 40), fill=ink)
        draw.rectangle((cx - 30, cy + 60, cx + 30, cy + 120), fill=(250, 250, 245))
    elif category == "phones":
        draw.rounded_rectangle((cx - 90, cy - 180, cx + 90, cy + 180), 30, fill=ink)
        draw.rounded_rectangle((cx - 78, cy - 160, cx + 78, cy + 160), 18, fill=accent)
        draw.ellipse((cx - 8, cy - 175, cx + 8, cy - 165), fill=(80, 80, 80))
    else:  # outdoor gear: a tent below a mountain
        draw.polygon(
            [(cx - 260, cy + 160), (cx - 40, cy - 170), (cx + 200, cy + 160)], fill=(70, 90, 80)
        )
        draw.polygon(
            [(cx - 160, cy + 160), (cx, cy - 40), (cx + 160, cy + 160)], fill=accent, outline=ink
        )
        draw.polygon([(cx - 30, cy + 160), (cx, cy + 60), (cx + 30, cy + 160)], fill=ink)
    font = _font(34)
    box = draw.textbbox((0, 0), label, font=font)
    tx, ty = (w - (box[2] - box[0])) // 2, h - 70
    draw.rectangle((tx - 16, ty - 8, tx + box[2] - box[0] + 16, ty + box[3] - box[1] + 18),
                   fill=(255, 255, 255))  # fmt: skip
    draw.text((tx, ty), label, fill=ink, font=font)
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()
