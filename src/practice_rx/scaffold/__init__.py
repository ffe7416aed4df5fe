"""``practice-rx plugins new NAME``: a plugin package that installs and passes its tests at once.

The files are :class:`string.Template` texts under ``template/`` (package data,
so they ship in the wheel), each ending ``.tmpl`` so no tool mistakes them for
the project's own code. What they make is an ordinary plugin: a catalogue read
with ``load_catalogue_file`` whose bad rows are warnings, the national form with
one more section, a validation rule, its declared plugin API range, and tests
written with :mod:`practice_rx.testing`.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from practice_rx.errors import ValidationError

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*")
TEMPLATE_SUFFIX = ".tmpl"
#: Names PracticeRx's own plugins have; a second plugin of the same name is not loaded.
RESERVED = frozenset({"national"})


@dataclass(frozen=True)
class PluginNames:
    """The names one plugin goes by, all from the NAME typed."""

    name: str  # as typed: my-area
    plugin: str  # the entry point's name, in practice-rx plugins and disabled_plugins: my_area
    package: str  # the import package: practice_rx_my_area
    distribution: str  # the project on PyPI: practice-rx-my-area
    title: str  # for people: My Area

    @classmethod
    def from_name(cls, name: str) -> PluginNames:
        """Checked: a message naming the argument and what it must be, else the names."""
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise ValidationError.single(
                "name", f"NAME: {name!r} is not a plugin name; use lower-case letters, digits "
                "and single underscores or hyphens, starting with a letter (such as my_area "
                "or leeds-north)")
        plugin = name.replace("-", "_")
        if plugin in RESERVED:
            raise ValidationError.single(
                "name", f"NAME: '{name}' is the name of a plugin PracticeRx ships; choose "
                f"your area's own name (such as {plugin}_pcn)")
        return cls(name, plugin, f"practice_rx_{plugin}", f"practice-rx-{plugin.replace('_', '-')}",
                   " ".join(word.capitalize() for word in re.split(r"[_-]", name)))


def api_range() -> str:
    """The plugin API range a new plugin declares: this PracticeRx's API up to the next major."""
    from practice_rx.plugin_api import API_VERSION

    return f">={API_VERSION},<{int(API_VERSION.split('.')[0]) + 1}"


def _templates(folder: Traversable, prefix: str = "") -> list[tuple[str, Traversable]]:
    found = []
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            found.extend(_templates(entry, f"{relative}/"))
        elif entry.name.endswith(TEMPLATE_SUFFIX):
            found.append((relative.removesuffix(TEMPLATE_SUFFIX), entry))
    return found


def _target_path(relative: str, names: PluginNames) -> str:
    if relative.startswith("src/package/"):
        return f"src/{names.package}/{relative.removeprefix('src/package/')}"
    if relative == "tests/test_plugin.py":
        return f"tests/test_{names.plugin}_plugin.py"  # unique, beside other projects' tests
    return relative


def new_plugin(name: str, target: Path | None = None) -> Path:
    """Write the plugin package into ``target`` (default ``./practice-rx-NAME``).

    A target that exists and is not an empty folder is refused untouched, so
    nobody's work is overwritten. Returns the folder written.
    """
    names = PluginNames.from_name(name)
    target = Path(target) if target is not None else Path.cwd() / names.distribution
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValidationError.single(
            "dir", f"--dir: {target} already exists and is not an empty folder; nothing was "
            "written. Choose a new folder (or an empty one) for the plugin")
    values = {"name": names.name, "plugin": names.plugin, "package": names.package,
              "distribution": names.distribution, "title": names.title,
              "api_range": api_range()}
    rendered = [(_target_path(relative, names),
                 Template(source.read_text(encoding="utf-8")).substitute(values))
                for relative, source in _templates(files(__name__) / "template")]
    for relative, text in rendered:  # all rendered first: a bad template writes nothing
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def cmd_plugins_new(args: argparse.Namespace) -> int:
    target = new_plugin(args.name, Path(args.dir) if args.dir else None)
    names = PluginNames.from_name(args.name)
    print(f"Wrote the {names.title} plugin ({names.distribution}) in {target}. Next:\n"
          f"  pip install -e '{target}[test]'\n"
          f"  practice-rx plugins          # lists {names.plugin} with no problems\n"
          f"  cd {target} && pytest", file=sys.stdout)
    return 0


def add_commands(plugins_commands: argparse._SubParsersAction) -> None:
    """``plugins new`` under the ``plugins`` command (whose own handler still lists them)."""
    new = plugins_commands.add_parser(
        "new", help="write a new plugin package (form, catalogue, rule, tests) to start from")
    new.add_argument("name", metavar="NAME",
                     help="the plugin's name: lower-case letters, digits, underscores or "
                          "hyphens, such as my_area")
    new.add_argument("--dir", metavar="DIR",
                     help="the folder to write it in (default: ./practice-rx-NAME); it must be "
                          "new or empty")
    new.set_defaults(handler=cmd_plugins_new)
