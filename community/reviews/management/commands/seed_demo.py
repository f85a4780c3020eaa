# Chinese templates use full-width punctuation on purpose.
# ruff: noqa: RUF001
"""Demo data: brands, products, members and N reviews in Chinese and English.

    manage.py seed_demo [--reviews N] [--quiet] [--seed S]

Idempotent: fixed objects are found by slug or e-mail, and reviews are only added up to N
(demo reviews are those written by member{n}@goodword.example). Fast: reviews, purchase
codes, helpful votes and brand replies are bulk-inserted in batches, Markdown is rendered
once per paragraph, and each product's rating summary is recounted once at the end with
reviews.services.product_rating_recount, so it always equals a full recount.

Demo accounts: admin@goodword.example / goodword-admin (superuser),
demo@goodword.example / goodword-demo, staff@goodword.example / goodword-staff
(admin of the first brand).
"""

import functools
import io
import random
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont, ImageOps
from tqdm import tqdm

from brand_clubs.models import Brand, BrandStaff, Category, Product
from community.imaging import process_image
from community.members.models import Member
from community.reviews.models import (
    BrandReply,
    HelpfulVote,
    PurchaseCode,
    Review,
    ReviewPhoto,
)
from community.reviews.photos import photos_prepare
from community.reviews.services import PURCHASE_CODE_ALPHABET, product_rating_recount
from community.text import render_markdown

DOMAIN = "goodword.example"
BATCH_SIZE = 2_000
DEMO_ACCOUNTS = [
    # email, password, display name, language, is_staff/is_superuser
    (f"admin@{DOMAIN}", "goodword-admin", "Goodword admin", "en", True),
    (f"demo@{DOMAIN}", "goodword-demo", "Demo member 演示用户", "en", False),
    (f"staff@{DOMAIN}", "goodword-staff", "RoadGrip team", "en", False),
]

CATEGORIES = [
    ("tyres", "Tyres"),
    ("motorcycles", "Motorcycles"),
    ("coffee-machines", "Coffee machines"),
    ("phones", "Phones"),
    ("outdoor-gear", "Outdoor gear"),
]

# slug, name, category slug, description, colours, [(product slug, product name)]
BRANDS = [
    ("roadgrip", "RoadGrip", "tyres", "Tyres for wet roads and long motorways.",
     ((30, 30, 40), (240, 180, 40)),
     [("sport-5", "RoadGrip Sport 5"), ("all-season-4", "RoadGrip All-Season 4"),
      ("winter-ice", "RoadGrip Winter Ice"), ("trail-at", "RoadGrip Trail AT"),
      ("city-eco", "RoadGrip City Eco")]),
    ("longteng-moto", "龙腾摩托", "motorcycles", "龙腾摩托：为城市与远方而造的摩托车。",
     ((150, 20, 30), (250, 220, 200)),
     [("r6", "龙腾 R6 跑车"), ("cruiser-500", "龙腾 巡航者 500"), ("x250", "龙腾 越野 X250"),
      ("e1", "龙腾 电动 E1"), ("c400", "龙腾 复古 C400")]),
    ("brewmaster", "Brewmaster", "coffee-machines", "Espresso machines and grinders at home.",
     ((60, 35, 20), (230, 200, 160)),
     [("espresso-pro", "Brewmaster Espresso Pro"), ("barista-mini", "Brewmaster Barista Mini"),
      ("drip-12", "Brewmaster Drip 12"), ("cold-brew-tower", "Brewmaster Cold Brew Tower"),
      ("grinder-g2", "Brewmaster Grinder G2")]),
    ("xingyun", "星云手机", "phones", "星云手机：好屏幕、长续航、好拍照。",
     ((20, 20, 80), (120, 200, 255)),
     [("x10", "星云 X10"), ("x10-pro", "星云 X10 Pro"), ("lite-5", "星云 Lite 5"),
      ("fold", "星云 Fold"), ("note-8", "星云 Note 8")]),
    ("summit-trail", "Summit Trail", "outdoor-gear", "Light, tough gear for long days outside.",
     ((20, 70, 40), (200, 230, 170)),
     [("tent-2p", "Summit Trail 2P Tent"), ("backpack-45", "Summit Trail 45L Backpack"),
      ("down-jacket", "Summit Trail Down Jacket"), ("poles", "Summit Trail Trekking Poles"),
      ("sleeping-bag", "Summit Trail Sleeping Bag -10")]),
    ("qingshan", "青山户外", "outdoor-gear", "青山户外：专业登山徒步装备。",
     ((10, 90, 100), (220, 240, 230)),
     [("jacket-pro", "青山 冲锋衣 Pro"), ("boots-gtx", "青山 登山鞋 GTX"),
      ("sleeping-bag-5", "青山 睡袋 -5°C"), ("tent-3p", "青山 三人帐篷"),
      ("headlamp", "青山 头灯 H300")]),
]  # fmt: skip

