"""The API reference shows the public API only: what it is, how it is rendered, how it is checked.

The public API is what the public modules export in `__all__` (`PUBLIC_MODULES`: the package,
the node layer, the optional extras' modules and the test kit). This file is three things:

- a mkdocs hook (`hooks:` in mkdocs.yml): a reference page holds a line
  ``<!-- public-api: PREFIX... -->``; the hook replaces it with one ``::: module.Name`` block
  per public name imported from a module under one of the prefixes (the longest prefix of
  all the reference pages wins; ``hikari_lavalink`` alone takes what no other page does), in
  `__all__` order. A name added to an `__all__` later lands on its page by itself;
- a griffe extension (`PublicOnly`, in mkdocstrings' `extensions`): it keeps internals out of
  what is rendered: members whose docstring says they are internal (a line starting with
  ``Internal:``, or ``(internal`` in it), bases that are not public (their members are
  shown as the class's own), and it renders a descriptor attribute (``x: SideField[T] =
  SideField(...)``, the same for ``Setting``) as the typed attribute ``x: T``;
- the tables `.ci/check_site.py` checks the built reference pages against (`public_paths`,
  `is_internal`).

Both the hook and the check read the `__all__` lists from the source (ast), never importing
the package, so a missing optional dependency cannot change what is public.
"""

from __future__ import annotations

import ast
import pathlib
import re
import typing

ROOT = pathlib.Path(__file__).resolve().parents[1]
SOURCE = ROOT / "plugin"
PACKAGE = "hikari_lavalink"
# The modules whose __all__ is the public API (the test kit's fixtures are pytest fixtures).
PUBLIC_MODULES = (
    PACKAGE,
    f"{PACKAGE}.nodes",
    f"{PACKAGE}.store.redis",
    f"{PACKAGE}.ext.lightbulb",
    f"{PACKAGE}.testing",
    f"{PACKAGE}.testing.fixtures",
)
# The descriptors rendered as the attribute they stand for (their type argument).
DESCRIPTORS = {"SideField", "Setting"}
INTERNAL = re.compile(r"(?m)^\s*Internal:|\(internal\b", re.IGNORECASE)
MARKER = re.compile(r"^<!-- public-api: ([\w. ]+) -->$", re.MULTILINE)


def is_internal(docstring: str | None) -> bool:
    """Whether a docstring marks its object as internal (kept out of the reference)."""
    return bool(docstring and INTERNAL.search(docstring))


# -- the public names, from the source --------------------------------------------------------


def _module_file(module: str) -> pathlib.Path:
    path = SOURCE.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


class Export(typing.NamedTuple):
    """One public name: the module that exports it, and the module it comes from."""

    name: str
    public_module: str
    source: str  # the module it is imported from (the exporting module when defined there)
    is_module: bool

    @property
    def path(self) -> str:
        return f"{self.public_module}.{self.name}"


def module_all(module: str) -> list[str]:
    """A module's `__all__`, read from its source."""
    tree = ast.parse(_module_file(module).read_text(encoding="utf-8"))
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            value = typing.cast("ast.Assign", node).value
            return [
                typing.cast("str", ast.literal_eval(e))
                for e in ast.walk(value)
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            ]
    return []


def exports(module: str) -> list[Export]:
    """The public names of one public module, in `__all__` order."""
    tree = ast.parse(_module_file(module).read_text(encoding="utf-8"))
    sources: dict[str, tuple[str, bool]] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                is_module = _module_file(sub).exists()
                sources[alias.asname or alias.name] = (sub if is_module else node.module, is_module)
    out: list[Export] = []
    for name in module_all(module):
        source, is_module = sources.get(name, (module, False))
        out.append(Export(name, module, source, is_module))
    return out


def all_exports() -> list[Export]:
    return [e for module in PUBLIC_MODULES for e in exports(module)]


def public_paths() -> set[str]:
    """Every public object's path as the reference shows it (``hikari_lavalink.Player``...)."""
    return {e.path for e in all_exports()}


# -- the mkdocs hook ---------------------------------------------------------------------------

_pages: dict[str, list[str]] = {}  # a reference page's src path -> its prefixes


def on_files(files: typing.Any, config: typing.Any) -> typing.Any:
    _pages.clear()
    for file in files:
        if file.src_uri.startswith("reference/") and file.src_uri.endswith(".md"):
            text = pathlib.Path(file.abs_src_path).read_text(encoding="utf-8")
            for match in MARKER.finditer(text):
                _pages.setdefault(file.src_uri, []).extend(match.group(1).split())
    return files


