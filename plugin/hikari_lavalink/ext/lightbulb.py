"""hikari-lightbulb 3 extension: a [`LavalinkClient`][hikari_lavalink.LavalinkClient] in dependency
injection.

Either load it as an extension, configured from the environment (`LAVALINK_HOST`,
`LAVALINK_PORT`, `LAVALINK_PASSWORD`, `LAVALINK_SECURE`, `LAVALINK_NAME`):

```python
await client.load_extensions("hikari_lavalink.ext.lightbulb")
```

or build the Lavalink client yourself and add its loader:

```python
lava = hikari_lavalink.LavalinkClient(bot)
lava.add_node(name="main", host="127.0.0.1", port=2333, password="...")
await hikari_lavalink.ext.lightbulb.make_loader(lava).add_to_client(client)
```

Then inject it anywhere lightbulb injects:

```python
async def invoke(
    self, ctx: lightbulb.Context, lava: LavalinkClient = lightbulb.di.INJECTED
) -> None: ...
```

Load the extension before the DI registry freezes (before the first command or listener
runs, typically at `StartingEvent`). Its teardown closes the Lavalink client.
"""

from __future__ import annotations

import os
import typing

import lightbulb

from hikari_lavalink._typing import override
from hikari_lavalink.client import LavalinkClient

if typing.TYPE_CHECKING:
    import collections.abc

    import hikari

__all__ = ["loader", "make_loader", "nodes_from_env"]


def nodes_from_env(
    lava: LavalinkClient, environ: collections.abc.Mapping[str, str] | None = None
) -> None:
    """Add the node described by `LAVALINK_*` variables, if `LAVALINK_HOST` is set."""
    env = os.environ if environ is None else environ
    host = env.get("LAVALINK_HOST")
    if not host:
        return
    lava.add_node(
        name=env.get("LAVALINK_NAME", "main"),
        host=host,
        port=int(env.get("LAVALINK_PORT", "2333")),
        password=env.get("LAVALINK_PASSWORD", "youshallnotpass"),
        secure=env.get("LAVALINK_SECURE", "").lower() in {"1", "true", "yes"},
    )


class _Register(lightbulb.Loadable):
    __slots__ = ("_factory", "_lava")

    def __init__(
        self,
        factory: LavalinkClient
        | collections.abc.Callable[[hikari.GatewayBotAware], LavalinkClient],
    ) -> None:
        self._factory = factory
        self._lava: LavalinkClient | None = None

    @override
    async def load(self, client: lightbulb.Client) -> None:
        registry = client.di.registry_for(lightbulb.di.Contexts.DEFAULT)
        if LavalinkClient in registry:
            return
        app = typing.cast("hikari.GatewayBotAware", client.app)
        factory = self._factory
        lava = factory if isinstance(factory, LavalinkClient) else factory(app)
        self._lava = lava
        registry.register_value(LavalinkClient, lava, teardown=LavalinkClient.close)

    @override
    async def unload(self, client: lightbulb.Client) -> None:
        lava, self._lava = self._lava, None
        if lava is not None:
            lava.detach()
            await lava.close()


def _from_env(app: hikari.GatewayBotAware) -> LavalinkClient:
    lava = LavalinkClient(app)
    nodes_from_env(lava)
    return lava


def make_loader(
    lava: LavalinkClient
    | collections.abc.Callable[[hikari.GatewayBotAware], LavalinkClient] = _from_env,
) -> lightbulb.Loader:
    """A loader that registers `lava` (or the client `lava(bot)` builds) in DI."""
    new = lightbulb.Loader()
    new.add(_Register(lava))
    return new


loader: typing.Final = make_loader()
"""The loader found by `client.load_extensions("hikari_lavalink.ext.lightbulb")`."""
