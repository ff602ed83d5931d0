"""Smoke-test an installed hikari-lavalink (run by .ci/install-smoke in a fresh venv).

1. The package comes from site-packages, not from a checkout; it ships py.typed, and the
   distribution installed nothing but the package and its dist-info.
2. Its declared dependencies are exactly what it imports: every third-party package an
   installed module imports at run time (``if TYPE_CHECKING:`` blocks left out) is declared,
   in ``dependencies`` or in an extra, and every declared one is imported.
3. Every module imports, but those whose extra is not installed (listed as skipped).
4. A real ``hikari.GatewayBot`` on the test kit's FakeDiscord (2 shards) and a
   ``LavalinkClient`` on its FakeLavalink: the node gets ready, the bot joins a guild of
   shard 1, loads a track of the catalogue and plays it (a ``TrackStartEvent``), leaves and
   closes. Each step waits on an event, with a timeout; the event loop must report no error.

Usage: ``python smoke_installed.py [--extras lightbulb,redis,testing]`` (the extras that were
installed: a module of one of them must then import). ``--dependencies-only`` runs step 2
alone, on whatever install the interpreter imports (`make test` runs it in the dev venv,
where the package is the editable checkout).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import importlib
import importlib.metadata
import pathlib
import re
import site
import sys
import tomllib
import typing

DIST = "hikari-lavalink"
PACKAGE = "hikari_lavalink"
# The distribution of each import name, for those packages_distributions() cannot tell
# (an extra that is not installed).
IMPORT_TO_DIST = {
    "aiohttp": "aiohttp",
    "attrs": "attrs",
    "hikari": "hikari",
    "lightbulb": "hikari-lightbulb",
    "msgspec": "msgspec",
    "pytest": "pytest",
    "pytest_asyncio": "pytest-asyncio",
    "redis": "redis",
    "yarl": "yarl",
}
TIMEOUT = 15.0
# Set by --dependencies-only: the declared dependencies are read from this pyproject.toml.
PYPROJECT: pathlib.Path | None = None


def fail(why: str) -> typing.NoReturn:
    print(f"smoke: FAILED: {why}", file=sys.stderr, flush=True)
    raise SystemExit(1)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> dict[str, str | None]:
    """Each declared requirement's distribution -> its extra (None: a core dependency).

    From the installed metadata, or with `PYPROJECT` set from that pyproject.toml (an
    editable install's metadata is as old as the install)."""
    out: dict[str, str | None] = {}
    requirements = importlib.metadata.requires(DIST) or []
    if PYPROJECT is not None:
        project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
        requirements = list(project.get("dependencies", []))
        for extra, more in project.get("optional-dependencies", {}).items():
            requirements += [f'{r}; extra == "{extra}"' for r in more]
    for requirement in requirements:
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert name is not None, requirement
        extra = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", requirement)
        out[normalise(name.group())] = extra.group(1) if extra else None
    return out


def is_type_checking(test: ast.expr) -> bool:
    return any(
        isinstance(n, ast.Name | ast.Attribute)
        and (n.id if isinstance(n, ast.Name) else n.attr) == "TYPE_CHECKING"
        for n in ast.walk(test)
    )


def runtime_imports(tree: ast.AST) -> set[str]:
    """The top-level names a module imports, but under ``if TYPE_CHECKING:``."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def check_install(root: pathlib.Path) -> None:
    prefixes = [pathlib.Path(p).resolve() for p in site.getsitepackages()]
    if not any(root.is_relative_to(p) for p in prefixes):
        fail(f"{PACKAGE} imported from {root}, not from this venv's site-packages {prefixes}")
    if not (root / "py.typed").is_file():
        fail("the installed package has no py.typed")
    files = importlib.metadata.files(DIST) or []
    stray = sorted(
        str(f) for f in files if f.parts[0] != PACKAGE and not f.parts[0].endswith(".dist-info")
    )
    if stray:
        fail(f"the wheel installed files outside the package: {stray}")
    print(f"smoke: {DIST} {importlib.metadata.version(DIST)} installed at {root}")


def check_dependencies(root: pathlib.Path, modules: dict[str, pathlib.Path]) -> None:
    wanted = declared()
    known = {k: normalise(v[0]) for k, v in importlib.metadata.packages_distributions().items()}
    used: dict[str, set[str]] = {}
    for module, path in modules.items():
        for name in runtime_imports(ast.parse(path.read_bytes(), str(path))):
            if name == PACKAGE or name in sys.stdlib_module_names:
                continue
            dist = normalise(IMPORT_TO_DIST.get(name) or known.get(name) or name)
            used.setdefault(dist, set()).add(module)
    undeclared = {d: sorted(m) for d, m in used.items() if d not in wanted}
    if undeclared:
        fail(f"imported but not declared: {undeclared}")
    unused = sorted(set(wanted) - set(used))
    if unused:
        fail(f"declared but never imported: {unused}")
    for dist, extra in sorted(wanted.items(), key=lambda kv: (kv[1] or "", kv[0])):
        where = f"extra [{extra}]" if extra else "core"
        by = sorted(m.removeprefix(f"{PACKAGE}.") for m in used[dist])
        more = f" and {len(by) - 3} more" if len(by) > 3 else ""
        print(f"smoke: {dist:<16} {where:<18} imported by {', '.join(by[:3])}{more}")


def import_all(modules: dict[str, pathlib.Path], extras: set[str]) -> None:
    wanted = declared()
    skipped: list[str] = []
    for module in sorted(modules):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            top = (error.name or "").split(".")[0]
            extra = wanted.get(normalise(IMPORT_TO_DIST.get(top, top)))
            if extra is None or extra in extras:
                fail(f"import {module}: {error!r}")
            skipped.append(f"{module} (extra [{extra}])")
    print(f"smoke: imported {len(modules) - len(skipped)} of {len(modules)} modules")
    for module in skipped:
        print(f"smoke: skipped {module}: not installed")


async def scenario() -> None:
    # Imported here, once every module was checked to import.
    import hikari  # noqa: PLC0415

    import hikari_lavalink as hl  # noqa: PLC0415
    from hikari_lavalink.testing import FakeDiscord, FakeLavalink, factories  # noqa: PLC0415

    password = "smoke-password"  # noqa: S105 - the fake's password, not a secret
    song = factories.make_track(title="Smoke", length=600_000)
    catalogue: dict[str, hl.LoadResult] = {"ytsearch:smoke": factories.make_search([song])}
    loop = asyncio.get_running_loop()
    errors: list[dict[str, typing.Any]] = []
    loop.set_exception_handler(lambda _, context: errors.append(context))
    async with (
        FakeDiscord(shard_count=2) as discord,
        FakeLavalink(password=password, catalogue=catalogue) as lavalink,
    ):
        bot = hikari.GatewayBot(discord.token, rest_url=discord.rest_url, banner=None, logs=None)
        lava = hl.LavalinkClient(bot)
        lava.add_node(name="main", host=lavalink.host, port=lavalink.port, password=password)
        started: asyncio.Future[hl.TrackStartEvent] = loop.create_future()

        @bot.listen(hl.TrackStartEvent)
        async def on_start(event: hl.TrackStartEvent) -> None:
            if not started.done():
                started.set_result(event)

        await bot.start(check_for_updates=False, shard_count=2)
        try:
            async with asyncio.timeout(TIMEOUT):
                await lava.wait_ready()
                guild = discord.guilds[1]  # on shard 1: op 4 must go there
                player = await lava.join(guild.id, guild.voice_channel_ids[0])
                result = await lava.load_tracks("ytsearch:smoke")
                await player.play(result.tracks[0])
                event = await started
                await lava.leave(guild.id)
        finally:
            await bot.close()
    if event.track.info.title != "Smoke" or event.guild_id != guild.id:
        fail(f"unexpected {event!r}")
    if discord.wrong_shard_ops:
        fail(f"op 4 on the wrong shard: {discord.wrong_shard_ops}")
    if errors:
        fail(f"the event loop reported errors: {errors}")
    print(
        f"smoke: hikari {hikari.__version__}: ready, joined guild {guild.id} on shard 1, "
        f"played {event.track.info.title!r} (TrackStartEvent), left, closed"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--extras", default="", help="the extras installed, comma-separated")
    parser.add_argument(
        "--dependencies-only", action="store_true", help="only the declared dependencies"
    )
    args = parser.parse_args()
    extras = {e for e in args.extras.split(",") if e}
    print(f"smoke: Python {sys.version.split()[0]} at {sys.executable}")
    package = importlib.import_module(PACKAGE)
    root = pathlib.Path(package.__file__ or "").resolve().parent
    if args.dependencies_only:
        global PYPROJECT  # noqa: PLW0603 - one flag, read by declared()
        PYPROJECT = pathlib.Path(__file__).resolve().parent.parent / "pyproject.toml"
    else:
        check_install(root)
    modules = {
        ".".join((PACKAGE, *path.relative_to(root).with_suffix("").parts)).removesuffix(
            ".__init__"
        ): path
        for path in sorted(root.rglob("*.py"))
    }
    check_dependencies(root, modules)
    if args.dependencies_only:
        return
    import_all(modules, extras)
    asyncio.run(scenario())
    print("smoke: OK")


if __name__ == "__main__":
    main()