def page_of(export: Export) -> str:
    """The reference page a public name is shown on (the longest prefix matching its source)."""
    best, length = "", -1
    for page, prefixes in _pages.items():
        for prefix in prefixes:
            if (export.source == prefix or export.source.startswith(f"{prefix}.")) and len(
                prefix
            ) > length:
                best, length = page, len(prefix)
    if not best:
        msg = f"public-api: no reference page takes {export.path} (from {export.source})"
        raise ValueError(msg)
    return best


def _block(export: Export, everything: set[str]) -> str:
    lines = [f"::: {export.path}"]
    if export.is_module:
        # A module the public module exports: its own names not exported on their own.
        own = [
            n for n in module_all(export.source) if f"{export.public_module}.{n}" not in everything
        ]
        lines += ["    options:", "      show_root_heading: true"]
        lines += (
            ["      members:", *(f"        - {n}" for n in own)]
            if own
            else ["      members: false"]
        )
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: typing.Any, config: typing.Any, files: typing.Any) -> str:
    if page.file.src_uri not in _pages:
        return markdown
    table = all_exports()
    everything = {e.path for e in table}
    # In __all__ order, but the dunders (`__version__`) last.
    mine = sorted(
        (e for e in table if page_of(e) == page.file.src_uri),
        key=lambda e: e.name.startswith("__"),
    )
    blocks = "\n\n".join(_block(e, everything) for e in mine)
    return MARKER.sub(lambda _: blocks, markdown, count=1).replace(MARKER.pattern, "")


# -- the griffe extension -----------------------------------------------------------------------

try:
    import griffe
except ImportError:  # check_site.py imports this file without griffe's help
    griffe = None


if griffe is not None:

    class PublicOnly(griffe.Extension):
        """Internals out of the rendered reference (see the module's docstring)."""

        def on_package(self, *, pkg: griffe.Module, **kwargs: typing.Any) -> None:
            if pkg.name != PACKAGE:
                return
            public = {e.path for e in all_exports()}
            canonical = set()
            for path in public:
                try:
                    canonical.add(pkg.modules_collection[path].canonical_path)
                except (KeyError, griffe.AliasResolutionError):
                    continue
            for cls in _classes(pkg):
                _inline_private_bases(cls, canonical)
                for name, member in list(cls.members.items()):
                    if member.is_alias:
                        continue
                    if is_internal(member.docstring.value if member.docstring else None):
                        del cls.members[name]
                    elif isinstance(member, griffe.Attribute):
                        _descriptor_as_attribute(member)

    def _classes(module: griffe.Module) -> typing.Iterator[griffe.Class]:
        for member in module.members.values():
            if member.is_alias:
                continue
            if isinstance(member, griffe.Module):
                yield from _classes(member)
            elif isinstance(member, griffe.Class):
                yield member

    def _inline_private_bases(cls: griffe.Class, public: set[str]) -> None:
        """Drop the bases that are not public; their members become the class's own."""
        keep: list[griffe.Expr | str] = []
        for base, expr in zip(_resolved(cls), cls.bases, strict=False):
            if base is None or base.canonical_path in public or not base.path.startswith(PACKAGE):
                keep.append(expr)
                continue
            for name, member in base.all_members.items():
                docstring = member.docstring.value if member.docstring else None
                if (
                    name not in cls.members
                    and not name.startswith("_")
                    and not is_internal(docstring)
                ):
                    cls.set_member(name, griffe.Alias(name, member, parent=cls, inherited=True))
        cls.bases = keep

    def _resolved(cls: griffe.Class) -> list[griffe.Class | None]:
        out: list[griffe.Class | None] = []
        for expr in cls.bases:
            path = expr.canonical_path if isinstance(expr, griffe.Expr) else expr
            try:
                target = cls.modules_collection[path]
            except (KeyError, griffe.AliasResolutionError):
                out.append(None)
                continue
            out.append(target if isinstance(target, griffe.Class) else None)
        return out

    def _descriptor_as_attribute(attribute: griffe.Attribute) -> None:
        annotation = attribute.annotation
        if isinstance(annotation, griffe.ExprSubscript) and str(annotation.left) in DESCRIPTORS:
            inner = annotation.slice
            attribute.annotation = inner
            attribute.value = None
