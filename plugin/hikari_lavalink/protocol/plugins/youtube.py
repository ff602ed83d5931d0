"""youtube-source (`youtube-plugin`): its REST routes (under `/youtube`, not `/v4`) and the
per-track OAuth token.

- `GET /youtube`: the refresh token the source uses
  ([`YoutubeConfig`][hikari_lavalink.protocol.plugins.youtube.YoutubeConfig]);
- `POST /youtube`: set the refresh token, the poToken and visitorData (204);
- `GET /youtube/oauth/{refreshToken}`: a new access token from Google
  ([`YoutubeAccessToken`][hikari_lavalink.protocol.plugins.youtube.YoutubeAccessToken]).
  The server may label it `text/plain`; it is read as JSON whatever its content type;
- `GET /youtube/stream/{videoId}?itag=&withClient=`: a video's media, as bytes
  ([`stream`][hikari_lavalink.protocol.plugins.youtube.stream], for `node.request`).

Each answers 400 "The YouTube source manager is not registered." when the source is
off (the README says 500), and 500 when Google refuses a token: both are a
[`RestError`][hikari_lavalink.RestError].

**Secrets.** Tokens never show in these models' reprs, nor in a route's repr, the
transport's logs or a `RestError` (the refresh token in the oauth path is redacted). The
per-track access token
([`with_oauth_token`][hikari_lavalink.protocol.plugins.youtube.with_oauth_token]) lives in
the track's `user_data`, which Lavalink echoes in every event of the track: the
[`Track`][hikari_lavalink.Track] repr hides it, but `track.user_data` holds it, and a
[store][hikari_lavalink.SessionStore] saves it with the queue.

**Refresh tokens with `/`.** Google's refresh tokens start with `1//`; the route escapes
the `/` (`%2F`), which Spring's and Tomcat's defaults may refuse (400). Read from those
defaults, not tried against a server.
"""

from __future__ import annotations

import typing
import urllib.parse

import msgspec

from hikari_lavalink._typing import override
from hikari_lavalink.errors import UsageError
from hikari_lavalink.protocol import codec
from hikari_lavalink.protocol.models import Inbound, Track
from hikari_lavalink.protocol.routes import Route

__all__ = [
    "OAUTH_TOKEN_KEY",
    "UNCHANGED",
    "YoutubeAccessToken",
    "YoutubeConfig",
    "YoutubeConfigUpdate",
    "get_config",
    "oauth_token",
    "oauth_token_of",
    "stream",
    "update_config",
    "with_oauth_token",
]

OAUTH_TOKEN_KEY: typing.Final = "oauth-token"  # noqa: S105 - a key, not a secret
"""The `userData` key youtube-source reads a track's OAuth access token from."""
UNCHANGED: typing.Final = "x"
"""The refresh token youtube-source reads as "leave it as it is" (its default)."""


def _hidden(value: str | None) -> str:
    return "None" if value is None else "[REDACTED]"


class YoutubeConfig(Inbound, kw_only=True, frozen=True):
    """`GET /youtube`: the refresh token in use, `None` when OAuth is off (never shown in
    the repr)."""

    refresh_token: str | None = None

    @override
    def __repr__(self) -> str:
        return f"YoutubeConfig(refresh_token={_hidden(self.refresh_token)})"


class YoutubeAccessToken(msgspec.Struct, kw_only=True, frozen=True):
    """Google's token answer to `GET /youtube/oauth/{refreshToken}` (snake_case keys, as
    Google writes them); the token never shows in the repr."""

    access_token: str
    expires_in: int | None = None
    """Seconds the token lives."""
    scope: str | None = None
    token_type: str | None = None

    @override
    def __repr__(self) -> str:
        return (
            f"YoutubeAccessToken(access_token=[REDACTED], expires_in={self.expires_in!r}, "
            f"scope={self.scope!r}, token_type={self.token_type!r})"
        )

    @override
    def __rich_repr__(self) -> list[tuple[str, typing.Any]]:
        return [(k, "[REDACTED]" if k == "access_token" else v) for k, v in super().__rich_repr__()]