# --- review text: sentence templates by language, sentiment and category -------------

TITLES = {
    ("en", "pos"): ["Exactly what I hoped for", "Worth every penny", "Still happy after months",
                    "Would buy again", "Impressive quality", "Best purchase this year"],
    ("en", "mix"): ["Good, not great", "Decent, with a few caveats", "Fine for the price",
                    "Some hits, some misses"],
    ("en", "neg"): ["Disappointing", "Not worth the money", "Expected much more",
                    "Problems from day one"],
    ("zh", "pos"): ["非常满意", "物超所值", "用了三个月依然好用", "会回购", "品质超出预期",
                    "今年最值的一次购物"],
    ("zh", "mix"): ["还行，但不惊艳", "中规中矩", "有优点也有不足", "这个价位够用"],
    ("zh", "neg"): ["挺失望的", "不值这个价", "和预期差太多", "一开始就有问题"],
}  # fmt: skip
OPENINGS = {
    ("en", "pos"): ["I have been using the {product} for about three months now.",
                    "Bought the {product} after reading reviews here, and I am glad I did.",
                    "Short version: the {product} is excellent.",
                    "This is my second product from {brand} and it did not disappoint.",
                    "I replaced a much more expensive model with the {product}."],
    ("en", "mix"): ["The {product} is fine, but not the upgrade I hoped for.",
                    "Mixed feelings about the {product} after two months.",
                    "Some things about the {product} are great, others less so."],
    ("en", "neg"): ["I really wanted to like the {product}.",
                    "Disappointed with the {product}, to be honest.",
                    "The {product} did not live up to the marketing."],
    ("zh", "pos"): ["{product}已经用了大概三个月了。", "看了这里的评价才入手{product}，很庆幸。",
                    "一句话总结：{product}非常好。", "这是我买的第二件{brand}的产品，没有失望。",
                    "用{product}替换了一台贵很多的型号。"],
    ("zh", "mix"): ["{product}还行，但没有我期待的那么大提升。",
                    "用了两个月，对{product}感受比较复杂。",
                    "{product}有些地方很好，有些地方一般。"],
    ("zh", "neg"): ["本来很想喜欢{product}的。", "说实话，对{product}挺失望的。",
                    "{product}和宣传的差距不小。"],
}  # fmt: skip
CLOSINGS = {
    ("en", "pos"): ["Would buy again and recommend it to friends.", "**Recommended.**",
                    "Five stars from me, no hesitation.", "Great value for the price."],
    ("en", "mix"): ["Worth it on sale; at full price, think twice.",
                    "Good enough, but look at the alternatives too."],
    ("en", "neg"): ["I am returning mine.", "Cannot recommend it at this price.",
                    "I hope {brand} fixes this in the next version."],
    ("zh", "pos"): ["会回购，也会推荐给朋友。", "**推荐！**", "毫不犹豫给五星。", "性价比很高。"],
    ("zh", "mix"): ["打折时值得入手，原价的话再考虑一下。", "够用，但也可以看看其他选择。"],
    ("zh", "neg"): ["已经申请退货了。", "这个价格不推荐。", "希望{brand}下一代能改进。"],
}  # fmt: skip
PROS = {
    ("en", "tyres"): ["Grip in the wet is excellent; braking on rainy roundabouts feels planted.",
                      "Road noise is noticeably lower than my old set, even at motorway speed.",
                      "Wear looks even after 12,000 km, with plenty of tread left.",
                      "Steering feels precise and the car turns in sharply.",
                      "Fuel consumption dropped a little, which I did not expect."],
    ("en", "motorcycles"): ["The engine pulls smoothly from low revs and the gearbox is slick.",
                            "The seat is comfortable enough for two hours without a stop.",
                            "Brakes are strong and progressive, with good feel at the lever.",
                            "Handling is light and it is easy to filter through city traffic.",
                            "Fit and finish is better than I expected at this price."],
    ("en", "coffee-machines"): ["The espresso has a thick crema and tastes balanced.",
                                "It heats up in under a minute, so my morning routine is quicker.",
                                "The steam wand makes silky milk for flat whites.",
                                "Cleaning is simple: the drip tray and brew group come out easily.",
                                "It is much quieter than my previous machine."],
    ("en", "phones"): ["The battery easily lasts a full day of heavy use, often a day and a half.",
                       "The screen is bright and readable in direct sunlight.",
                       "The main camera takes sharp photos, even in dim restaurants.",
                       "It feels fast; apps open instantly and games run smoothly.",
                       "Charging from 0 to 80% takes about half an hour."],
    ("en", "outdoor-gear"): ["It kept me dry through a full day of rain on the ridge.",
                             "Light enough that I barely notice it on long hikes.",
                             "The zips and seams still feel solid after a season of use.",
                             "It packs down small and fits easily in my bag.",
                             "Warm enough for nights just below freezing."],
    ("zh", "tyres"): ["雨天抓地力很强，下雨天过环岛也很稳。",
                      "胎噪比原来那套小很多，高速上也很安静。",
                      "跑了一万两千公里，磨损很均匀，花纹还很深。", "转向很精准，入弯干脆。",
                      "油耗还略微降低了，算是意外之喜。"],
    ("zh", "motorcycles"): ["低转扭矩充足，加速顺畅，换挡也很利落。",
                            "座椅舒适，连续骑两个小时也不累。",
                            "刹车有力而且线性，手感很好。", "操控轻巧，在城市里穿行很方便。",
                            "做工比这个价位预期的好。"],
    ("zh", "coffee-machines"): ["萃取出来的油脂很厚，调好研磨度后味道很平衡。",
                                "一分钟内就能预热好，早上省了不少时间。",
                                "蒸汽棒打出来的奶泡很细腻，做澳白很合适。",
                                "清洁很方便，滴水盘和冲泡组件都能轻松拆下。",
                                "比我之前那台安静多了。"],
    ("zh", "phones"): ["重度使用也能撑一整天，经常能用一天半。", "屏幕亮度高，阳光下也看得清。",
                       "主摄成像清晰，餐厅弱光下也不错。", "运行流畅，应用秒开，打游戏不卡。",
                       "半小时左右就能从零充到百分之八十。"],
    ("zh", "outdoor-gear"): ["在山脊上淋了一整天雨，里面还是干的。",
                             "重量很轻，长线徒步几乎感觉不到。",
                             "用了一个季节，拉链和压胶都很结实。", "收纳体积小，背包里很好塞。",
                             "零下几度的夜里也够暖和。"],
}  # fmt: skip
CONS = {
    ("en", "tyres"): ["They were noisy from the start, a constant hum above 90 km/h.",
                      "Wet grip is only average; the ABS kicks in earlier than I would like.",
                      "The sidewalls feel soft, so the car wallows in fast corners.",
                      "Wear is faster than promised: the fronts are half gone after 8,000 km."],
    ("en", "motorcycles"): ["Vibration through the bars gets tiring above 100 km/h.",
                            "The stock suspension is too soft for riding two-up.",
                            "Dealer service was slow; the first service took three weeks to book.",
                            "Fuel range is short; I stop for petrol every 200 km."],
    ("en", "coffee-machines"): ["The water tank is small and needs refilling every other day.",
                                "The plastic parts feel cheap next to the price.",
                                "The pump is loud enough to wake the house.",
                                "Temperature drifts after a few shots in a row."],
    ("en", "phones"): ["It gets warm during long video calls.",
                       "The ultra-wide camera is soft at the edges.",
                       "Too many preinstalled apps that cannot be removed.",
                       "It is heavy and slippery without a case."],
    ("en", "outdoor-gear"): ["Sizing runs small; order one size up.",
                             "Breathability is limited, so I sweat on steep climbs.",
                             "One buckle cracked after a few months.",
                             "The included stuff sack is far too tight."],
    ("zh", "tyres"): ["从一开始就有明显胎噪，时速九十以上一直嗡嗡响。",
                      "湿地抓地一般，ABS介入得比预期早。",
                      "胎侧偏软，快速过弯时车身晃得厉害。",
                      "磨损比宣传的快，前轮跑了八千公里就磨掉一半。"],
    ("zh", "motorcycles"): ["时速过百以后车把震动明显，骑久了手麻。",
                            "原厂避震偏软，带人的时候不够用。",
                            "售后响应慢，首保排了三个星期。", "续航偏短，差不多两百公里就得加油。"],
    ("zh", "coffee-machines"): ["水箱偏小，隔一天就要加水。", "塑料件的质感和价格不太匹配。",
                                "泵的声音很大，早上会吵醒家人。", "连续做几杯之后温度不太稳定。"],
    ("zh", "phones"): ["长时间视频通话会发热。", "超广角边缘画质偏软。", "预装软件太多，还删不掉。",
                       "机身偏重，不戴壳很容易滑。"],
    ("zh", "outdoor-gear"): ["尺码偏小，建议买大一码。", "透气性一般，爬陡坡时容易闷汗。",
                             "用了几个月有个卡扣裂了。", "附带的收纳袋太紧，很难塞进去。"],
}  # fmt: skip
LABELS = {
    "en": ("**Downside:** ", "**To be fair:** ", " "),
    "zh": ("**缺点：**", "**说句公道话：**", ""),
}
REPLIES = {
    ("en", "pos"): ["Thank you! We are glad you enjoy the {product}.",
                    "Thanks for the kind words. Enjoy your {product}!"],
    ("en", "neg"): ["Thank you for reviewing the {product}. We are sorry it did not meet your "
                    "expectations; our support team will contact you to make it right.",
                    "Thanks for the detailed feedback. We have shared it with our product team."],
    ("zh", "pos"): ["谢谢支持！很高兴您喜欢{product}。", "感谢您的好评，祝您使用愉快！"],
    ("zh", "neg"): ["感谢您对{product}的评价。很抱歉没有达到您的期望，我们的客服会尽快联系您处理。",
                    "感谢详细的反馈！我们已经转给产品团队。"],
}  # fmt: skip
ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐"
ZH_GIVEN = ["小明", "晓燕", "伟", "芳", "静", "磊", "洋", "婷", "杰", "欣怡", "子涵", "浩然",
            "雨桐", "俊杰", "思远", "佳怡", "一鸣", "梓萱"]  # fmt: skip
