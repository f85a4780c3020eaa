"""Compile the project's .po catalogues to .mo with polib, so no GNU gettext is needed.

Compiled .mo files are build output (not committed); `make run`, `make test` and
`make translations` call this. It looks in settings.LOCALE_PATHS and in the `locale`
folder of every installed app that lives in the project (never in .venv), compiles
every `<lang>/LC_MESSAGES/*.po`, and fails on a catalogue that does not parse, has
duplicate messages, or whose translation uses a %-placeholder its original lacks
(which would raise KeyError when the page renders).
"""

import os
import re
import tempfile
from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# One printf-style directive as Python's % operator reads it; "%%" is a literal percent.
PLACEHOLDER_RE = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<type>[a-zA-Z%])"
)
SKIPPED_DIR_NAMES = {"node_modules", "site-packages", "__pycache__"}
# Every line of a .po file is blank, a comment, or an optional keyword followed by ONE
# complete quoted string. polib silently drops an unterminated string; msgfmt refuses it.
PO_LINE_RE = re.compile(
    r'^\s*(?:#.*|(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*)?$'
)


def _syntax_problems(text: str) -> list[str]:
    return [
        f"line {number}: {line.strip()[:60]!r} is not a keyword with one complete quoted string"
        for number, line in enumerate(text.splitlines(), start=1)
        if not PO_LINE_RE.match(line)
    ]


def _placeholders(text: str) -> tuple[set[str], int]:
    """Named placeholders, and the count of positional ones, in a python-format string."""
    names: set[str] = set()
    positional = 0
    for match in PLACEHOLDER_RE.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"] is not None:
            names.add(match["name"])
        else:
            positional += 1
    return names, positional


def _format_problems(entry: polib.POEntry) -> list[str]:
    """What msgfmt --check-format would refuse for a python-format entry."""
    if "python-format" not in entry.flags or not entry.translated():
        return []
    originals = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
    allowed_names: set[str] = set()
    positional_counts: set[int] = set()
    for original in originals:
        names, positional = _placeholders(original)
        allowed_names |= names
        positional_counts.add(positional)
    translations = (
        [entry.msgstr_plural[key] for key in sorted(entry.msgstr_plural)]
        if entry.msgid_plural
        else [entry.msgstr]
    )
    problems = []
    for translation in translations:
        names, positional = _placeholders(translation)
        unknown = names - allowed_names
        if unknown:
            problems.append(
                f"msgid {entry.msgid!r} (line {entry.linenum}): the translation uses "
                f"placeholder(s) {', '.join(sorted(unknown))} that the original does not have"
            )
        if positional and positional not in positional_counts:
            problems.append(
                f"msgid {entry.msgid!r} (line {entry.linenum}): the translation has "
                f"{positional} positional placeholder(s), the original "
                f"{' or '.join(str(n) for n in sorted(positional_counts))}"
            )
    return problems


class Command(BaseCommand):
    help = (
        "Compile every locale/<lang>/LC_MESSAGES/*.po of the project (settings.LOCALE_PATHS "
        "and the project's own apps) to .mo with polib. Exits non-zero on a broken .po."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "-l",
            "--locale",
            action="append",
            default=[],
            help="Compile only this locale folder (e.g. zh_Hans); may be repeated.",
        )

    def handle(self, *args, **options):
        locales = set(options["locale"])
        po_files = [
            po for po in self._po_files() if not locales or po.parent.parent.name in locales
        ]
        if not po_files:
            self.stdout.write("No .po files to compile.")
            return
        failures = []
        for po_path in po_files:
            try:
                summary = self._compile(po_path)
            except CommandError as exc:
                failures.append(str(exc))
                self.stderr.write(f"FAILED {self._display(po_path)}: {exc}")
                continue
            self.stdout.write(f"Compiled {self._display(po_path.with_suffix('.mo'))} ({summary})")
        if failures:
            raise CommandError(
                f"{len(failures)} of {len(po_files)} translation catalogue(s) could not be "
                "compiled:\n" + "\n".join(failures)
            )

    def _locale_dirs(self) -> list[Path]:
        base_dir = Path(settings.BASE_DIR).resolve()
        dirs = [Path(path) for path in settings.LOCALE_PATHS]
        for app_config in apps.get_app_configs():
            app_path = Path(app_config.path).resolve()
            if app_path.is_relative_to(base_dir):
                dirs.append(app_path / "locale")
        unique: dict[Path, None] = {}
        for directory in dirs:
            resolved = directory.resolve()
            if resolved.is_dir() and not self._is_skipped(resolved, base_dir):
                unique.setdefault(resolved, None)
        return list(unique)

    @staticmethod
    def _is_skipped(path: Path, base_dir: Path) -> bool:
        """Hidden folders (.venv) and installed packages inside the project are not ours;
        a folder outside the project was named in LOCALE_PATHS on purpose."""
        if not path.is_relative_to(base_dir):
            return False
        parts = path.relative_to(base_dir).parts
        return any(part.startswith(".") or part in SKIPPED_DIR_NAMES for part in parts)

    def _po_files(self) -> list[Path]:
        found = []
        for locale_dir in self._locale_dirs():
            found.extend(sorted(locale_dir.glob("*/LC_MESSAGES/*.po")))
        return found

    def _compile(self, po_path: Path) -> str:
        try:
            text = po_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{self._display(po_path)}: {exc}") from exc
        syntax = _syntax_problems(text)
        if syntax:
            raise CommandError(f"{self._display(po_path)}: syntax error: " + "; ".join(syntax))
        try:
            catalogue = polib.pofile(text, check_for_duplicates=True)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{self._display(po_path)}: {exc}") from exc
        problems = []
        for entry in catalogue:
            if not entry.obsolete:
                problems.extend(_format_problems(entry))
        if problems:
            raise CommandError(f"{self._display(po_path)}: " + "; ".join(problems))
        data = catalogue.to_binary()
        mo_path = po_path.with_suffix(".mo")
        # Write beside the target and rename, so a running server never reads half a file.
        fd, tmp_name = tempfile.mkstemp(dir=po_path.parent, prefix=".", suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp_name, 0o644)
            os.replace(tmp_name, mo_path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        total = len([entry for entry in catalogue if not entry.obsolete])
        return f"{len(catalogue.translated_entries())} of {total} messages translated"

    @staticmethod
    def _display(path: Path) -> str:
        base_dir = Path(settings.BASE_DIR).resolve()
        resolved = path.resolve()
        if resolved.is_relative_to(base_dir):
            return str(resolved.relative_to(base_dir))
        return str(path)
