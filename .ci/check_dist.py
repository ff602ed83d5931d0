"""Check what dist/'s sdist and wheel hold (run by `make dist`, after the build).

- the sdist has the package, the docs (and mkdocs.yml), the examples, the tests the docs
  quote, README.md, CHANGELOG.md, LICENSE and pyproject.toml;
- the wheel has the package alone (and its dist-info), with py.typed: every module and data
  file of plugin/hikari_lavalink on disk (those git ignores left out) is in it, and in the sdist.

Usage: ``python .ci/check_dist.py [DIST_DIR]``
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import tarfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = "plugin/hikari_lavalink"
SDIST_MUST = [
    "pyproject.toml",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    "mkdocs.yml",
    "docs/index.md",
    "docs/quickstart.md",
    "examples/demo.py",
    "tests/testing/test_fake_lavalink_fixtures.py",
    f"{SOURCE}/py.typed",
]
GIT_LS_FILES = ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--"]


def package_files() -> list[str]:
    """plugin/hikari_lavalink's files, relative to it (what git does not ignore)."""
    out = subprocess.run(  # noqa: S603 - a fixed command
        [*GIT_LS_FILES, SOURCE],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return sorted(str(pathlib.Path(p).relative_to(SOURCE)) for p in out if (ROOT / p).is_file())


def main() -> int:
    dist = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "dist")
    sdists = sorted(dist.glob("hikari_lavalink-*.tar.gz"))
    wheels = sorted(dist.glob("hikari_lavalink-*.whl"))
    if len(sdists) != 1 or len(wheels) != 1:
        print(f"check_dist: want one sdist and one wheel in {dist}: {sdists + wheels}")
        return 1
    problems: list[str] = []
    with tarfile.open(sdists[0]) as tar:
        names = tar.getnames()
    top = names[0].split("/")[0]
    sdist = {n.removeprefix(f"{top}/") for n in names}
    problems += [f"sdist lacks {path}" for path in SDIST_MUST if path not in sdist]
    with zipfile.ZipFile(wheels[0]) as whl:
        wheel = set(whl.namelist())
    stray = sorted(
        n for n in wheel if not n.startswith("hikari_lavalink/") and ".dist-info/" not in n
    )
    problems += [f"wheel holds {n}, outside the package" for n in stray]
    files = package_files()
    problems += [
        f"wheel lacks hikari_lavalink/{f}" for f in files if f"hikari_lavalink/{f}" not in wheel
    ]
    problems += [f"sdist lacks {SOURCE}/{f}" for f in files if f"{SOURCE}/{f}" not in sdist]
    licence = [n for n in wheel if n.endswith(".dist-info/licenses/LICENSE")]
    if not licence:
        problems.append("wheel's dist-info has no licenses/LICENSE")
    for problem in problems:
        print(f"check_dist: {problem}")
    if problems:
        return 1
    sections = sorted({n.split("/")[0] for n in sdist if "/" in n})
    print(
        f"check_dist: {sdists[0].name}: {len(sdist)} entries ({', '.join(sections)}); "
        f"{wheels[0].name}: {len(wheel)} files, the package's {len(files)} all in it"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