ZH_NICKS = ["咖啡控", "骑行爱好者", "户外老驴", "数码达人", "周末车手", "山野行者", "早起的猫"]
EN_FIRST = ["Alex", "Sam", "Jordan", "Taylor", "Chris", "Emma", "Olivia", "Liam", "Noah", "Mia",
            "Lucas", "Sophie", "Daniel", "Grace", "Ethan", "Chloe", "Ryan", "Hannah", "Ben",
            "Zoe"]  # fmt: skip
EN_LAST = ["Smith", "Chen", "Brown", "Wilson", "Taylor", "Nguyen", "Garcia", "Miller", "Walker",
           "Kim", "Patel", "Murphy", "Lee", "Clarke", "Evans"]  # fmt: skip
EN_HANDLES = ["rides", "brews", "hikes", "tech", "outdoors", "on_the_road"]
# Stars 1..5 by a product's (hidden) quality: J-shaped, like real review sites.
RATING_WEIGHTS = [(4, 3, 8, 25, 60), (7, 6, 12, 30, 45), (15, 12, 20, 28, 25)]
FONT_PATHS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]


def _sentiment(rating: int) -> str:
    return "pos" if rating >= 4 else "mix" if rating == 3 else "neg"


def _member_email(n: int) -> str:
    return f"member{n}@{DOMAIN}"


