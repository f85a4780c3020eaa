"""The database backend's full-text structures (SQLite FTS5 / PostgreSQL tsvector):
see search/migrations/_fulltext.py, which later migrations altering SearchEntry use."""

from django.db import migrations

from search.migrations._fulltext import CreateFullText


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [CreateFullText()]
