"""How much slower is our full upload pipeline than Pillow's bare open + thumbnail?

Ours verifies, fully decodes, strips metadata and writes 3 sizes x 2 formats; the baseline
writes one JPEG. The ratio is the price of safety and renditions on a 12 MP phone photo.
"""

import io
import os
import time

from PIL import Image

SIZES = {"thumb": 320, "medium": 960, "large": 1920}


def _photo_12mp() -> bytes:
    """A 4000x3000 JPEG that compresses like a photo: smooth gradients plus sensor-like noise."""
    size = (4000, 3000)
    noise = Image.effect_noise(size, 24)
    linear = Image.linear_gradient("L").resize(size)
    radial = Image.radial_gradient("L").resize(size)
    base = Image.merge("RGB", (linear, radial, linear.transpose(Image.Transpose.ROTATE_180)))
    img = Image.blend(base, Image.merge("RGB", (noise, radial, noise)), 0.5)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _best(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def bench_ratio_12mp(rounds: int = 5) -> dict:
    """Best-of-`rounds` seconds for process_image vs Pillow open+thumbnail+save, and the ratio."""
    from community.imaging import process_image

    data = _photo_12mp()

    def ours():
        process_image(io.BytesIO(data), SIZES)

    def baseline():
        img = Image.open(io.BytesIO(data))
        img.thumbnail((1920, 1920))
        img.save(io.BytesIO(), "JPEG")

    ours_s = _best(ours, rounds)
    baseline_s = _best(baseline, rounds)
    return {"ours_s": ours_s, "baseline_s": baseline_s, "ratio": ours_s / baseline_s}


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "community.settings")
    django.setup()
    result = bench_ratio_12mp()
    print(
        f"photo processing 12 MP: ours {result['ours_s']:.3f} s, "
        f"Pillow open+thumbnail {result['baseline_s']:.3f} s, ratio {result['ratio']:.2f}x"
    )
