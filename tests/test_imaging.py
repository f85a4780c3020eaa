"""community.imaging: every image is generated here with Pillow; no binary fixtures."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, ImageFile

from community import imaging
from community.imaging import ImageRejected, make_renditions, normalise, open_verified

SIZES = {"thumb": 32, "medium": 64, "large": 128}


def encode(img, fmt, **params):
    buf = io.BytesIO()
    img.save(buf, format=fmt, **params)
    return buf.getvalue()


def photo(size=(200, 150), mode="RGB"):
    """Not a flat colour, so encoders and the truncation check have real data to chew on."""
    img = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40)
    return Image.merge("RGB", (img, noise, img.rotate(90).resize(size))).convert(mode)


def upload(data, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bomb(width, height):
    """A valid 1-bit all-black PNG built row by row, so the test never holds the pixels."""

    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    comp = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(comp.compress(row) for _ in range(height)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def reject_code(data, **kwargs):
    with pytest.raises(ImageRejected) as info:
        open_verified(upload(data, **kwargs))
    assert str(info.value) == str(info.value.message) != ""
    return info.value.code


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_valid_formats_accepted(fmt):
    img = open_verified(upload(encode(photo(), fmt), name="whatever.bin"))
    assert img.format == fmt
    assert img.size == (200, 150)


def test_plain_bytesio_accepted():
    assert open_verified(io.BytesIO(encode(photo(), "PNG"))).size == (200, 150)


def test_text_file_named_jpg_rejected():
    assert reject_code(b"Hello, I am definitely a photo.\n" * 20) == "not_image"


@pytest.mark.parametrize("fmt", ["GIF", "BMP"])
def test_other_formats_rejected_despite_name(fmt):
    assert reject_code(encode(photo(), fmt), name="photo.png") == "format"


def test_truncated_jpeg_rejected():
    data = encode(photo((400, 300)), "JPEG")
    assert reject_code(data[: len(data) // 2]) == "truncated"


def test_truncated_jpeg_rejected_even_if_pillow_was_told_to_allow_it(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = encode(photo((400, 300)), "JPEG")
    assert reject_code(data[: len(data) // 2]) == "truncated"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_truncated_png_rejected():
    data = encode(photo((400, 300)), "PNG")
    assert reject_code(data[: len(data) // 2]) == "truncated"


def test_oversized_upload_rejected_before_decode(settings, monkeypatch):
    settings.IMAGE_MAX_BYTES = 1000
    data = encode(photo(), "PNG")
    assert len(data) > 1000

    def no_decode(*args, **kwargs):
        raise AssertionError("Image.open must not be reached")

    monkeypatch.setattr(imaging.Image, "open", no_decode)
    assert reject_code(data) == "too_large"
    with pytest.raises(ImageRejected) as info:  # No .size: bounded read instead.
        open_verified(io.BytesIO(data))
    assert info.value.code == "too_large"


@pytest.mark.parametrize("side", [20000, 7000], ids=["pillow-guard", "our-40mp-limit"])
def test_decompression_bomb_rejected(side):
    data = png_bomb(side, side)
    assert len(data) < 200_000  # Tiny on disk, up to 400 MP once decoded.
    assert reject_code(data, name="bomb.png") == "too_many_pixels"


def test_pixel_limit_from_settings_checked_before_decode(settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100
    assert reject_code(encode(photo((101, 100)), "PNG")) == "too_many_pixels"
    assert open_verified(upload(encode(photo((100, 100)), "PNG"))).size == (100, 100)


def test_pillow_bomb_warning_becomes_rejection(settings, monkeypatch):
    settings.IMAGE_MAX_PIXELS = 10_000
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)
    assert reject_code(encode(photo((20, 20)), "PNG")) == "too_many_pixels"


def test_exif_orientation_applied():
    img = Image.new("RGB", (40, 20), "blue")
    img.paste((255, 0, 0), (0, 0, 20, 20))  # Left half red.
    exif = Image.Exif()
    exif[0x0112] = 6  # Stored on its side: rotate 90 degrees clockwise to display.
    out = normalise(open_verified(upload(encode(img, "JPEG", exif=exif, quality=95))))
    assert out.size == (20, 40)
    red, _, blue = out.getpixel((10, 5))
    assert red > 200 and blue < 60  # The left half ends up on top.


def test_all_metadata_stripped_from_renditions():
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SnoopCam secret</x:xmpmeta>'
    data = encode(photo((300, 200)), "JPEG", exif=exif, icc_profile=icc, xmp=xmp)
    source = Image.open(io.BytesIO(data))
    assert source.getexif()[0x010F] == "SnoopCam" and source.getexif().get_ifd(0x8825)
    assert "icc_profile" in source.info and "xmp" in source.info

    result = imaging.process_image(upload(data), SIZES)
    assert len(result.renditions) == 6
    for rendition in result.renditions.values():
        raw = rendition.content.read()
        assert b"SnoopCam" not in raw and b"Exif" not in raw
        reopened = Image.open(io.BytesIO(raw))
        assert len(reopened.getexif()) == 0
        assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(reopened.info)


def test_normalise_returns_fresh_image_without_info():
    img = open_verified(upload(encode(photo(), "PNG", pnginfo=None, dpi=(300, 300))))
    assert img.info
    out = normalise(img)
    assert out is not img and out.info == {} and len(out.getexif()) == 0


@pytest.mark.parametrize(
    ("img", "fmt"),
    [
        (Image.new("RGBA", (20, 20), (255, 0, 0, 0)), "PNG"),
        (Image.new("LA", (20, 20), (0, 0)), "PNG"),
        (Image.new("RGBA", (20, 20), (255, 0, 0, 0)), "WEBP"),
    ],
    ids=["rgba-png", "la-png", "rgba-webp"],
)
def test_transparency_composited_on_white(img, fmt):
    img.paste((10, 10, 10, 255) if img.mode == "RGBA" else (10, 255), (0, 0, 10, 20))
    out = normalise(
        open_verified(
            upload(encode(img, fmt, lossless=True) if fmt == "WEBP" else encode(img, fmt))
        )
    )
    assert out.mode == "RGB"
    assert out.getpixel((15, 10)) == (255, 255, 255)
    assert max(out.getpixel((5, 10))) <= 12


def test_palette_with_transparency_composited_on_white():
    img = Image.new("P", (20, 20), 0)
    img.putpalette([0, 0, 0, 0, 200, 0] + [0] * 762)
    img.paste(1, (10, 0, 20, 20))
    out = normalise(open_verified(upload(encode(img, "PNG", transparency=0))))
    assert out.getpixel((5, 5)) == (255, 255, 255)
    assert out.getpixel((15, 5)) == (0, 200, 0)


def test_cmyk_jpeg_converted():
    out = normalise(
        open_verified(upload(encode(Image.new("CMYK", (20, 20), (0, 255, 255, 0)), "JPEG")))
    )
    r, g, b = out.getpixel((10, 10))
    assert out.mode == "RGB" and r > 200 and g < 60 and b < 60


def test_16bit_greyscale_png_scaled_not_clipped():
    img = Image.new("I;16", (20, 20), 32768)
    out = normalise(open_verified(upload(encode(img, "PNG"))))
    assert out.mode == "RGB"
    assert 120 <= out.getpixel((10, 10))[0] <= 136


def test_renditions_never_upscale():
    renditions = make_renditions(normalise(photo((100, 50))), {"large": 1920, "thumb": 40})
    sizes = {r.name: (r.width, r.height) for r in renditions}
    assert sizes == {
        "large.jpg": (100, 50),
        "large.webp": (100, 50),
        "thumb.jpg": (40, 20),
        "thumb.webp": (40, 20),
    }


def test_jpeg_and_webp_renditions_have_right_sizes():
    result = imaging.process_image(upload(encode(photo((800, 600)), "JPEG")), SIZES)
    assert (result.width, result.height) == (800, 600)
    assert set(result.renditions) == {(n, f) for n in SIZES for f in ("jpeg", "webp")}
    for (name, fmt), rendition in result.renditions.items():
        expected = (SIZES[name], SIZES[name] * 3 // 4)
        assert (
            rendition.name == rendition.content.name == f"{name}.{'jpg' if fmt == 'jpeg' else fmt}"
        )
        reopened = Image.open(io.BytesIO(rendition.content.read()))
        assert reopened.format == fmt.upper() == rendition.format
        assert reopened.size == expected == (rendition.width, rendition.height)


def test_process_image_reports_upright_original_size_for_drafted_jpeg():
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(photo((1000, 500)), "JPEG", exif=exif)
    result = imaging.process_image(upload(data), {"small": 100})
    assert (result.width, result.height) == (500, 1000)
    assert (
        result.renditions[("small", "jpeg")].width,
        result.renditions[("small", "jpeg")].height,
    ) == (50, 100)


def test_unknown_rendition_format_is_a_programming_error():
    with pytest.raises(ValueError):
        make_renditions(photo(), {"thumb": 10}, formats=("GIF",))
