"""Collects every app's `websocket_urlpatterns` into one list for asgi.py."""

from importlib import import_module

from django.conf import settings


def collect_websocket_urlpatterns() -> list:
    patterns = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith(("community.", "brand_clubs", "experts", "search")):
            continue
        try:
            module = import_module(f"{app}.routing")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.routing":
                raise
            continue
        patterns.extend(getattr(module, "websocket_urlpatterns", []))
    return patterns
