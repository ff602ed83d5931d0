"""What every plugin module shares: the plugins' names as `/v4/info` lists them, and the
parsers their routes use."""

from __future__ import annotations

import enum
import typing

import msgspec

from hikari_lavalink.errors import RemoteProtocolError

__all__ = [
    "NODELINK_BUILT_IN",
    "PluginName",
    "body_decoder",
    "no_body",
    "optional_body_decoder",
]

T = typing.TypeVar("T")


class PluginName(enum.StrEnum):
    """A plugin's name in `/v4/info` `plugins[].name` (its `lavalinkPlugin { name }`)."""

    LAVASRC = "lavasrc-plugin"
    LAVASEARCH = "lavasearch-plugin"
    LAVALYRICS = "lavalyrics-plugin"
    SPONSORBLOCK = "sponsorblock-plugin"
    YOUTUBE = "youtube-plugin"


NODELINK_BUILT_IN: typing.Final[frozenset[str]] = frozenset(
    {PluginName.LAVALYRICS, PluginName.SPONSORBLOCK}
)
"""The plugins whose features NodeLink has built in (lyrics, live lyrics, SponsorBlock),
spoken its own way."""


def body_decoder(kind: type[T] | typing.Any, what: str) -> typing.Callable[[bytes], T]:
    """A route parser for `kind`: lenient (snowflake strings to ints, `"0"` to `0`), raising
    [`RemoteProtocolError`][hikari_lavalink.RemoteProtocolError] on a body that does not fit."""
    decode = msgspec.json.Decoder(kind, strict=False).decode

    def parse(body: bytes) -> T:
        try:
            return decode(body)
        except (msgspec.DecodeError, UnicodeError) as exc:
            raise RemoteProtocolError(f"invalid {what}: {exc}", body) from None
        except RecursionError:
            raise RemoteProtocolError(f"invalid {what}: nested too deep", body) from None

    return parse


def optional_body_decoder(
    kind: type[T] | typing.Any, what: str
) -> typing.Callable[[bytes], T | None]:
    """As [`body_decoder`][hikari_lavalink.protocol.plugins.base.body_decoder], with `None` for
    an empty body (a 204: "nothing found")."""
    parse = body_decoder(kind, what)

    def parse_optional(body: bytes) -> T | None:
        return parse(body) if body.strip() else None

    return parse_optional


def no_body(_: bytes) -> None:
    """The parser of a route whose success has no body (204, or a `void` handler's 200)."""
    return
