"""The compile_translations command: .po -> .mo with polib, failing loudly on bad input."""

import gettext
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

HEADER = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: zh_Hans\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"

"""

GOOD_PO = (
    HEADER
    + """\
msgid "Write a review"
msgstr "写评论"

#, python-format
msgid "Member %(number)s"
msgstr "会员 %(number)s"

msgid "Untranslated"
msgstr ""
"""
)


def _write_po(root: Path, text: str, *, lang: str = "zh_Hans") -> Path:
    po_path = root / lang / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    po_path.write_text(text, encoding="utf-8")
    return po_path


@pytest.fixture
def locale_dir(settings, tmp_path):
    """A project root in tmp_path whose only locale folder is tmp_path/locale."""
    settings.BASE_DIR = tmp_path
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    return tmp_path / "locale"


def _run(**options) -> str:
    out = StringIO()
    call_command("compile_translations", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_compiles_po_to_a_mo_that_gettext_reads(locale_dir):
    po_path = _write_po(locale_dir, GOOD_PO)

    output = _run()

    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file()
    assert "Compiled locale/zh_Hans/LC_MESSAGES/django.mo" in output
    assert "2 of 3 messages translated" in output
    with mo_path.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Write a review") == "写评论"
    assert catalogue.gettext("Member %(number)s") % {"number": 7} == "会员 7"
    assert catalogue.gettext("Untranslated") == "Untranslated"


def test_no_po_files_is_not_an_error(locale_dir):
    assert "No .po files to compile." in _run()


def test_only_the_requested_locale_is_compiled(locale_dir):
    zh = _write_po(locale_dir, GOOD_PO)
    en = _write_po(locale_dir, HEADER, lang="en")

    _run(locale=["en"])

    assert en.with_suffix(".mo").is_file()
    assert not zh.with_suffix(".mo").exists()


def test_hidden_folders_such_as_venv_are_skipped(settings, locale_dir):
    hidden = locale_dir.parent / ".venv" / "locale"
    settings.LOCALE_PATHS = [locale_dir, hidden]
    po_path = _write_po(hidden, GOOD_PO)

    assert "No .po files to compile." in _run()
    assert not po_path.with_suffix(".mo").exists()


def test_syntax_error_raises_command_error(locale_dir):
    _write_po(locale_dir, HEADER + 'msgid "Write a review"\nmsgstr "写评论\n')

    with pytest.raises(CommandError, match=r"django\.po: syntax error: line 8: "):
        _run()


def test_duplicate_message_raises_command_error(locale_dir):
    entry = 'msgid "Write a review"\nmsgstr "写评论"\n\n'
    _write_po(locale_dir, HEADER + entry + entry)

    with pytest.raises(CommandError, match="already exists"):
        _run()


def test_unknown_placeholder_in_translation_raises_command_error(locale_dir):
    _write_po(
        locale_dir,
        HEADER + '#, python-format\nmsgid "Member %(number)s"\nmsgstr "会员 %(numero)s"\n',
    )

    with pytest.raises(CommandError, match="numero"):
        _run()


def test_a_broken_catalogue_does_not_stop_the_others(locale_dir):
    good = _write_po(locale_dir, GOOD_PO)
    _write_po(locale_dir, HEADER + 'msgid "x"\nmsgstr\n', lang="en")

    with pytest.raises(CommandError, match="1 of 2"):
        _run()
    assert good.with_suffix(".mo").is_file()
