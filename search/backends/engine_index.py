"""The engine index's settings, mapping and document shape (no client imports here).

Text fields (title, context, body) use the `english` analyzer (stemming: "running"
finds "run") with a `.cjk` subfield using the built-in `cjk` analyzer, which turns
Chinese runs into overlapping bigrams, so a two-character word matches inside a longer
run. `suggest` holds what autocomplete matches: every word's prefixes (edge n-grams,
a Chinese run counting as one word) and, in `suggest.cjk`, Chinese characters and
bigrams so that a Chinese prefix is found anywhere in a name, as the database backend
does."""

from search.documents import IndexDocument

MAX_PREFIX_GRAM = 30


def _text() -> dict:
    return {
        "type": "text",
        "analyzer": "english",
        "fields": {"cjk": {"type": "text", "analyzer": "cjk"}},
    }


INDEX_SETTINGS = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "analysis": {
        "tokenizer": {
            # Words are runs of letters and digits; a Chinese run stays one word.
            "goodword_words": {"type": "pattern", "pattern": r"[^\p{L}\p{N}]+"},
        },
        "filter": {
            "goodword_prefixes": {
                "type": "edge_ngram",
                "min_gram": 1,
                "max_gram": MAX_PREFIX_GRAM,
            },
            "goodword_truncate": {"type": "truncate", "length": MAX_PREFIX_GRAM},
            "goodword_cjk_grams": {"type": "cjk_bigram", "output_unigrams": True},
        },
        "analyzer": {
            "goodword_prefix_index": {
                "type": "custom",
                "tokenizer": "goodword_words",
                "filter": ["cjk_width", "lowercase", "goodword_prefixes"],
            },
            "goodword_prefix_search": {
                "type": "custom",
                "tokenizer": "goodword_words",
                "filter": ["cjk_width", "lowercase", "goodword_truncate"],
            },
            # Characters and bigrams at their positions: a phrase query of the typed
            # bigrams (or one character) finds Chinese text anywhere in a name.
            "goodword_cjk_grams_index": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "goodword_cjk_grams"],
            },
            "goodword_cjk_grams_search": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "cjk_bigram"],
            },
        },
    },
}

INDEX_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "key": {"type": "keyword"},
        "doc_type": {"type": "keyword"},
        "doc_id": {"type": "long"},
        "title": {
            **_text(),
            "fields": {
                **_text()["fields"],
                "sort": {"type": "keyword", "ignore_above": 256},
            },
        },
        "title_length": {"type": "integer"},  # autocomplete: shortest names first
        "context": _text(),
        "body": _text(),
        "url": {"type": "keyword", "index": False, "doc_values": False},
        "language": {"type": "keyword"},
        "created": {"type": "date"},
        "visibility": {"type": "keyword"},
        "brand": {"type": "keyword"},
        "brand_name": {"type": "keyword", "fields": {"text": _text()}},
        "product_id": {"type": "long"},
        "rating": {"type": "integer"},
        "verified": {"type": "boolean"},
        "has_photos": {"type": "boolean"},
        "helpful_count": {"type": "integer"},
        "suggest": {
            "type": "text",
            "analyzer": "goodword_prefix_index",
            "search_analyzer": "goodword_prefix_search",
            "fields": {
                "cjk": {
                    "type": "text",
                    "analyzer": "goodword_cjk_grams_index",
                    "search_analyzer": "goodword_cjk_grams_search",
                }
            },
        },
    },
}

# What a hit reads back (suggest and visibility stay in the index).
HIT_SOURCE = [
    "doc_type",
    "doc_id",
    "title",
    "context",
    "body",
    "url",
    "language",
    "created",
    "brand_name",
    "rating",
    "verified",
    "has_photos",
    "helpful_count",
]


def document_source(document: IndexDocument) -> dict:
    """The stored form of one document; its engine _id is `document.key`."""
    return {
        "key": document.key,
        "doc_type": document.doc_type,
        "doc_id": document.doc_id,
        "title": document.title,
        "title_length": len(document.title),
        "context": document.context,
        "body": document.body,
        "url": document.url,
        "language": document.language or "en",
        "created": document.created.isoformat() if document.created else None,
        "visibility": list(document.visibility),
        # An empty string would be a facet bucket of its own: leave the field out.
        "brand": document.brand or None,
        "brand_name": document.brand_name or None,
        "product_id": document.product_id,
        "rating": document.rating,
        "verified": bool(document.verified),
        "has_photos": bool(document.has_photos),
        "helpful_count": document.helpful_count or 0,
        "suggest": document.suggest or None,
    }