def _member_profile(n: int) -> tuple[str, str]:
    """(display name, language) of demo member n; the same on every run."""
    rng = random.Random(f"member-{n}")
    if rng.random() < 0.5:
        if rng.random() < 0.75:
            return rng.choice(ZH_SURNAMES) + rng.choice(ZH_GIVEN), "zh"
        return f"{rng.choice(ZH_NICKS)}{rng.choice(ZH_SURNAMES)}{rng.randint(1, 99)}", "zh"
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    roll = rng.random()
    if roll < 0.6:
        return f"{first} {last}", "en"
    if roll < 0.85:
        return f"{first} {last[0]}.", "en"
    return f"{first.lower()}_{rng.choice(EN_HANDLES)}", "en"


def _demo_reviews():
    return Review.objects.filter(
        author__email__startswith="member", author__email__endswith=f"@{DOMAIN}"
    ).exclude(status=Review.Status.DELETED)


@contextmanager
def _given_timestamps(*models):
    """Let bulk_create keep the created_at we set (auto_now_add would overwrite it)."""
    fields = [model._meta.get_field("created_at") for model in models]
    saved = [f.auto_now_add for f in fields]
    try:
        for f in fields:
            f.auto_now_add = False
        yield
    finally:
        for f, value in zip(fields, saved, strict=True):
            f.auto_now_add = value


