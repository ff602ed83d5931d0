"""Type-check every Python code sample of the docs and the README under pyright strict.

Each fenced ``python`` block of ``docs/**/*.md`` and ``README.md`` is written to a module of
its own in a temporary folder, which pyright checks in strict mode against the project's
venv (`make samples`, part of `make test`). A block that only includes a file's section
(``--8<-- "examples/x.py:name"``) is left out: that file is type-checked (and tested) where
it lives.

A sample is checked as it is written. A fragment that needs what the page set up before it
says so in an HTML comment on the line just above its fence (not rendered; keep them few):

- ``<!-- sample: prelude=NAME -->``: the prelude `NAME` (in `PRELUDES` below) goes first;
- ``<!-- sample: async -->``: the block is the body of an ``async def`` (it awaits at the
  top level, as a page's fragment may; a name it assigns and does not use is no finding);
- ``<!-- sample: skip REASON -->``: not checked (the reason is printed).

The words combine (``<!-- sample: prelude=bot async -->``). pyright's findings are reported
at the page's own lines. Usage: ``python .ci/check_samples.py`` (from the checkout, with the
venv's pyright on PATH or in ``.venv/bin``).
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys
import tempfile
import typing

ROOT = pathlib.Path(__file__).resolve().parents[1]
FENCE = re.compile(
    r"^(?P<indent> *)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```", re.M | re.S
)
MARK = re.compile(r"<!-- sample: (?P<words>[^>]*?) -->\s*$")
SNIPPET = re.compile(r'^\s*--8<-- "[^"]+"\s*$')
PRELUDES = {
    # A bot and its client, as the quickstart makes them.
    "bot": (
        "import hikari\n"
        "import hikari_lavalink as hl\n"
        "\n"
        'bot = hikari.GatewayBot("TOKEN")\n'
        "lava = hl.LavalinkClient(bot)\n"
    ),
    # The lightbulb page's bot and client.
    "lightbulb": (
        "import hikari\n"
        "import lightbulb\n"
        "import hikari_lavalink as hl\n"
        "\n"
        'bot = hikari.GatewayBot("TOKEN")\n'
        "client = lightbulb.client_from_app(bot)\n"
    ),
}
CONFIG = {
    "typeCheckingMode": "strict",
    "reportPrivateUsage": "error",
    "reportImplicitOverride": "error",
    "pythonVersion": "3.11",
    "venvPath": str(ROOT),
    "venv": ".venv",
}


class Sample(typing.NamedTuple):
    page: pathlib.Path
    line: int  # the page's line of the block's first line of code
    code: str
    prelude: str
    wrapped: bool  # the body of an async def
    skip: str | None

    @property
    def name(self) -> str:
        slug = re.sub(r"\W+", "_", str(self.page.relative_to(ROOT).with_suffix("")))
        return f"sample_{slug}_{self.line}"

    def module(self) -> tuple[str, int]:
        """The module's text, and how many of its lines come before the sample's first."""
        body = self.code
        head = self.prelude
        if self.wrapped:
            # A page's names are the page's, not a function's locals: one the fragment does
            # not use again is no finding.
            head = f"# pyright: reportUnusedVariable=false\n{head}\n\nasync def sample() -> None:\n"
            body = "".join(
                f"    {line}" if line.strip() else line for line in body.splitlines(True)
            )
        return head + body, head.count("\n")


def pages() -> list[pathlib.Path]:
    return [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]


def samples(page: pathlib.Path) -> tuple[list[Sample], int]:
    """A page's Python samples, and how many of its blocks only include a file's section."""
    text = page.read_text(encoding="utf-8")
    found: list[Sample] = []
    includes = 0
    for match in FENCE.finditer(text):
        if match.group("lang") not in {"python", "py", "python3"}:
            continue
        indent = len(match.group("indent"))
        lines = [line[indent:] for line in match.group("body").splitlines(True)]
        if all(SNIPPET.match(line) or not line.strip() for line in lines):
            includes += 1
            continue
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARK.search(before)
        words = mark.group("words").split() if mark else []
        prelude = "".join(
            PRELUDES[w.removeprefix("prelude=")] for w in words if w.startswith("prelude=")
        )
        skip = " ".join(words[words.index("skip") + 1 :]) if "skip" in words else None
        line = text[: match.start()].count("\n") + 2
        found.append(Sample(page, line, "".join(lines), prelude, "async" in words, skip))
    return found, includes


def main() -> int:
    checked: list[Sample] = []
    skipped: list[Sample] = []
    includes = 0
    for page in pages():
        found, n = samples(page)
        includes += n
        for sample in found:
            (skipped if sample.skip is not None else checked).append(sample)
    where: dict[str, tuple[Sample, int]] = {}
    with tempfile.TemporaryDirectory(prefix="samples-") as tmp:
        folder = pathlib.Path(tmp)
        (folder / "pyrightconfig.json").write_text(json.dumps(CONFIG), encoding="utf-8")
        for sample in checked:
            text, offset = sample.module()
            path = folder / f"{sample.name}.py"
            path.write_text(text, encoding="utf-8")
            where[str(path.resolve())] = (sample, offset)
        pyright = ROOT / ".venv" / "bin" / "pyright"
        out = subprocess.run(  # noqa: S603 - our own pyright on our own files
            [str(pyright), "--outputjson", "-p", str(folder)],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        print(out.stdout, out.stderr, file=sys.stderr)
        return 2
    errors = 0
    for diagnostic in report["generalDiagnostics"]:
        sample, offset = where[str(pathlib.Path(diagnostic["file"]).resolve())]
        line = diagnostic["range"]["start"]["line"] - offset
        at = f"{sample.page.relative_to(ROOT)}:{sample.line + line}"
        if line < 0:
            at = f"{sample.page.relative_to(ROOT)}:{sample.line} (in its prelude)"
        print(f"{at}: {diagnostic['severity']}: {diagnostic['message']}", file=sys.stderr)
        errors += diagnostic["severity"] == "error"
    for sample in skipped:
        print(
            f"check_samples: skipped {sample.page.relative_to(ROOT)}:{sample.line}: {sample.skip}"
        )
    marked = sum(1 for s in checked if s.prelude or s.wrapped)
    print(
        f"check_samples: {len(checked)} samples type-checked under pyright strict "
        f"({marked} with a prelude or as an async body), {len(skipped)} skipped, "
        f"{includes} includes checked in their files; {errors} error(s)"
    )
    return 1 if errors or out.returncode not in (0, 1) else 0


if __name__ == "__main__":
    sys.exit(main())
