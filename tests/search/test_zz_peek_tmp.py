from tests.search.test_contract import corpus, find, named  # noqa: F401


def test_peek(corpus):
    for q in ["滑", "雨", "轻", "鞋", "很" * 200, "抓地 " * 30, "下雨天也不滑", "不滑", "跑鞋", "山", "抓地力很好湿地"]:
        r = find(corpus, q, page_size=20)
        print("\nPEEK", corpus.backend.name, q[:20], named(corpus, r))
