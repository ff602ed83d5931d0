"""Build a [`Node`][hikari_lavalink.Node] wired to the aiohttp transport."""

from __future__ import annotations

import typing

from hikari_lavalink.runtime.node import CLIENT_NAME, Node
from hikari_lavalink.transport.node import AiohttpNodeTransport, SharedSession

if typing.TYPE_CHECKING:
    import collections.abc

    import aiohttp

    from hikari_lavalink.runtime.node import NodeListener

__all__ = ["SharedSession", "create_node"]


def create_node(
    *,
    name: str,
    host: str,
    port: int,
    password: str,
    user_id: int,
    secure: bool = False,
    session: aiohttp.ClientSession | SharedSession | None = None,
    listener: NodeListener | None = None,
    resuming: bool = True,
    resume_timeout: int = 60,
    reconnect_base: float = 0.5,
    reconnect_cap: float = 30.0,
    session_id: str | None = None,
    restore_players: bool = True,
    regions: collections.abc.Iterable[str] = (),
    rest_timeout: float = 10.0,
    client_name: str = CLIENT_NAME,
) -> Node:
    """Create a node that talks to a Lavalink v4 server over aiohttp.

    Call `await node.start()` to connect; the node reconnects and resumes by itself.

    Parameters
    ----------
    name
        A name for logs and lookups.
    host, port, secure
        Where the server listens (`secure` uses `https`/`wss`).
    password
        The server's password; it is never logged or shown in a repr.
    user_id
        The bot's user id.
    session
        An aiohttp session (or a [`SharedSession`][hikari_lavalink.nodes.SharedSession]) to share;
        otherwise the node creates its own and closes it with itself.
    listener
        Receives messages and lifecycle changes (see
        [`NodeListener`][hikari_lavalink.NodeListener]).
    resuming, resume_timeout
        Session resuming, on by default, kept `resume_timeout` seconds by the server.
    reconnect_base, reconnect_cap
        The first and the longest wait between reconnect attempts, in seconds.
    session_id
        A session to resume on the first connect.
    restore_players
        Recreate local players on a new session when the old one was lost.
    regions
        Regions this node serves (`"europe"`, `"us-east"`...), for node selection.
    rest_timeout
        Seconds before a REST call or the WebSocket handshake gives up.
    client_name
        Sent as `Client-Name`.

    Examples
    --------
    >>> node = create_node(name="main", host="127.0.0.1", port=2333, password="pw", user_id=1)
    """
    transport = AiohttpNodeTransport(
        host=host,
        port=port,
        password=password,
        name=name,
        secure=secure,
        session=session,
        rest_timeout=rest_timeout,
    )
    return Node(
        name=name,
        transport=transport,
        user_id=user_id,
        listener=listener,
        resuming=resuming,
        resume_timeout=resume_timeout,
        reconnect_base=reconnect_base,
        reconnect_cap=reconnect_cap,
        session_id=session_id,
        restore_players=restore_players,
        regions=regions,
        client_name=client_name,
    )
