"""What a search document is, for every backend.

Every searchable thing (a review, a product, a brand, a page, later clubs, experts and
answers) becomes a flat `IndexDocument` with the same fields, so that one mapping and
one query serve all kinds. An app describes its kinds with a `DocumentType` in its own
`search_documents.py`; backends never know about models.
"""

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from django.db.models import Model, QuerySet

PUBLIC = "public"


def visibility_member(member_id: int) -> str:
    return f"member:{member_id}"


def visibility_club(club_id: int) -> str:
    return f"club:{club_id}"


@dataclass
class IndexDocument:
    """One searchable thing, as every backend stores it.

    `visibility` lists who may see it: "public", or keys such as "club:12" and
    "member:5"; a query only matches documents sharing a key with the searcher.
    Text fields are raw text: each backend analyses them (stemming, CJK bigrams)."""

    doc_type: str
    doc_id: int
    title: str
    body: str = ""
    context: str = ""  # names of what it is about (product, brand): ranked between the two
    url: str = ""
    language: str = "en"
    created: dt.datetime | None = None
    visibility: list[str] = field(default_factory=lambda: [PUBLIC])
    brand: str = ""  # brand slug, for filters and facets
    brand_name: str = ""
    product_id: int | None = None
    rating: int | None = None
    verified: bool = False
    has_photos: bool = False
    helpful_count: int = 0
    suggest: str = ""  # what autocomplete matches (product and brand names)

    @property
    def key(self) -> str:
        return f"{self.doc_type}:{self.doc_id}"


class DocumentType(ABC):
    """Declares one kind of searchable object. Subclass it in an app's
    search_documents.py and register it with `search.registry.register`."""

    name: ClassVar[str]
    model: ClassVar[type[Model]]
    label: ClassVar[str]  # shown on the results page ("Reviews")

    def get_queryset(self) -> QuerySet:
        """Every object that may be indexed, with what to_document needs joined in."""
        return self.model._default_manager.all()

    def is_indexable(self, obj) -> bool:
        """False for hidden, deleted or not-yet-visible objects: they leave the index."""
        return True

    @abstractmethod
    def to_document(self, obj) -> IndexDocument:
        """The document for one indexable object."""

    def dependencies(self) -> dict[type[Model], Callable[[Model], Iterable[int]]]:
        """Other models whose changes alter this kind's documents, each with a function
        giving the ids to reindex for one changed object (a helpful vote changes its
        review's count; a renamed product changes its reviews' context)."""
        return {}
