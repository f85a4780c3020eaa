from tests.search.test_contract import corpus, find  # noqa: F401


def test_peek(corpus):
    for q in ["alert", "superb", "抓地", "overall"]:
        r = find(corpus, q, page_size=3)
        print(corpus.backend.name, q, [h.snippet for h in r.hits], r.facets.get("brand"))
