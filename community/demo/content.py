# Chinese templates use full-width punctuation on purpose.
# ruff: noqa: RUF001
"""The demo content, as data only: accounts, categories, brands and their products,
review sentence templates by language, sentiment and category, and member names.

community.demo.seeding turns it into rows; nothing here touches the database.
"""

DOMAIN = "goodword.example"
DEMO_ACCOUNTS = [
    # email, password, display name, language, is_staff/is_superuser
    (f"admin@{DOMAIN}", "goodword-admin", "Goodword admin", "en", True),
    (f"demo@{DOMAIN}", "goodword-demo", "Demo member 演示用户", "en", False),
    (f"staff@{DOMAIN}", "goodword-staff", "RoadGrip team", "en", False),
    (f"expert@{DOMAIN}", "goodword-expert", "Dr. Lena Wet", "en", False),
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
    # CommonMark cannot close "**" after CJK punctuation before a letter, so the colon
    # goes outside the bold.
    "zh": ("**缺点**：", "**说句公道话**：", ""),
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

# --- clubs: (brand slug, club slug, name, visibility, description, rules, welcome) ----
# demo@ is a member of the first (public) club and has asked to join the second; staff@
# is staff of RoadGrip, the brand of the first three.

CLUBS = [
    ("roadgrip", "roadgrip-riders", "RoadGrip Riders", "public",
     "Owners of RoadGrip tyres who ride, drive and compare notes in all weathers.",
     "Be kind. No selling. Share what you measured, not what you heard.",
     "Welcome to RoadGrip Riders: tyre talk, ride reports and meet-ups for everyone."),
    ("roadgrip", "roadgrip-track-days", "RoadGrip Track Days", "approval",
     "Track-day regulars testing RoadGrip tyres at the limit. Tell us about your car.",
     "Track safety first. Lap times are shared only inside the club.",
     "Track days, data logs and tyre pressures. Ask to join and tell us what you drive."),
    ("roadgrip", "roadgrip-vip-testers", "RoadGrip VIP Testers", "invite",
     "Invited owners who test RoadGrip tyres before they reach the shops.",
     "What is tested here stays here until launch.",
     "Pre-release test notes from our invited testers."),
    ("longteng-moto", "longteng-riders", "龙腾车友会", "public",
     "龙腾摩托车主的交流社区：骑行路线、保养心得、线下活动。",
     "友善交流，禁止广告。",
     "欢迎加入龙腾车友会！分享你的骑行故事。"),
    ("brewmaster", "brewmaster-home-baristas", "Brewmaster Home Baristas", "approval",
     "Home baristas dialling in their Brewmaster machines together.",
     "Share recipes freely; keep it friendly.",
     "Grind size, milk texture and latte art: learn from each other."),
]  # fmt: skip

# (club slug, demo member number, body); member 0 means the brand's staff account,
# whose posts are announcements.
CLUB_POSTS = [
    ("roadgrip-riders", 0, "**Welcome!** Introduce yourself and tell us which tyres you run."),
    ("roadgrip-riders", 1, "Did 600 km in heavy rain on the Sport 5 last weekend. Zero drama."),
    ("roadgrip-riders", 2, "Anyone compared the All-Season 4 with a dedicated winter tyre?"),
    ("roadgrip-riders", 3, "Road noise on the City Eco is much lower than my old set."),
    ("roadgrip-riders", 4, "Tip: check pressures cold, before the morning commute."),
    ("roadgrip-riders", 5, "Trail AT on gravel forest roads: grippy, a bit loud on tarmac."),
    ("roadgrip-track-days", 6, "Best lap so far at the ring: tyres held up for 20 minutes."),
    ("roadgrip-track-days", 7, "What hot pressures do you aim for on the Sport 5?"),
    ("roadgrip-vip-testers", 8, "First impressions of the prototype compound: very promising."),
    ("longteng-riders", 9, "周末骑龙腾 R6 去了趟山里，弯道很稳。"),
    ("brewmaster-home-baristas", 10, "Finally pulled a 1:2 ratio shot in 28 seconds!"),
]
CLUB_COMMENTS = ["Great report, thanks!", "Same experience here.", "Which pressure did you run?"]

# The first club's chat room: (author: 0 = brand staff, "demo" = demo@, n = member n,
# text, index of the message it replies to or None). Mentions use @**Name**.
CLUB_CHAT = [
    (1, "Morning all! Anyone at the track day on Saturday?", None),
    (2, "I'll be there with the new set, first time on a dry track.", 0),
    ("demo", "Count me in. What pressures are people running cold?", None),
    (0, "Welcome @**Demo member 演示用户**! We suggest 2.1 bar cold for the track day.", 2),
    (3, "周六见！我会带上相机拍照。", None),
    (1, "Thanks, see you all there 👍", 3),
]
DIRECT_CHAT = [
    (1, "Hi! Saw your review of the RoadGrip tyres. Did they stay quiet on the motorway?"),
    ("demo", "Mostly yes: a little hum above 120 km/h, nothing like my old set."),
]
