"""Engine request bodies from SearchRequests, and SearchResults from engine answers.

Built with the client's DSL (`Q`, `Search`: the same shape in opensearch-py and
elasticsearch.dsl), passed in by the backend, so nothing here imports a client.

Every positive word must match (bool must, one multi_match per word over title^3,
context^2, body and their `.cjk` bigram subfields), phrases are phrase matches,
excluded words and phrases are must_not. User text is only ever the `query` of a
match-type query: never query_string syntax. Filters and visibility run in filter
context; the brand and rating filters go to post_filter so that each facet counts what
the other filters leave, as the database backend does."""

import datetime as dt
import html
import re
from collections.abc import Iterable

from django.utils import timezone

from search.backends.engine_index import HIT_SOURCE
from search.highlight import ELLIPSIS, highlight, sanitise
from search.query import CJK_RUN_RE, ParsedQuery
from search.types import FacetValue, SearchHit, SearchRequest, SearchResults, Suggestion

SNIPPET_CHARS = 160
TOP_BRANDS = 10  # as the database backend
MAX_RESULT_WINDOW = 10_000  # the engine's index.max_result_window default

TEXT_FIELDS = ("title^3", "context^2", "body")
CJK_FIELDS = ("title.cjk^3", "context.cjk^2", "body.cjk")
ALL_TEXT_FIELDS = TEXT_FIELDS + CJK_FIELDS


def searchable(items: Iterable[str]) -> list[str]:
    """Items with a letter or digit; the rest (a lone "_") match nothing anywhere."""
    return [item for item in items if any(ch.isalnum() for ch in item)]


def has_positive(query: ParsedQuery) -> bool:
    return bool(searchable(query.positive))


def _cjk_word(text: str) -> bool:
    """Two or more Chinese characters in a row: matched as bigrams (`.cjk` fields)."""
    return any(len(run) > 1 for run in CJK_RUN_RE.findall(text))


