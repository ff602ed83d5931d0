"""Deterministic, realistic Lavalink payloads for the benchmarks."""

from __future__ import annotations

import base64
import json
import random
import typing

__all__ = ["labelled_stream", "mixed_stream", "playlist", "search", "track_json"]


def track_json(rng: random.Random, index: int) -> dict[str, typing.Any]:
    """A track as Lavalink sends it, with a ~250-character ``encoded`` string."""
    ident = "".join(
        rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", k=11)
    )
    return {
        "encoded": base64.b64encode(rng.randbytes(186)).decode(),
        "info": {
            "identifier": ident,
            "isSeekable": True,
            "author": f"Artist {index % 97}",
            "length": rng.randrange(60_000, 600_000),
            "isStream": False,
            "position": 0,
            "title": f"Track number {index} - some long-ish title (Official Video)",
            "uri": f"https://www.youtube.com/watch?v={ident}",
            "sourceName": "youtube",
            "artworkUrl": f"https://i.ytimg.com/vi/{ident}/maxresdefault.jpg",
            "isrc": f"GB{rng.randrange(10**9):09d}X",
        },
        "pluginInfo": {},
        "userData": {"requester": str(rng.randrange(10**17, 10**18))},
    }


def mixed_stream(count: int, guilds: int, seed: int = 1) -> list[bytes]:
    """``count`` WS frames across ``guilds`` guilds: 90 % playerUpdate, 8 % track events
    (the five kinds), 2 % stats."""
    return [data for _, data in labelled_stream(count, guilds, seed)]


def labelled_stream(count: int, guilds: int, seed: int = 1) -> list[tuple[str, bytes]]:
    """:func:`mixed_stream` as ``(kind, bytes)`` pairs; ``kind`` is the op or event type."""
    rng = random.Random(seed)
    guild_ids = [817327181659111454 + i * 4194304 for i in range(guilds)]
    tracks = [track_json(rng, i) for i in range(64)]
    events = [
        "TrackStartEvent",
        "TrackEndEvent",
        "TrackExceptionEvent",
        "TrackStuckEvent",
        "WebSocketClosedEvent",
    ]
    out: list[tuple[str, bytes]] = []
    for _ in range(count):
        roll = rng.random()
        guild = str(rng.choice(guild_ids))
        if roll < 0.90:
            payload: dict[str, typing.Any] = {
                "op": "playerUpdate",
                "guildId": guild,
                "state": {
                    "time": 1_700_000_000_000 + rng.randrange(10**6),
                    "position": rng.randrange(600_000),
                    "connected": True,
                    "ping": rng.randrange(5, 80),
                },
            }
            kind = "playerUpdate"
        elif roll < 0.98:
            kind = rng.choice(events)
            payload = {"op": "event", "type": kind, "guildId": guild}
            if kind == "WebSocketClosedEvent":
                payload.update(code=4006, reason="Your session is no longer valid.", byRemote=True)
            else:
                payload["track"] = rng.choice(tracks)
            if kind == "TrackEndEvent":
                payload["reason"] = rng.choice(
                    ["finished"] * 6 + ["replaced"] * 2 + ["stopped", "loadFailed", "cleanup"]
                )
            elif kind == "TrackExceptionEvent":
                payload["exception"] = {
                    "message": "x",
                    "severity": "common",
                    "cause": "y",
                    "causeStackTrace": "z",
                }
            elif kind == "TrackStuckEvent":
                payload["thresholdMs"] = 10_000
        else:
            kind = "stats"
            payload = {
                "op": "stats",
                "players": guilds,
                "playingPlayers": guilds,
                "uptime": 123456,
                "memory": {"free": 1, "used": 2, "allocated": 3, "reservable": 4},
                "cpu": {"cores": 2, "systemLoad": 0.5, "lavalinkLoad": 0.25},
                "frameStats": rng.choice([None, {"sent": 6000, "nulled": 10, "deficit": -3010}]),
            }
        out.append((kind, json.dumps(payload).encode()))
    return out


def playlist(size: int = 1_000, seed: int = 2) -> bytes:
    """A ``playlist`` load result of ``size`` tracks."""
    rng = random.Random(seed)
    data = {
        "info": {"name": "Big playlist", "selectedTrack": -1},
        "pluginInfo": {},
        "tracks": [track_json(rng, i) for i in range(size)],
    }
    return json.dumps({"loadType": "playlist", "data": data}).encode()


def search(size: int = 10, seed: int = 3) -> bytes:
    """A ``search`` load result."""
    rng = random.Random(seed)
    return json.dumps(
        {"loadType": "search", "data": [track_json(rng, i) for i in range(size)]}
    ).encode()