class YoutubeConfigUpdate(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    """Body of `POST /youtube`; an `UNSET` field is not sent.

    Attributes
    ----------
    refresh_token
        A refresh token to use; `None` drops the current one and starts a new OAuth flow
        (its device code is in the server's log); not sent (or
        [`UNCHANGED`][hikari_lavalink.protocol.plugins.youtube.UNCHANGED]): unchanged.
    skip_initialization
        With a new refresh token: use it without asking Google first (the server's
        default, `True`).
    po_token, visitor_data
        A poToken and its visitorData, set together. **The server sets both on every
        POST where either is `None` or not sent**: a POST without them clears them.
        `""` for one and a value for the other is ignored by the server, so refused here.

    Raises
    ------
    UsageError
        One of `po_token` and `visitor_data` is `""` and the other is not.
    """

    refresh_token: str | msgspec.UnsetType | None = msgspec.UNSET
    skip_initialization: bool | msgspec.UnsetType = msgspec.UNSET
    po_token: str | msgspec.UnsetType | None = msgspec.UNSET
    visitor_data: str | msgspec.UnsetType | None = msgspec.UNSET

    def __post_init__(self) -> None:
        po, visitor = self.po_token, self.visitor_data
        if isinstance(po, str) and isinstance(visitor, str) and (po == "") != (visitor == ""):
            msg = "po_token and visitor_data go together: youtube-source ignores one left blank"
            raise UsageError(msg)

    @override
    def __repr__(self) -> str:
        shown = [
            f"{name}={value!r}" if name == "skip_initialization" else f"{name}={_hidden(value)}"
            for name in self.__struct_fields__
            if (value := getattr(self, name)) is not msgspec.UNSET
        ]
        return f"YoutubeConfigUpdate({', '.join(shown)})"


_decode_config: typing.Final = codec.make_decoder(YoutubeConfig, "youtube config")
_decode_token: typing.Final = codec.make_decoder(YoutubeAccessToken, "youtube access token")


def _no_body(_: bytes) -> None:
    return None


def get_config() -> Route[YoutubeConfig]:
    """`GET /youtube`: the refresh token the source uses."""
    return Route("GET", "/youtube", _decode_config)


def update_config(update: YoutubeConfigUpdate) -> Route[None]:
    """`POST /youtube` (204): see
    [`YoutubeConfigUpdate`][hikari_lavalink.protocol.plugins.youtube.YoutubeConfigUpdate]."""
    return Route("POST", "/youtube", _no_body, body=codec.encode(update))


def oauth_token(refresh_token: str) -> Route[YoutubeAccessToken]:
    """`GET /youtube/oauth/{refreshToken}`: a new access token for `refresh_token` (read
    as JSON whatever the content type). The token is redacted from the route's repr,
    the logs and errors.

    Raises
    ------
    UsageError
        `refresh_token` is blank.
    """
    if not refresh_token.strip():
        msg = "the refresh token is blank"
        raise UsageError(msg)
    path = f"/youtube/oauth/{urllib.parse.quote(refresh_token, safe='')}"
    return Route("GET", path, _decode_token, secret=refresh_token)


def _media(body: bytes) -> bytes:
    return body


def stream(
    video_id: str, *, itag: int | None = None, with_client: str | None = None
) -> Route[bytes]:
    """`GET /youtube/stream/{videoId}`: the media of a video (in the format of `itag`, or
    the best audio; by the client `with_client` names, case-insensitive, or the source's
    first that can), read whole into memory: for clips and checks, not to play (Lavalink
    plays). 400 when no client can load formats, the video cannot be loaded (its reason in
    the message) or has no format `itag`; 500 when loading failed.

    Raises
    ------
    UsageError
        `video_id` is blank.
    """
    if not video_id.strip():
        msg = "the video id is blank"
        raise UsageError(msg)
    query: list[tuple[str, str]] = []
    if itag is not None:
        query.append(("itag", str(itag)))
    if with_client is not None:
        query.append(("withClient", with_client))
    path = f"/youtube/stream/{urllib.parse.quote(video_id, safe='')}"
    return Route("GET", path, _media, query=tuple(query))


def with_oauth_token(track: Track, access_token: str) -> Track:
    """`track` with `access_token` in its `userData` (`oauth-token`): youtube-source uses it
    for this track's playback (OAuth-capable clients only).

    Lavalink echoes it in every event of the track; the [`Track`][hikari_lavalink.Track]
    repr hides it. Access tokens expire (`expires_in`, about an hour): set a fresh one on
    a track queued for long.
    """
    if not access_token:
        msg = "the access token is blank"
        raise UsageError(msg)
    return msgspec.structs.replace(
        track, user_data={**track.user_data, OAUTH_TOKEN_KEY: access_token}
    )


def oauth_token_of(track: Track) -> str | None:
    """The `oauth-token` a track carries (see
    [`with_oauth_token`][hikari_lavalink.protocol.plugins.youtube.with_oauth_token]), if any."""
    value = track.user_data.get(OAUTH_TOKEN_KEY)
    return value if isinstance(value, str) else None
