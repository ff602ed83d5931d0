"""The parts of [`hikari_lavalink.store.redis`][hikari_lavalink.store.redis] that are not I/O: its
Lua scripts and how it reads and writes positions."""

from __future__ import annotations

import asyncio
import typing
import urllib.parse

import msgspec

if typing.TYPE_CHECKING:
    from hikari_lavalink.store.base import StoredPlayer, StoredState, StoreScope

__all__ = [
    "CHUNK",
    "CLAIM",
    "DRIFT_MS",
    "RELEASE",
    "as_of_last_save",
    "changes",
    "decode_sessions",
    "drifted",
    "overlaps",
    "live_owners",
    "parse_position",
    "without_credentials",
]

CHUNK: typing.Final = 256
"""Players encoded between two yields to the event loop, in a save or a load; and the most
records written in one pipeline."""
_encoder: typing.Final = msgspec.json.Encoder()
DRIFT_MS: typing.Final = 2000
"""A playing track's position is written again when it is off by more than this."""

CLAIM: typing.Final = """
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local mine = {}
for i = 5, #ARGV do mine[ARGV[i]] = true end
local held = redis.call('HGETALL', KEYS[1])
local conflicts = {}
for i = 1, #held, 2 do
  local id, value = held[i], held[i + 1]
  local count, instance, token, expires = string.match(value, '^(%d+)|(.-)|(%x+)|(%d+)$')
  if expires == nil or tonumber(expires) <= now then
    redis.call('HDEL', KEYS[1], id)
  elseif token ~= ARGV[1] then
    if instance == ARGV[2] then
      redis.call('HDEL', KEYS[1], id)
    elseif count ~= ARGV[3] or mine[id] then
      table.insert(conflicts, id .. '|' .. instance)
    end
  end
end
if #conflicts > 0 then return conflicts end
local value = ARGV[3] .. '|' .. ARGV[2] .. '|' .. ARGV[1] .. '|' .. (now + tonumber(ARGV[4]))
for i = 5, #ARGV do redis.call('HSET', KEYS[1], ARGV[i], value) end
return conflicts
"""
"""Claim (or renew) shards: conflicts as `"id|instance"`, none when claimed."""

RELEASE: typing.Final = """
local held = redis.call('HGETALL', KEYS[1])
for i = 1, #held, 2 do
  if string.match(held[i + 1], '|' .. ARGV[1] .. '|%d+$') then
    redis.call('HDEL', KEYS[1], held[i])
  end
end
return 0
"""


def parse_position(raw: bytes | None) -> tuple[int, int, str]:
    # "{position} {unix_ms} {writer}": where the track was, when, and who wrote it.
    if raw is None:
        return 0, 0, ""
    parts = raw.decode(errors="replace").split(" ")
    try:
        return int(parts[0]), int(parts[1]), parts[2] if len(parts) > 2 else ""
    except (ValueError, IndexError):
        return 0, 0, ""


def as_of_last_save(
    player: StoredPlayer, guild: int, anchor: tuple[int, int, str], saved: dict[bytes, bytes]
) -> StoredPlayer:
    # A playing track went on from its anchor until its writer's last save.
    position, at, writer = anchor
    last = saved.get(writer.encode()) if writer else None
    until = int(last) if last is not None and last.isdigit() else at
    stored = msgspec.structs.replace(
        player, guild_id=guild, position=position, saved_at=at / 1000 if at else None
    )
    if not at or until <= at:
        return stored
    return msgspec.structs.replace(
        stored, position=stored.position_at(until / 1000), saved_at=until / 1000
    )


def drifted(player: StoredPlayer, last: tuple[int, int], at: int) -> bool:
    position, then = last
    if player.track is not None and not player.paused:
        position += at - then
    return abs(player.position - position) > DRIFT_MS


def without_credentials(url: str) -> str:
    # Where, for logs and reprs: never the user or the password.
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def live_owners(held: dict[bytes, bytes], now_ms: int) -> dict[int, str]:
    """Shard id -> instance, of the claims in `held` (the leases hash) still live."""
    owners: dict[int, str] = {}
    for shard, value in held.items():
        parts = value.decode(errors="replace").split("|")
        if len(parts) == 4 and parts[3].isdigit() and int(parts[3]) > now_ms:
            owners[int(shard)] = parts[1]
    return owners


_sessions_decoder: typing.Final = msgspec.json.Decoder(dict[str, str])


def decode_sessions(raw: bytes | None) -> dict[str, str]:
    """A shard set's sessions (node name -> session id); none when unreadable."""
    if raw is None:
        return {}
    try:
        return _sessions_decoder.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return {}


def overlaps(shard_set: str, scope: StoreScope) -> bool:
    """Whether another shard set (`"4:0,1"`) shares a guild with `scope`'s (a set of
    another shard count always may)."""
    if shard_set == scope.key:
        return False
    count, _, ids = shard_set.partition(":")
    if count != str(scope.shard_count):
        return True
    return any(i.isdigit() and int(i) in scope.shard_ids for i in ids.split(","))


async def changes(
    state: StoredState,
    written: dict[int, bytes],
    anchors: dict[int, tuple[int, int]],
    now_ms: int,
) -> tuple[dict[int, bytes], dict[int, tuple[int, int]], set[int]]:
    """The records and positions of ``state`` that differ from what Redis holds (``written``,
    ``anchors``), and every guild of it; yielding to the loop every CHUNK players."""
    records: dict[int, bytes] = {}
    positions: dict[int, tuple[int, int]] = {}
    seen: set[int] = set()
    for index, player in enumerate(state.players):
        if index % CHUNK == CHUNK - 1:
            await asyncio.sleep(0)
        guild = player.guild_id
        seen.add(guild)
        record = _encoder.encode(msgspec.structs.replace(player, position=0, saved_at=None))
        changed = written.get(guild) != record
        if changed:
            records[guild] = record
        at = int(player.saved_at * 1000) if player.saved_at is not None else now_ms
        last = anchors.get(guild)
        if changed or last is None or drifted(player, last, at):
            positions[guild] = (player.position, at)
    return records, positions, seen
