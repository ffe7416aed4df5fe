"""Check PracticeRx as a practice installs it, not as the checkout runs it (issue 18).

    python scripts/check_install.py wheel             # build the wheel, install it in a new venv
    python scripts/check_install.py bundle [FOLDER]   # the PyInstaller folder (dist/practice-rx)
    BUNDLE_PLUGINS="practice-rx-south-leeds" ...      # the plugin distributions built in

Either way the installed program is run as a practice would run it: from an empty
folder, with no PYTHONPATH, with its own home, settings and data folders (an empty
machine-wide one too), offscreen. It must: say its version and help; create a new
SQLite database at the checkout's newest migration (a wheel or bundle missing
migrations would open a database at the wrong schema: hazard H56) and find it sound;
fill a demo database and print a referral's letters; ``--smoke``: open the window
on a fresh demo database, load the built-in plugins and save a letter; and ``--demo``
(not on Windows), ended by SIGTERM, exit 0 leaving no demo database behind. Every PDF is
read back (pypdf): the referral's reference in its text, the bundled DejaVu fonts
embedded. Each step's time is printed; the first failure stops the check (exit 1).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
import venv
import zipfile
from collections.abc import Sequence
from pathlib import Path

from alembic.script import ScriptDirectory
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = "Scripts" if os.name == "nt" else "bin"  # a venv's programs
REFERENCE = "PRX-000001"  # the first demo referral's reference, on its letters
#: what the wheel must carry beyond Python modules (read by letters.resources,
#: storage.migrate, the national plugin, measures and the plugin scaffold)
WHEEL_FILES = ("practice_rx/_migrations/env.py", "practice_rx/_resources/fonts/DejaVuSans.ttf",
               "practice_rx/_resources/fonts/DejaVuSans-Bold.ttf", "practice_rx/py.typed",
               "practice_rx/plugins/national/national_form.yaml",
               "practice_rx/plugins/national/national_services.yaml",
               "practice_rx/measures/definitions/ons4.yaml",
               "practice_rx/oruk/default_mapping.toml",
               "practice_rx/scaffold/template/pyproject.toml.tmpl")


class CheckFailed(Exception):
    pass


class Checker:
    """Runs the installed program in a bare environment of its own and checks each answer."""

    def __init__(self, work: Path, cli: Sequence[str], gui: Sequence[str]) -> None:
        self.work, self.cli, self.gui = work, list(cli), list(gui)
        home = work / "home"
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
                    "XDG_CONFIG_HOME": str(home / ".config"),
                    "XDG_DATA_HOME": str(home / ".local" / "share"),
                    "XDG_CONFIG_DIRS": str(work / "etc-xdg"), "QT_QPA_PLATFORM": "offscreen",
                    "LANG": "C.UTF-8"}
        if os.name == "nt":  # Windows needs its own variables; its folders are not moved
            self.env = {key: value for key, value in os.environ.items()
                        if key != "PYTHONPATH" and not key.startswith("PRACTICE_RX_")}
            self.env["QT_QPA_PLATFORM"] = "offscreen"
        self.run_in = work / "cwd"
        self.run_in.mkdir(parents=True, exist_ok=True)

    def run(self, *args: str, gui: bool = False, expect: str = "") -> str:
        command = (self.gui if gui else self.cli) + list(args)
        started = time.monotonic()
        done = subprocess.run(command, cwd=self.run_in, env=self.env, capture_output=True,
                              text=True, timeout=300, check=False)
        took = time.monotonic() - started
        program = "practice-rx-gui" if gui else "practice-rx"
        shown = " ".join([program, *args]).replace(str(self.work), "$CHECK")
        if done.returncode != 0:
            raise CheckFailed(f"{shown}: exit {done.returncode}\n{done.stdout}\n{done.stderr}")
        if expect and not re.search(expect, done.stdout):
            raise CheckFailed(f"{shown}: expected {expect!r} in its output:\n{done.stdout}")
        print(f"  ok {took:6.1f} s  {shown}")
        return done.stdout

    def demo_window(self) -> None:
        """``practice-rx-gui --demo`` as a user starts it, ended as logging off ends it
        (SIGTERM) once its demo database is there: exit 0, the demo folder removed."""
        temporary = self.work / "tmp"
        temporary.mkdir()
        started = time.monotonic()
        program = subprocess.Popen(self.gui + ["--demo"], cwd=self.run_in,
                                   env={**self.env, "TMPDIR": str(temporary)},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            while not list(temporary.glob("practice-rx-demo-*/demo.sqlite3")):
                if program.poll() is not None or time.monotonic() - started > 120:
                    raise CheckFailed(f"--demo: no demo database made (exit {program.poll()})"
                                      f"\n{program.stderr.read() if program.poll() else ''}")
                time.sleep(0.1)
            time.sleep(3)
            program.send_signal(signal.SIGTERM)
            code = program.wait(timeout=60)
        finally:
            program.kill()
        if code != 0 or list(temporary.iterdir()):
            raise CheckFailed(f"--demo ended: exit {code}, left {list(temporary.iterdir())}\n"
                              f"{program.stderr.read()}")
        print(f"  ok {time.monotonic() - started:6.1f} s  practice-rx-gui --demo, ended by "
              "SIGTERM: exit 0, demo database removed")

    def all(self, expect_plugins: Sequence[str]) -> None:
        version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
        head = ScriptDirectory(str(ROOT / "migrations")).get_current_head()
        self.run("--version", expect=re.escape(f"PracticeRx {version}"))
        self.run("--help", expect="letters")
        new = f"sqlite:///{self.work / 'new.sqlite3'}"
        self.run("--database", new, "db", "upgrade", expect=rf"at schema {head} \(latest\)")
        self.run("--database", new, "db", "check", expect="schema is this PracticeRx's")
        demo = f"sqlite:///{self.work / 'demo.sqlite3'}"
        self.run("--database", demo, "demo", "--patients", "30", "--referrals", "60",
                 "--services", "10", expect="Demo data added")
        self.run("--database", demo, "plugins", expect="national built in")
        letters = self.work / "letters"
        self.run("--database", demo, "letters", "1", "--user", "dr.patel", "--out",
                 str(letters), expect=REFERENCE)
        made = sorted(letters.glob("*.pdf"))
        if len(made) != 2:
            raise CheckFailed(f"letters: expected 2 PDFs, made {[p.name for p in made]}")
        smoke = self.work / "smoke"
        said = self.run("--smoke", str(smoke), gui=True, expect="smoke test passed")
        plugins = re.search(r"plugins ([\w, ]+), letter", said)
        loaded = set(plugins.group(1).split(", ")) if plugins else set()
        wanted = {"national", *expect_plugins}
        if not wanted <= loaded:
            raise CheckFailed(f"--smoke: plugins {sorted(wanted - loaded)} not loaded")
        if os.name != "nt":  # Windows has no polite signal to end a windowed program by
            self.demo_window()
        for pdf in made + sorted(smoke.glob("*.pdf")):
            check_pdf(pdf)
        print(f"  ok: {len(made) + 1} letters read back; schema {head}; plugins "
              f"{', '.join(sorted(loaded))}")


def check_pdf(path: Path) -> None:
    """The letter is a PDF with text (a referral letter: naming its referral), set in the
    bundled DejaVu fonts."""
    reader = PdfReader(path)
    text = " ".join(page.extract_text() for page in reader.pages)
    if "-referral-" in path.name and REFERENCE not in text or len(text) < 200:
        raise CheckFailed(f"{path.name}: {REFERENCE} is not in its text ({len(text)} chars)")
    fonts = {str(font["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    if not any("DejaVuSans" in font for font in fonts):
        raise CheckFailed(f"{path.name}: not in the bundled fonts (it uses {sorted(fonts)})")


def plugin_names(distributions: Sequence[str]) -> list[str]:
    """The plugins (entry point names) the distributions built into a bundle provide."""
    from importlib.metadata import distribution

    return [point.name for name in distributions for point in distribution(name).entry_points
            if point.group == "practice_rx"]


def build_wheel(out: Path) -> Path:
    started = time.monotonic()
    # pip, not python -m build: the test extra's hatchling is all it needs (no index)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(out.glob("practice_rx-*.whl"))
    missing = missing_from_wheel(wheel)
    if missing:
        raise CheckFailed(f"{wheel.name} lacks {missing}")
    print(f"  ok {time.monotonic() - started:6.1f} s  built {wheel.name} "
          f"({wheel.stat().st_size / 1e6:.1f} MB, {len(migration_files())} migrations inside)")
    return wheel


def migration_files() -> set[str]:
    """Where each of the checkout's migrations must be in the wheel."""
    return {f"practice_rx/_migrations/versions/{path.name}"
            for path in (ROOT / "migrations" / "versions").glob("*.py")}


