"""What the LavaLyrics and SponsorBlock end-to-end tests share: a world whose node runs both
plugins on a fast clock, the tracks and their lyrics and segments, and waits."""

from __future__ import annotations

import contextlib
import itertools
import typing

from tests.bridge.conftest import World, open_world

import hikari_lavalink as hl
from hikari_lavalink.testing import factories

if typing.TYPE_CHECKING:
    import collections.abc

    from tests.bridge.conftest import ClientFactory

    from hikari_lavalink.testing import FakeLavalink

PLUGINS: typing.Final = {"lavalyrics-plugin": "1.1.0", "sponsorblock-plugin": "3.0.0"}
SCALE: typing.Final = 20.0
"""The fake's clock runs this much faster: a second of track in 50 ms."""

SUNG = factories.make_track(
    title="Sung", length=600_000, source_name="deezer", identifier="1090538082"
)
"""A track with timed lyrics (lines at 2, 4 and 6 s)."""
SPOKEN = factories.make_track(title="Spoken", length=600_000, source_name="http")
"""A track with untimed lyrics."""
VIDEO = factories.make_track(
    title="Video", length=600_000, source_name="youtube", identifier="dQw4w9WgXcQ"
)
"""A YouTube video with segments and chapters (and no lyrics)."""
OTHER_VIDEO = factories.make_track(
    title="Other video", length=600_000, source_name="youtube", identifier="9bZkp7q19f0"
)

LINES: typing.Final = (2_000, 4_000, 6_000)
TIMED = hl.Lyrics(
    source_name="deezer",
    provider="LyricFind",
    text="one\ntwo\nthree",
    lines=[
        hl.LyricsLine(timestamp=t, duration=2_000, line=text)
        for t, text in zip(LINES, ("one", "two", "three"), strict=True)
    ],
)
UNTIMED = hl.Lyrics(source_name="youtube", provider="Musixmatch", text="just words")

INTRO = hl.Segment(category="intro", start=0, end=3_000)
SPONSOR = hl.Segment(category="sponsor", start=20_000, end=30_000)
SELFPROMO = hl.Segment(category="selfpromo", start=40_000, end=45_000)
CHAPTERS = (
    hl.Chapter(name="Start", start=0, end=10_000, duration=10_000),
    hl.Chapter(name="Middle", start=10_000, end=50_000, duration=40_000),
    hl.Chapter(name="End", start=50_000, end=600_000, duration=550_000),
)


def stock(fake: FakeLavalink) -> None:
    """Give a fake node the tests' lyrics and segments."""
    fake.set_lyrics(SUNG, TIMED)
    fake.set_lyrics(SPOKEN, UNTIMED)
    fake.set_segments(VIDEO, [INTRO, SPONSOR, SELFPROMO], CHAPTERS)
    fake.set_segments(OTHER_VIDEO, [SPONSOR])


@contextlib.asynccontextmanager
async def plugin_world(
    make_client: ClientFactory | None = None,
    *,
    server: type[FakeLavalink] | None = None,
    **options: typing.Any,
) -> collections.abc.AsyncGenerator[World, None]:
    """A world whose node runs both plugins (or `plugins=`) at `SCALE`, its tables filled;
    `server=FakeNodeLink`: a NodeLink node (both built in, no plugin)."""
    plugins = PLUGINS if server is None else {}
    lavalink = {"plugins": plugins, "time_scale": SCALE, **options}
    args = (make_client,) if make_client is not None else ()
    async with open_world(*args, lavalink_options=lavalink, server=server) as world:
        stock(world.lavalink)
        yield world


async def joined(world: World, index: int = 0) -> hl.Player:
    """The bot joins the voice channel of the world's guild `index`."""
    guild = world.discord.guilds[index]
    return await world.lava.join(guild.id, guild.voice_channel_ids[0])


def plugin_events(world: World, after: int = 0) -> list[typing.Any]:
    """The lyrics and SponsorBlock events recorded from `after` on."""
    return [e for e in world.events[after:] if isinstance(e, hl.LyricsEvent | hl.SponsorBlockEvent)]


def lines_of(world: World, after: int = 0) -> list[tuple[int, bool]]:
    """The `(line_index, skipped)` of each `LyricsLineEvent` from `after` on."""
    return [
        (e.line_index, e.skipped) for e in world.events[after:] if isinstance(e, hl.LyricsLineEvent)
    ]


def requests_to(world: World, suffix: str, after: int = 0) -> list[str]:
    """The methods of the fake's requests whose path ends with `suffix`, from `after` on."""
    return [r.method for r in world.lavalink.requests[after:] if r.path.endswith(suffix)]


async def played_past(
    world: World, player: hl.Player, ms: int, fake: FakeLavalink | None = None
) -> None:
    """Wait until the node's player has played `ms` of its track (on the node's clock), and
    the client has read every frame the node sent until then."""
    node = fake if fake is not None else world.lavalink

    def past() -> bool:
        session = node.sessions.get(player.node.session_id or "")
        remote = session.players.get(player.guild_id) if session is not None else None
        return remote is not None and remote.position >= ms

    await node.wait_until(past)
    await read_up(world, node)


_marks = itertools.count()


async def read_up(world: World, fake: FakeLavalink) -> None:
    """Wait until the client has read every frame `fake` sent so far: a marker frame after
    them comes back as a `RawLavalinkEvent` (a node reads its frames in order)."""
    mark, number = len(world.events), next(_marks)
    await fake.send_raw(f'{{"op": "testMarker", "n": {number}}}')
    await world.wait_event(hl.RawLavalinkEvent, lambda e: e.payload.get("n") == number, after=mark)