# --- drawings: product-like pictures made by Pillow, sent through the real pipeline ----


@functools.lru_cache(maxsize=16)
def _font(size: int):
    for path in FONT_PATHS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def _draw(*, label: str, category: str, colours, rng: random.Random, size=(800, 600)) -> bytes:
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


def _medium_jpeg(data: bytes):
    """The medium JPEG rendition of an image, via the shared pipeline (no metadata)."""
    return process_image(data, {"medium": 960}).renditions[("medium", "jpeg")].content


def _encode_code(number: int, width: int = 10) -> str:
    digits = []
    for _i in range(width):
        number, rest = divmod(number, len(PURCHASE_CODE_ALPHABET))
        digits.append(PURCHASE_CODE_ALPHABET[rest])
    return "".join(reversed(digits))


# --- the plan: which reviews to add, decided before anything is written -----------------


@dataclass
class Planned:
    product: Product
    author_id: int
    rating: int
    language: str
    title: str
    body: str
    body_html: str
    created_at: object
    verified: bool
    voters: list[int]
    reply: tuple[int, str, str] | None  # (author id, body, html)
    photos: int
    review: Review | None = field(default=None)


class Writer:
    """Composes review texts from the templates, rendering each paragraph once."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._html: dict[str, str] = {}

    def html(self, paragraphs: list[str]) -> str:
        out = []
        for paragraph in paragraphs:
            html = self._html.get(paragraph)
            if html is None:
                html = self._html[paragraph] = render_markdown(paragraph)
            out.append(html)
        return "".join(out)

    def review(self, *, product: Product, category: str, rating: int, lang: str):
        rng, mood = self.rng, _sentiment(rating)
        names = {"product": product.name, "brand": product.brand.name}
        pros, cons = PROS[(lang, category)], CONS[(lang, category)]
        downside, fair, join = LABELS[lang]
        paragraphs = [rng.choice(OPENINGS[(lang, mood)]).format(**names)]
        if mood == "pos":
            good = rng.sample(pros, 2)
            paragraphs.append(
                "\n".join(f"- {s}" for s in good) if rng.random() < 0.2 else join.join(good)
            )
            if rng.random() < 0.3:
                paragraphs.append(downside + rng.choice(cons))
        elif mood == "mix":
            paragraphs.append(join.join([rng.choice(pros), rng.choice(cons)]))
        else:
            paragraphs.append(join.join(rng.sample(cons, 2)))
            if rng.random() < 0.4:
                paragraphs.append(fair + rng.choice(pros))
        if rng.random() < 0.7:
            paragraphs.append(rng.choice(CLOSINGS[(lang, mood)]).format(**names))
        title = rng.choice(TITLES[(lang, mood)])
        return title, "\n\n".join(paragraphs), self.html(paragraphs)

    def reply(self, *, product: Product, rating: int, lang: str) -> tuple[str, str]:
        mood = "pos" if rating >= 4 else "neg"
        body = self.rng.choice(REPLIES[(lang, mood)]).format(product=product.name)
        return body, self.html([body])


def _allocate(need: int, weights: list[float], caps: list[int]) -> list[int]:
    """Split `need` reviews over products by weight without exceeding any capacity."""
    alloc = [0] * len(weights)
    remaining = need
    for _round in range(10 * len(weights) + 10):
        active = [i for i in range(len(weights)) if alloc[i] < caps[i]]
        if remaining <= 0 or not active:
            break
        total = sum(weights[i] for i in active)
        shares = {i: min(caps[i] - alloc[i], int(remaining * weights[i] / total)) for i in active}
        if not any(shares.values()):  # fewer left than products: one each, heaviest first
            for i in sorted(active, key=lambda i: -weights[i])[:remaining]:
                shares[i] = 1
        for i, share in shares.items():
            alloc[i] += share
            remaining -= share
    if remaining:
        raise CommandError(f"Could not place {remaining} reviews; add members or products.")
    return alloc


class Command(BaseCommand):
    help = "Create demo brands, products, members and reviews (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--reviews", type=int, default=300, help="demo reviews wanted")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument("--seed", type=int, default=2025, help="random seed")

    def handle(self, *args, reviews: int, quiet: bool, seed: int, **options):
        if reviews < 0:
            raise CommandError("--reviews must be 0 or more.")
        started = time.perf_counter()
        self.quiet = quiet
        rng = random.Random(seed)
        with transaction.atomic():
            self.accounts = self._accounts()
            categories = self._categories()
            brands, products, staff = self._brands(categories)
        self._images(brands, products, rng=random.Random(seed + 1))
        members = self._members(max(200, reviews // 20 + 1))
        created = self._reviews(
            target=reviews, products=products, members=members, staff=staff, rng=rng
        )
        for product in products:
            product_rating_recount(product=product)
        if options.get("verbosity", 1) >= 1:
            demo = _demo_reviews()
            self.stdout.write(
                f"seed_demo: {len(brands)} brands, {len(products)} products, "
                f"{len(members)} demo members, {demo.count()} demo reviews "
                f"({created} new; {demo.filter(verified_purchase=True).count()} verified, "
                f"{demo.filter(photo_count__gt=0).count()} with photos, "
                f"{BrandReply.objects.filter(review__in=demo).count()} brand replies) "
                f"in {time.perf_counter() - started:.1f} s"
            )

    # --- fixed objects ------------------------------------------------------------------

    def _accounts(self) -> dict[str, Member]:
        accounts = {}
        for email, password, name, lang, is_admin in DEMO_ACCOUNTS:
            member, created = Member.objects.get_or_create(
                email=email,
                defaults={"display_name": name, "preferred_language": lang, "is_active": True},
            )
            if created or not member.has_usable_password():
                member.set_password(password)
            member.is_staff = member.is_superuser = is_admin
            member.save()
            accounts[email.split("@")[0]] = member
        return accounts

    def _categories(self) -> dict[str, Category]:
        return {
            slug: Category.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in CATEGORIES
        }

    def _brands(self, categories):
        brands, products, staff = [], [], {}
        for index, (slug, name, category, description, _colours, items) in enumerate(BRANDS):
            brand, _created = Brand.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description, "verified": True}
            )
            brands.append(brand)
            if index == 0:
                member, role = self.accounts["staff"], BrandStaff.Role.ADMIN
            else:  # each other brand gets a team account (no password) to sign its replies
                member, _created = Member.objects.get_or_create(
                    email=f"{slug}-team@{DOMAIN}",
                    defaults={"display_name": f"{name} team", "password": make_password(None)},
                )
                role = BrandStaff.Role.STAFF
            BrandStaff.objects.get_or_create(brand=brand, member=member, defaults={"role": role})
            staff[brand.pk] = member.pk
            for product_slug, product_name in items:
                product, _created = Product.objects.get_or_create(
                    brand=brand,
                    slug=product_slug,
                    defaults={
                        "name": product_name,
                        "category": categories[category],
                        "description": f"{product_name} · {brand.name}",
                    },
                )
                product.category_slug = category
                products.append(product)
        return brands, products, staff

    def _images(self, brands, products, *, rng: random.Random) -> None:
        """Logos and product pictures, only where missing (their files too)."""
        spec = {slug: (category, colours) for slug, _n, category, _d, colours, _i in BRANDS}
        for brand in brands:
            if brand.logo and brand.logo.storage.exists(brand.logo.name):
                continue
            category, colours = spec[brand.slug]
            data = _draw(
                label=brand.name, category=category, colours=colours, rng=rng, size=(400, 400)
            )
            brand.logo.save(f"{brand.slug}.jpg", _medium_jpeg(data), save=False)
            Brand.objects.filter(pk=brand.pk).update(logo=brand.logo.name)
        for product in products:
            if product.image and product.image.storage.exists(product.image.name):
                continue
            _category, colours = spec[product.brand.slug]
            data = _draw(
                label=product.name, category=product.category_slug, colours=colours, rng=rng
            )
            product.image.save(f"{product.slug}.jpg", _medium_jpeg(data), save=False)
            Product.objects.filter(pk=product.pk).update(image=product.image.name)

    def _members(self, count: int) -> list[int]:
        """Primary keys of demo members 1..count, creating the missing ones."""
        existing = dict(
            Member.objects.filter(email__startswith="member", email__endswith=f"@{DOMAIN}")
            .values_list("email", "pk")
        )  # fmt: skip
        missing = []
        for n in range(1, count + 1):
            if _member_email(n) not in existing:
                name, lang = _member_profile(n)
                missing.append(
                    Member(
                        email=_member_email(n),
                        display_name=name,
                        preferred_language="zh-hans" if lang == "zh" else "en",
                        password=make_password(None),
                    )
                )
        with transaction.atomic():
            Member.objects.bulk_create(missing, batch_size=BATCH_SIZE)
        if missing:
            existing = dict(
                Member.objects.filter(email__startswith="member", email__endswith=f"@{DOMAIN}")
                .values_list("email", "pk")
            )  # fmt: skip
        return [existing[_member_email(n)] for n in range(1, count + 1)]

    # --- reviews ------------------------------------------------------------------------

    def _reviews(self, *, target, products, members, staff, rng: random.Random) -> int:
        have = _demo_reviews().count()
        need = target - have
        if need <= 0:
            return 0
        taken = set(_demo_reviews().values_list("author_id", "product_id"))
        # Popularity: a few products collect most reviews, as on any real site.
        order = list(range(len(products)))
        rng.shuffle(order)
        weights = [0.0] * len(products)
        for rank, index in enumerate(order):
            weights[index] = 1 / (rank + 1) ** 0.9
        available = [[m for m in members if (m, p.pk) not in taken] for p in products]
        alloc = _allocate(need, weights, [len(a) for a in available])
        quality = [rng.choice(RATING_WEIGHTS) for _p in products]
        pairs = [
            (index, author)
            for index, count in enumerate(alloc)
            for author in rng.sample(available[index], count)
        ]
        rng.shuffle(pairs)
        photo_target = min(30, target // 10) - _demo_reviews().filter(photo_count__gt=0).count()
        with_photos = set(rng.sample(range(len(pairs)), max(0, min(photo_target, len(pairs)))))

        writer, now = Writer(rng), timezone.now()
        languages = {pk: _member_profile(n)[1] for n, pk in enumerate(members, start=1)}
        progress = tqdm(
            total=need,
            unit="review",
            disable=self.quiet or need < 1000,
            file=sys.stderr,
            mininterval=0.5 if sys.stderr.isatty() else 10,
        )
        try:
            for start in range(0, len(pairs), BATCH_SIZE):
                batch = []
                for offset, (index, author) in enumerate(pairs[start : start + BATCH_SIZE]):
                    product = products[index]
                    batch.append(
                        self._plan(
                            product=product,
                            author=author,
                            quality=quality[index],
                            language=languages[author],
                            members=members,
                            reply_author=staff[product.brand_id],
                            photos=start + offset in with_photos,
                            writer=writer,
                            now=now,
                            rng=rng,
                        )
                    )
                self._write(batch, now=now, rng=rng)
                progress.update(len(batch))
        finally:
            progress.close()
        return len(pairs)

    def _plan(self, *, product, author, quality, language, members, reply_author, photos,
              writer, now, rng) -> Planned:  # fmt: skip
        rating = rng.choices((1, 2, 3, 4, 5), weights=quality)[0]
        if rng.random() < 0.1:  # most members write in their language; some switch
            language = "en" if language == "zh" else "zh"
        title, body, body_html = writer.review(
            product=product, category=product.category_slug, rating=rating, lang=language
        )
        # Recent months are busier; nothing older than two years.
        created_at = now - timedelta(seconds=int(730 * 86400 * rng.random() ** 1.7) + 60)
        helpful = min(60, int(rng.paretovariate(1.6)) - 1 + (rating <= 2 and rng.random() < 0.3))
        voters = [m for m in rng.sample(members, min(len(members), helpful + 1)) if m != author]
        reply = None
        if rng.random() < {1: 0.15, 2: 0.12, 3: 0.05}.get(rating, 0.02):
            reply = (reply_author, *writer.reply(product=product, rating=rating, lang=language))
        return Planned(
            product=product,
            author_id=author,
            rating=rating,
            language=language,
            title=title,
            body=body,
            body_html=body_html,
            created_at=created_at,
            verified=rng.random() < 0.3,
            voters=voters[:helpful],
            reply=reply,
            photos=(1 + (rng.random() < 0.4) + (rng.random() < 0.15)) if photos else 0,
        )

    def _write(self, batch: list[Planned], *, now, rng: random.Random) -> None:
        prepared = {
            id(plan): photos_prepare(
                [
                    SimpleUploadedFile(
                        f"photo{i}.jpg",
                        _draw(
                            label=plan.product.name,
                            category=plan.product.category_slug,
                            colours=next(b[4] for b in BRANDS if b[0] == plan.product.brand.slug),
                            rng=rng,
                        ),
                        content_type="image/jpeg",
                    )
                    for i in range(plan.photos)
                ]
            )
            for plan in batch
            if plan.photos
        }
        with (
            transaction.atomic(),
            _given_timestamps(Review, PurchaseCode, HelpfulVote, BrandReply, ReviewPhoto),
        ):
            for plan in batch:
                plan.review = Review(
                    author_id=plan.author_id,
                    product=plan.product,
                    rating=plan.rating,
                    title=plan.title,
                    body=plan.body,
                    body_html=plan.body_html,
                    language=plan.language,
                    verified_purchase=plan.verified,
                    helpful_count=len(plan.voters),
                    photo_count=plan.photos,
                    created_at=plan.created_at,
                )
            Review.objects.bulk_create([plan.review for plan in batch], batch_size=BATCH_SIZE)
            codes, votes, replies, photos = [], [], [], []
            for plan in batch:
                review = plan.review
                if plan.verified:
                    codes.append(
                        PurchaseCode(
                            brand_id=plan.product.brand_id,
                            code="DM" + _encode_code(review.pk),
                            batch="demo",
                            created_at=review.created_at - timedelta(days=rng.randint(3, 40)),
                            redeemed_by_id=review.author_id,
                            redeemed_at=review.created_at,
                            review=review,
                        )
                    )
                for voter in plan.voters:
                    voted_at = min(now, review.created_at + timedelta(hours=rng.randint(1, 2000)))
                    votes.append(HelpfulVote(review=review, voter_id=voter, created_at=voted_at))
                if plan.reply:
                    author_id, body, html = plan.reply
                    replies.append(
                        BrandReply(
                            review=review,
                            brand_id=plan.product.brand_id,
                            author_id=author_id,
                            body=body,
                            body_html=html,
                            created_at=min(
                                now, review.created_at + timedelta(hours=rng.randint(2, 96))
                            ),
                        )
                    )
                for position, photo in enumerate(prepared.get(id(plan), [])):
                    row = ReviewPhoto(
                        review=review,
                        position=position,
                        width=photo.width,
                        height=photo.height,
                        created_at=review.created_at,
                    )
                    for field_name, content in photo.files.items():
                        getattr(row, field_name).save(content.name, content, save=False)
                    photos.append(row)
            taken = set(
                PurchaseCode.objects.filter(code__in=[c.code for c in codes]).values_list(
                    "code", flat=True
                )
            )
            for code in codes:  # a previous run's code for a reused primary key
                while code.code in taken:
                    code.code = "DX" + "".join(rng.choices(PURCHASE_CODE_ALPHABET, k=10))
            PurchaseCode.objects.bulk_create(codes, batch_size=BATCH_SIZE)
            HelpfulVote.objects.bulk_create(votes, batch_size=BATCH_SIZE)
            BrandReply.objects.bulk_create(replies, batch_size=BATCH_SIZE)
            ReviewPhoto.objects.bulk_create(photos, batch_size=BATCH_SIZE)