def missing_from_wheel(wheel: Path) -> list[str]:
    """The data files and migrations the wheel should carry and does not."""
    names = set(zipfile.ZipFile(wheel).namelist())
    return sorted((set(WHEEL_FILES) | migration_files()) - names)


def install_wheel(wheel: Path, work: Path) -> Path:
    """A new venv (not the checkout's), the wheel and its ui extra installed in it."""
    started = time.monotonic()
    target = work / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / SCRIPTS / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet", f"{wheel}[ui]"],
                         cwd=work, capture_output=True, text=True, check=False)
    if pip.returncode != 0:
        raise CheckFailed(f"pip install {wheel.name}[ui]: exit {pip.returncode}\n"
                          f"{pip.stderr[-3000:]}")
    where = subprocess.run([str(python), "-c", "import practice_rx; print(practice_rx.__file__)"],
                           check=True, cwd=work, capture_output=True, text=True,
                           env={"PATH": os.environ.get("PATH", "")}).stdout.strip()
    if not Path(where).is_relative_to(target):
        raise CheckFailed(f"the new venv imports practice_rx from {where}, not from itself")
    print(f"  ok {time.monotonic() - started:6.1f} s  installed into a new venv ({where})")
    return target / SCRIPTS


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["wheel", "bundle"])
    parser.add_argument("folder", nargs="?", default=str(ROOT / "dist" / "practice-rx"),
                        help="bundle: the folder `make bundle` made")
    args = parser.parse_args(argv)
    bundled = os.environ.get("BUNDLE_PLUGINS", "").split() if args.what == "bundle" else []
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"practice-rx-{args.what}-check-") as folder:
        work = Path(folder)
        try:
            if args.what == "wheel":
                print("Checking the wheel, installed in a new venv:")
                bin_ = install_wheel(build_wheel(work / "dist"), work)
                checker = Checker(work, [str(bin_ / "practice-rx")],
                                  [str(bin_ / "practice-rx-gui")])
            else:
                bundle = Path(args.folder).resolve()
                print(f"Checking the bundled program in {bundle}:")
                checker = Checker(work, [str(bundle / "practice-rx")],
                                  [str(bundle / "practice-rx-gui")])
            checker.all(plugin_names(bundled))
        except (CheckFailed, subprocess.CalledProcessError) as failed:
            print(f"FAILED: {failed}", file=sys.stderr)
            return 1
    print(f"{args.what} check passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
