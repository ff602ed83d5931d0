"""Check the built docs site for reStructuredText that was rendered raw (run by `make docs`).

The docstrings are Markdown (mkdocstrings renders them so): a Sphinx role (``:class:`X```),
an RST directive (``.. code-block::``), an RST literal-block marker (a paragraph ending in
``::``), RST double backticks or an RST hyperlink (`` `text <url>`_ ``) reaches the HTML as
text. So does a cross-reference autorefs could not resolve (``[text][identifier]``). The
script reads each page's text (never its attributes, scripts or styles) and fails with the
page and a snippet of each finding.

Roles and directives are looked for in prose and in code blocks (``<pre>``), the other
patterns in prose only; inline ``<code>`` is never searched (a page may quote a role there).

Usage: ``python .ci/check_site.py [SITE_DIR]`` (default ``.venv/site``).
"""

from __future__ import annotations

import html.parser
import pathlib
import re
import sys

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
    if total:
        print(f"check_site: {total} raw RST construct(s) in {site}", file=sys.stderr)
        return 1
    print(f"check_site: {len(pages)} pages, no raw RST")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