def _day_start(day: dt.date) -> str:
    """Midnight of `day` in the current time zone, as the database backend counts days."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min)).isoformat()


# --- the query ----------------------------------------------------------------------


def _word(Q, text: str, *, positive: bool):
    """One word (or run: "抓地力", "iphone手机") that must be in one field: English words
    stemmed, Chinese words as bigrams anywhere inside a longer run."""
    return Q(
        "multi_match",
        query=text,
        fields=list(CJK_FIELDS if _cjk_word(text) else ALL_TEXT_FIELDS),
        type="best_fields",
        operator="and",
        tie_breaker=0.3,
        # A stop word ("the") asks for nothing rather than for no result; an excluded
        # stop word excludes nothing.
        zero_terms_query="all" if positive else "none",
    )


def _phrase(Q, text: str, *, positive: bool):
    return Q(
        "multi_match",
        query=text,
        fields=list(ALL_TEXT_FIELDS),
        type="phrase",
        zero_terms_query="none",  # a phrase of only stop words asks for nothing
    )


def text_query(Q, query: ParsedQuery):
    must = [_word(Q, term, positive=True) for term in searchable(query.terms)]
    must += [_phrase(Q, phrase, positive=True) for phrase in searchable(query.phrases)]
    must_not = [
        _phrase(Q, item, positive=False) if " " in item else _word(Q, item, positive=False)
        for item in searchable(query.excluded)
    ]
    return Q("bool", must=must, must_not=must_not)


def filters(Q, request: SearchRequest) -> tuple[list, list, list]:
    """(visibility and every filter but brand and rating, brand, rating)."""
    wanted = request.filters
    common = [Q("terms", visibility=list(request.visibility))]
    if wanted.types:
        common.append(Q("terms", doc_type=list(wanted.types)))
    if wanted.product_id is not None:
        common.append(Q("term", product_id=wanted.product_id))
    if wanted.verified is not None:
        common.append(Q("term", verified=wanted.verified))
    if wanted.with_photos is not None:
        common.append(Q("term", has_photos=wanted.with_photos))
    if wanted.language:
        common.append(Q("term", language=wanted.language))
    created = {}
    if wanted.date_from:
        created["gte"] = _day_start(wanted.date_from)
    if wanted.date_to:  # inclusive: before the next day starts
        created["lt"] = _day_start(wanted.date_to + dt.timedelta(days=1))
    if created:
        common.append(Q("range", created=created))
    brand = [Q("term", brand=wanted.brand)] if wanted.brand else []
    rating = {}
    if wanted.rating_min is not None:
        rating["gte"] = wanted.rating_min
    if wanted.rating_max is not None:
        rating["lte"] = wanted.rating_max
    return common, brand, [Q("range", rating=rating)] if rating else []


def sort_order(sort: str) -> list:
    newest = {"created": {"order": "desc", "missing": "_last"}}
    score = {"_score": {"order": "desc"}}
    tie = {"key": {"order": "asc"}}  # stable pages
    if sort == "newest":
        return [newest, score, tie]
    if sort == "helpful":
        return [{"helpful_count": {"order": "desc"}}, score, tie]
    return [score, tie]


def build_search(search, Q, request: SearchRequest):
    """`search` (an empty DSL Search on the alias) made into the whole request."""
    common, brand, rating = filters(Q, request)
    start = (request.page - 1) * request.page_size
    # Past the engine's result window there is no page to read (total and facets stay).
    size = max(0, min(request.page_size, MAX_RESULT_WINDOW - start))
    search = (
        search.query(Q("bool", must=[text_query(Q, request.query)], filter=common))
        .sort(*sort_order(request.sort))
        .source(HIT_SOURCE)
        .extra(from_=start if size else 0, size=size, track_total_hits=True)
        .highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",  # the engine escapes the text; sanitise() checks again
            fragment_size=SNIPPET_CHARS,
            number_of_fragments=1,
            no_match_size=0,
        )
        .highlight("body", "body.cjk", "context", "context.cjk")
    )
    if brand or rating:  # applied to hits after the facets are counted
        search = search.post_filter(Q("bool", filter=brand + rating))
    everything = Q("match_all")
    search.aggs.bucket(
        "brand_facet", "filter", filter=Q("bool", filter=rating) if rating else everything
    ).bucket("values", "terms", field="brand", size=TOP_BRANDS * 5).bucket(
        "label", "terms", field="brand_name", size=1
    )
    search.aggs.bucket(
        "rating_facet", "filter", filter=Q("bool", filter=brand) if brand else everything
    ).bucket("values", "terms", field="rating", size=5)
    return search


def build_autocomplete(search, Q, prefix: str, visibility, types, limit: int):
    """Names with a word starting with `prefix`; Chinese anywhere in the name (as the
    database backend). Shortest names first: the closest completions."""
    if CJK_RUN_RE.match(prefix):
        match = Q("match_phrase", **{"suggest.cjk": {"query": prefix}})
    else:
        match = Q("match_phrase", suggest={"query": prefix})
    wanted = [Q("terms", visibility=list(visibility))]
    if types:
        wanted.append(Q("terms", doc_type=list(types)))
    return (
        search.query(Q("bool", must=[match], filter=wanted))
        .sort("title_length", "title.sort", "key")
        .source(["doc_type", "title", "url"])
        .extra(size=limit)
    )


# --- the answer ---------------------------------------------------------------------


def _parse_datetime(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)


def _best_fragment(highlights: dict, fields: tuple[str, ...]) -> str:
    """The fragment with the most marks among `fields` (the English field and its
    bigram subfield mark different matches); ties go to the first field."""
    best, best_marks = "", 0
    for name in fields:
        for fragment in highlights.get(name) or ():
            marks = fragment.count("<mark>")
            if marks > best_marks:
                best, best_marks = fragment, marks
    return best


def _snippet(fragment: str, text: str) -> str:
    """An engine fragment sanitised to text and <mark>, with ellipses where it cuts."""
    cleaned = sanitise(fragment).strip()
    plain = html.unescape(re.sub(r"</?mark>", "", cleaned)).strip()
    text = text.strip()
    if plain and not text.startswith(plain[:20]):
        cleaned = ELLIPSIS + cleaned
    if plain and not text.endswith(plain[-20:]):
        cleaned += ELLIPSIS
    return cleaned


def hit(raw: dict, query: ParsedQuery) -> SearchHit:
    source, highlights = raw.get("_source") or {}, raw.get("highlight") or {}
    body, context = source.get("body") or "", source.get("context") or ""
    # The snippet's text is the body, or the context when there is no body (as the
    # database backend). No engine highlight there (the match was in the title): its
    # start, escaped, by the database backend's highlighter.
    if body:
        text, fragment = body, _best_fragment(highlights, ("body", "body.cjk"))
    else:
        text, fragment = context, _best_fragment(highlights, ("context", "context.cjk"))
    return SearchHit(
        doc_type=source.get("doc_type", ""),
        doc_id=int(source.get("doc_id") or 0),
        title=source.get("title") or "",
        url=source.get("url") or "",
        snippet=_snippet(fragment, text) if fragment else highlight(text, query),
        score=float(raw.get("_score") or 0.0),
        brand_name=source.get("brand_name") or "",
        rating=source.get("rating"),
        verified=bool(source.get("verified")),
        has_photos=bool(source.get("has_photos")),
        helpful_count=int(source.get("helpful_count") or 0),
        created=_parse_datetime(source.get("created")),
        language=source.get("language") or "en",
    )


def facets(aggregations: dict) -> dict[str, list[FacetValue]]:
    brands = []
    for bucket in aggregations.get("brand_facet", {}).get("values", {}).get("buckets", []):
        labels = bucket.get("label", {}).get("buckets") or [{"key": bucket["key"]}]
        brands.append(
            FacetValue(
                value=str(bucket["key"]), label=str(labels[0]["key"]), count=bucket["doc_count"]
            )
        )
    brands.sort(key=lambda facet: (-facet.count, facet.label))  # as the database backend
    ratings = [
        FacetValue(value=str(bucket["key"]), label=str(bucket["key"]), count=bucket["doc_count"])
        for bucket in aggregations.get("rating_facet", {}).get("values", {}).get("buckets", [])
        if bucket["doc_count"]
    ]
    ratings.sort(key=lambda facet: int(facet.value), reverse=True)
    return {"brand": brands[:TOP_BRANDS], "rating": ratings}


def results(answer: dict, request: SearchRequest, backend: str) -> SearchResults:
    return SearchResults(
        hits=[hit(raw, request.query) for raw in answer["hits"]["hits"]],
        total=int(answer["hits"]["total"]["value"]),
        page=request.page,
        page_size=request.page_size,
        facets=facets(answer.get("aggregations") or {}),
        backend=backend,
    )


def suggestions(answer: dict) -> list[Suggestion]:
    return [
        Suggestion(
            label=source.get("title", ""),
            url=source.get("url", ""),
            doc_type=source.get("doc_type", ""),
        )
        for source in (raw.get("_source") or {} for raw in answer["hits"]["hits"])
    ]
