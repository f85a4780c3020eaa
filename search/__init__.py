"""One search interface for the whole site.

Callers use `search.services.search(...)` and `search.services.autocomplete(...)` only.
What is searchable is declared by each app in its `search_documents.py`; how it is
searched is a backend in `search/backends/` (database or engine), chosen by settings.
"""
