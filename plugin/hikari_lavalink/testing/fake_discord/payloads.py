"""The guilds the fake Discord serves, and the JSON it sends about them and about the bot.

Pure functions of the fake's settings: the shapes hikari 2.6/2.7 parses (and lightbulb 3 on
top), with every field Discord sends that hikari reads. Guild ids are snowflakes whose shard,
`(id >> 22) % shard_count`, is chosen, so that the default guilds put one guild on each shard.
"""

from __future__ import annotations

import dataclasses
import typing

__all__ = [
    "ALL_PERMISSIONS",
    "EPOCH_MS",
    "TIMESTAMP",
    "FakeGuild",
    "application",
    "default_guilds",
    "guild_create",
    "listener",
    "member",
    "ready",
    "user",
    "voice_endpoint",
    "voice_state",
]

JSON: typing.TypeAlias = dict[str, typing.Any]
EPOCH_MS: typing.Final = 1420070400000
"""Discord's epoch (2015-01-01) in Unix milliseconds."""
TIMESTAMP: typing.Final = "2024-01-01T00:00:00+00:00"
"""Every `joined_at` and message timestamp."""
ALL_PERMISSIONS: typing.Final = "2251799813685247"
_VOICE_REGIONS: typing.Final = ("fra07", "iad03", "sin02", "ams09", "gru01", "syd04", "lhr12")


@dataclasses.dataclass(frozen=True)
class FakeGuild:
    """A guild the fake serves.

    Parameters
    ----------
    id
        The guild id; it lands on shard `(id >> 22) % shard_count`.
    name
        The guild name.
    voice_channel_ids
        Its voice channels.
    text_channel_ids
        Its text channels.
    """

    id: int
    name: str
    voice_channel_ids: tuple[int, ...]
    text_channel_ids: tuple[int, ...]


def snowflake_on_shard(index: int, shard: int, shard_count: int) -> int:
    """The `index`-th snowflake of a fixed moment that lands on `shard`."""
    base = (1_600_000_000_000 - EPOCH_MS) // shard_count * shard_count
    return ((base + shard + index * shard_count) << 22) | (index & 0xFFF)


def default_guilds(shard_count: int) -> list[FakeGuild]:
    """One guild per shard, each with two voice channels and one text channel."""
    guilds: list[FakeGuild] = []
    for shard in range(shard_count):
        gid = snowflake_on_shard(1, shard, shard_count)
        guilds.append(
            FakeGuild(
                id=gid,
                name=f"Guild on shard {shard}",
                voice_channel_ids=(gid + 1, gid + 2),
                text_channel_ids=(gid + 3,),
            )
        )
    return guilds


def ready(
    bot_id: int,
    shard: tuple[int, int],
    session_id: str,
    gateway_url: str,
    guilds: typing.Iterable[FakeGuild],
) -> JSON:
    """The `READY` of a shard (`shard` is `[id, count]`): its guilds, unavailable."""
    return {
        "v": 10,
        "user": user(bot_id),
        "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
        "session_id": session_id,
        "resume_gateway_url": gateway_url,
        "shard": list(shard),
        "application": {"id": str(bot_id), "flags": 0},
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": ["fake"],
    }


def voice_endpoint(guild_id: int) -> str:
    """A guild's own voice endpoint, named as Discord's: `c-<region><nn>-<id>.discord.media:443`.

    The region cycles with the guild id's timestamp (`id >> 22`), so guilds on consecutive
    shards get different regions, and the `<id>` part differs from guild to guild.
    """
    stamp = guild_id >> 22
    region = _VOICE_REGIONS[stamp % len(_VOICE_REGIONS)]
    return f"c-{region}-{stamp & 0xFFFF:04x}.discord.media:443"


def voice_state(
    guild_id: int,
    channel: int | None,
    bot_id: int,
    session_id: str,
    flags: tuple[bool, bool] = (False, False),
) -> JSON:
    """The bot's `VOICE_STATE_UPDATE` in a guild (`flags`: self mute, self deaf)."""
    self_mute, self_deaf = flags
    return {
        "guild_id": str(guild_id),
        "channel_id": str(channel) if channel is not None else None,
        "user_id": str(bot_id),
        "member": member(bot_id),
        "session_id": session_id,
        "deaf": False,
        "mute": False,
        "self_deaf": self_deaf,
        "self_mute": self_mute,
        "self_stream": False,
        "self_video": False,
        "suppress": False,
        "request_to_speak_timestamp": None,
    }


def user(bot_id: int) -> JSON:
    """The bot's user."""
    return {
        "id": str(bot_id),
        "username": "fake-bot",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": True,
        "mfa_enabled": False,
        "flags": 0,
        "public_flags": 0,
        "verified": True,
        "locale": "en-US",
        "premium_type": 0,
        "email": None,
    }


def member(bot_id: int, of: JSON | None = None) -> JSON:
    """A guild member: `of`, by default the bot."""
    return {
        "user": of or user(bot_id),
        "nick": None,
        "avatar": None,
        "roles": [],
        "joined_at": TIMESTAMP,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def listener(user_id: int) -> JSON:
    """A human user (the member who runs commands, or one who joins voice)."""
    return {
        "id": str(user_id),
        "username": f"listener-{user_id}",
        "discriminator": "0",
        "global_name": None,
        "avatar": None,
        "bot": False,
        "public_flags": 0,
    }


def guild_create(guild: FakeGuild, bot_id: int) -> JSON:
    """The `GUILD_CREATE` of a guild: its channels, the @everyone role, the bot as member."""
    channels: list[JSON] = [
        {
            "id": str(c),
            "type": 2,
            "guild_id": str(guild.id),
            "name": f"voice-{i}",
            "position": i,
            "permission_overwrites": [],
            "bitrate": 64000,
            "user_limit": 0,
            "parent_id": None,
            "nsfw": False,
            "rtc_region": None,
            "video_quality_mode": 1,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
        for i, c in enumerate(guild.voice_channel_ids)
    ]
    channels += [
        {
            "id": str(c),
            "type": 0,
            "guild_id": str(guild.id),
            "name": f"text-{i}",
            "position": i,
            "permission_overwrites": [],
            "topic": None,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "default_auto_archive_duration": 1440,
        }
        for i, c in enumerate(guild.text_channel_ids)
    ]
    return {
        "id": str(guild.id),
        "name": guild.name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(bot_id + 1),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [
            {
                "id": str(guild.id),
                "name": "@everyone",
                "color": 0,
                "hoist": False,
                "icon": None,
                "unicode_emoji": None,
                "position": 0,
                "permissions": "104324673",
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "max_video_channel_users": 25,
        "max_stage_video_channel_users": 50,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "joined_at": TIMESTAMP,
        "large": False,
        "unavailable": False,
        "member_count": 1,
        "voice_states": [],
        "members": [member(bot_id)],
        "channels": channels,
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "widget_enabled": False,
        "widget_channel_id": None,
        "safety_alerts_channel_id": None,
    }


def application(bot_id: int, guild_count: int) -> JSON:
    """The bot's application (`GET /oauth2/applications/@me`)."""
    return {
        "id": str(bot_id),
        "name": "fake-app",
        "icon": None,
        "description": "",
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "owner": user(bot_id) | {"id": str(bot_id + 1), "bot": False},
        "team": None,
        "summary": "",
        "approximate_guild_count": guild_count,
        "approximate_user_install_count": 0,
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "tags": [],
    }
