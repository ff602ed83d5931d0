"""Check the built docs site for reStructuredText that was rendered raw (run by `make docs`).

The docstrings are Markdown (mkdocstrings renders them so): a Sphinx role (``:class:`X```),
an RST directive (``.. code-block::``), an RST literal-block marker (a paragraph ending in
``::``), RST double backticks or an RST hyperlink (`` `text <url>`_ ``) reaches the HTML as
text. So does a cross-reference autorefs could not resolve (``[text][identifier]``). The
script reads each page's text (never its attributes, scripts or styles) and fails with the
page and a snippet of each finding.

Roles and directives are looked for in prose and in code blocks (``<pre>``), the other
patterns in prose only; inline ``<code>`` is never searched (a page may quote a role there).

The API reference pages (``reference/``) are checked against the public API
(`.ci/public_api.py`): every documented object (a heading's id) is a public name or a
member of one, never a private name; every public name is documented; no base class shown
is left undocumented (an internal one); no text says "internal", and no descriptor type
(``SideField``, ``Setting``) shows.

Usage: ``python .ci/check_site.py [SITE_DIR]`` (default ``.venv/site``).
"""

from __future__ import annotations

import html.parser
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import public_api

CODE = "\x1a"  # stands for inline code in the text searched
ROLES = "class|meth|func|attr|mod|data|exc|obj|const|ref|term|doc|any|py:[a-z]+"
# (name, pattern, searched in code blocks too)
PATTERNS: list[tuple[str, re.Pattern[str], bool]] = [
    ("Sphinx role", re.compile(rf"(?<![\w:]):(?:{ROLES}):(?=\S)"), True),
    ("RST directive", re.compile(r"(?m)(?:^|\s)\.\. [A-Za-z][\w-]*::"), True),
    ("RST literal-block marker", re.compile(r"[^\s:]::(?=\s*$)"), False),
    ("RST double backticks", re.compile(r"``"), False),
    ("RST hyperlink", re.compile(r"<https?://[^>\s]*>`?_|\x1a__?(?!\w)"), False),
    ("unresolved cross-reference", re.compile(r"\]\[[A-Za-z_][\w.]*\]"), False),
]
SKIPPED = {"script", "style"}
VOID = {"br", "hr", "img", "input", "link", "meta", "wbr", "source", "col", "area", "base"}
# Elements whose end closes a run of text (a finding never spans two of them).
BLOCKS = {"p", "li", "td", "th", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "div"}


class _Text(html.parser.HTMLParser):
    """Collects a page's text in runs: (is a code block, text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[tuple[bool, str]] = []
        self._stack: list[str] = []
        self._buffer: list[str] = []
        self._in_pre = False

    def _flush(self) -> None:
        if self._buffer:
            self.runs.append((self._in_pre, "".join(self._buffer)))
            self._buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        if tag == "pre" or tag in BLOCKS:
            self._flush()
        self._stack.append(tag)
        if tag == "pre":
            self._in_pre = True

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._stack:
            return
        while self._stack:
            top = self._stack.pop()
            if top == "pre" or top in BLOCKS:
                self._flush()
            if top == "pre":
                self._in_pre = "pre" in self._stack
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if SKIPPED.intersection(self._stack):
            return
        if "code" in self._stack and not self._in_pre:
            # Inline code: kept out of the search, a placeholder stands for it.
            if not self._buffer or self._buffer[-1] != CODE:
                self._buffer.append(CODE)
            return
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def findings(page: pathlib.Path) -> list[tuple[str, str]]:
    """(what, snippet) for each raw construct on one page."""
    parser = _Text()
    parser.feed(page.read_text(encoding="utf-8"))
    parser.close()
    found: list[tuple[str, str]] = []
    for in_pre, text in parser.runs:
        for name, pattern, in_code in PATTERNS:
            if in_pre and not in_code:
                continue
            for match in pattern.finditer(text):
                start, end = max(match.start() - 40, 0), min(match.end() + 40, len(text))
                snippet = " ".join(text[start:end].replace(CODE, "`...`").split())
                found.append((name, snippet))
    return found


HEADING_ID = re.compile(r'<h[1-6] id="(hikari_lavalink[^"]*)"[^>]*class="doc doc-heading')
BASES = re.compile(r"Bases: (.*?)</p>", re.DOTALL)
UNDOCUMENTED_BASE = re.compile(r'<span title="\s*(hikari_lavalink[\w.]*)')
REFERENCE_TEXT = [
    ("a text saying 'internal'", public_api.INTERNAL),
    ("a descriptor type", re.compile(r"\b(?:SideField|Setting)\b")),
]


def reference_findings(site: pathlib.Path) -> list[tuple[str, str, str]]:
    """(page, what, detail) for each thing a reference page shows that is not public API."""
    public = public_api.public_paths()
    found: list[tuple[str, str, str]] = []
    documented: set[str] = set()
    for page in sorted((site / "reference").rglob("*.html")):
        name = str(page.relative_to(site))
        text = page.read_text(encoding="utf-8")
        for ident in HEADING_ID.findall(text):
            documented.add(ident)
            owner = max(
                (p for p in public if ident == p or ident.startswith(f"{p}.")),
                key=len,
                default=None,
            )
            if owner is None:
                found.append((name, "not a public name", ident))
                continue
            private = [s for s in ident[len(owner) + 1 :].split(".") if s.startswith("_")]
            if any(not (s.startswith("__") and s.endswith("__")) for s in private):
                found.append((name, "a private member", ident))
        for bases in BASES.findall(text):
            found += [(name, "an undocumented base", b) for b in UNDOCUMENTED_BASE.findall(bases)]
        parser = _Text()
        parser.feed(text)
        parser.close()
        for _, run in parser.runs:
            for what, pattern in REFERENCE_TEXT:
                for match in pattern.finditer(run):
                    snippet = run[max(match.start() - 40, 0) : match.end() + 40]
                    found.append((name, what, " ".join(snippet.replace(CODE, "`...`").split())))
    found += [
        ("reference/", "a public name not documented", p) for p in sorted(public - documented)
    ]
    return found


def main(argv: list[str]) -> int:
    site = pathlib.Path(argv[1] if len(argv) > 1 else ".venv/site")
    pages = sorted(site.rglob("*.html"))
    if not pages:
        print(f"check_site: no HTML pages under {site}", file=sys.stderr)
        return 2
    total = 0
    for page in pages:
        for name, snippet in findings(page):
            total += 1
            print(f"{page.relative_to(site)}: {name}: {snippet}", file=sys.stderr)
    problems = reference_findings(site)
    for page, what, detail in problems:
        print(f"{page}: {what}: {detail}", file=sys.stderr)
    if total or problems:
        print(
            f"check_site: {total} raw RST construct(s), {len(problems)} non-public thing(s) in "
            f"the reference, in {site}",
            file=sys.stderr,
        )
        return 1
    public = len(public_api.public_paths())
    print(
        f"check_site: {len(pages)} pages, no raw RST; the reference shows the {public} public "
        "names and nothing private"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
