"""The database backend's full-text structures, as migration operations.

Not a migration itself (the loader skips modules starting with "_"). 0002 creates the
structures; any later migration that alters search_searchentry must drop them first and
create them again afterwards, because SQLite rebuilds an altered table (which drops its
triggers, and is refused while the view exists) and PostgreSQL refuses to alter a
column the generated vector reads:

    operations = [DropFullText(), migrations.AlterField(...), CreateFullText()]

SQLite: an FTS5 table whose external content is a view over search_searchentry (the
CJK-bigrammed `fts_*` copy of a column when there is one, else the raw column), kept in
sync by triggers, so that inserts, upserts and deletes maintain it and FTS5's own
'rebuild' and 'integrity-check' commands work. Porter stemming over unicode61.

PostgreSQL: a generated tsvector column, weighted A (title), B (context), C (body),
with the 'english' configuration (stems English; Chinese bigrams stay tokens, checked
on PostgreSQL 15), and a GIN index on it.

Other vendors get nothing; the backend refuses to run on them."""

from django.db import migrations

_OLD = "coalesce(old.fts_title, old.title), coalesce(old.fts_context, old.context), coalesce(old.fts_body, old.body)"  # noqa: E501
_NEW = "coalesce(new.fts_title, new.title), coalesce(new.fts_context, new.context), coalesce(new.fts_body, new.body)"  # noqa: E501

SQLITE_CREATE = [
    """
    CREATE VIEW search_fts_source AS
    SELECT id,
           coalesce(fts_title, title) AS title,
           coalesce(fts_context, context) AS context,
           coalesce(fts_body, body) AS body
    FROM search_searchentry
    """,
    """
    CREATE VIRTUAL TABLE search_fts USING fts5(
        title, context, body,
        content='search_fts_source', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER search_fts_insert AFTER INSERT ON search_searchentry BEGIN
        INSERT INTO search_fts(rowid, title, context, body) VALUES (new.id, {_NEW});
    END
    """,
    f"""
    CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, context, body)
        VALUES ('delete', old.id, {_OLD});
    END
    """,
    # Only when the text changed: a new helpful count leaves the FTS index alone.
    f"""
    CREATE TRIGGER search_fts_update
    AFTER UPDATE OF title, context, body, fts_title, fts_context, fts_body
    ON search_searchentry
    WHEN old.title IS NOT new.title OR old.context IS NOT new.context
      OR old.body IS NOT new.body OR old.fts_title IS NOT new.fts_title
      OR old.fts_context IS NOT new.fts_context OR old.fts_body IS NOT new.fts_body
    BEGIN
        INSERT INTO search_fts(search_fts, rowid, title, context, body)
        VALUES ('delete', old.id, {_OLD});
        INSERT INTO search_fts(rowid, title, context, body) VALUES (new.id, {_NEW});
    END
    """,
    # Index the rows that already exist.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    # Covering the columns searches filter, group and sort on: each match is then one
    # lookup in this narrow index instead of in the table's wide rows (30% faster for
    # a term in half the reviews). PostgreSQL reads the heap after its bitmap scan
    # either way, so it has no such index.
    """
    CREATE INDEX search_entry_filters ON search_searchentry (
        id, public, doc_type, brand, rating, language, created, verified, has_photos,
        product_id, helpful_count, brand_name
    )
    """,
]
SQLITE_DROP = [
    "DROP INDEX IF EXISTS search_entry_filters",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
    "DROP VIEW IF EXISTS search_fts_source",
]


def _pg_vector(column: str, weight: str) -> str:
    # The text is plain text, not HTML: without "<" and ">" the parser cannot take
    # "<script>alert(1)</script>" for tags (and drop "alert" with them).
    text = f"translate(coalesce(fts_{column}, {column}), '<>', '  ')"
    return f"setweight(to_tsvector('english'::regconfig, {text}), '{weight}')"


POSTGRES_CREATE = [
    f"""
    ALTER TABLE search_searchentry ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (
        {_pg_vector("title", "A")}
        || {_pg_vector("context", "B")}
        || {_pg_vector("body", "C")}
    ) STORED
    """,
    "CREATE INDEX search_entry_vector ON search_searchentry USING gin (search_vector)",
    # "Newest first" sorts NULLS LAST on both databases; SQLite's descending index has
    # that order already, PostgreSQL's needs saying. A common term is then read in date
    # order until a page is full.
    "CREATE INDEX search_entry_newest ON search_searchentry (created DESC NULLS LAST, id DESC)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_entry_newest",
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS search_vector",
]

CREATE = {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}
DROP = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}


def _runner(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def CreateFullText() -> migrations.RunPython:
    return migrations.RunPython(_runner(CREATE), _runner(DROP), elidable=False)


def DropFullText() -> migrations.RunPython:
    return migrations.RunPython(_runner(DROP), _runner(CREATE), elidable=False)
