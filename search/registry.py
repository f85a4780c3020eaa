"""The registry of searchable kinds, filled from each app's search_documents.py."""

from importlib import import_module

from django.apps import apps

from search.documents import DocumentType

_types: dict[str, DocumentType] = {}
_by_model: dict[type, list[DocumentType]] = {}


def register(document_type: type[DocumentType]) -> type[DocumentType]:
    """Class decorator for DocumentType subclasses."""
    instance = document_type()
    _types[instance.name] = instance
    _by_model.setdefault(instance.model, []).append(instance)
    return document_type


def autodiscover() -> None:
    for config in apps.get_app_configs():
        try:
            import_module(f"{config.name}.search_documents")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.search_documents":
                raise


def document_types() -> dict[str, DocumentType]:
    return dict(_types)


def document_type(name: str) -> DocumentType | None:
    return _types.get(name)


def types_for_model(model: type) -> list[DocumentType]:
    return _by_model.get(model, [])
