"""What callers pass to search and get back, whatever the backend."""

import datetime as dt
from dataclasses import dataclass, field

from search.query import ParsedQuery

SORTS = ("relevance", "newest", "helpful")
PAGE_SIZE = 20
MAX_PAGE = 50  # deep pages are for crawlers; nobody reads result 1,000


@dataclass(frozen=True)
class SearchFilters:
    types: tuple[str, ...] = ()  # document types; empty = all
    brand: str | None = None  # brand slug
    product_id: int | None = None
    rating_min: int | None = None
    rating_max: int | None = None
    verified: bool | None = None
    with_photos: bool | None = None
    language: str | None = None  # "en" or "zh"
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive


@dataclass(frozen=True)
class SearchRequest:
    query: ParsedQuery
    visibility: tuple[str, ...]  # the searcher's keys: ("public", "member:5", ...)
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: str = "relevance"
    page: int = 1
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class SearchHit:
    doc_type: str
    doc_id: int
    title: str
    url: str
    snippet: str  # sanitised HTML: text with <mark> around matches, nothing else
    score: float = 0.0
    brand_name: str = ""
    rating: int | None = None
    verified: bool = False
    has_photos: bool = False
    helpful_count: int = 0
    created: dt.datetime | None = None
    language: str = "en"


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResults:
    hits: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)  # "brand", "rating"
    backend: str = ""
    degraded: bool = False  # the engine was down; these came from the database backend

    @property
    def num_pages(self) -> int:
        return max(1, -(-min(self.total, MAX_PAGE * self.page_size) // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class Suggestion:
    label: str
    url: str
    doc_type: str
