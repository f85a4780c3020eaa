"""Index upkeep, the one job signals do here (ARCHITECTURE.md): when a registered model
or one of its dependencies is saved or deleted, its documents are reindexed."""

from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save

from search import registry
from search.backends import reset_backends
from search.indexing import keys_changed

_connected = False


def _keys_for(sender, instance) -> list[str]:
    keys = [f"{t.name}:{instance.pk}" for t in registry.types_for_model(sender)]
    for document_type in registry.document_types().values():
        resolve = document_type.dependencies().get(sender)
        if resolve is not None:
            keys.extend(f"{document_type.name}:{doc_id}" for doc_id in resolve(instance))
    return keys


def _on_change(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the fixture's own objects are indexed by rebuild_search_index
        return
    keys_changed(_keys_for(sender, instance))


def _on_settings_change(setting, **kwargs):
    if setting == "SEARCH":
        reset_backends()


def connect() -> None:
    global _connected
    if _connected:
        return
    models = set()
    for document_type in registry.document_types().values():
        models.add(document_type.model)
        models.update(document_type.dependencies())
    for model in models:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"search-save-{model.__name__}")
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"search-delete-{model.__name__}"
        )
    setting_changed.connect(_on_settings_change, dispatch_uid="search-settings")
    _connected = True
