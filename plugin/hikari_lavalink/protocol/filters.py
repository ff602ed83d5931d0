"""Audio filters. `UNSET` means "absent from the JSON"; `None` means "turn it off".

Sending `filters` to Lavalink replaces the whole filter set: a filter left `UNSET` is
turned off as well. Sub-objects use Lavalink's defaults for any field you do not give.
`volume` and `equalizer` can never be `null` on the wire, so they are not nullable here.
"""

from __future__ import annotations

import typing

import msgspec

__all__ = [
    "Band",
    "ChannelMix",
    "Distortion",
    "Filters",
    "Karaoke",
    "LowPass",
    "Rotation",
    "Timescale",
    "Tremolo",
    "Vibrato",
]

UNSET: typing.Final = msgspec.UNSET


class _Filter(msgspec.Struct, rename="camel", kw_only=True, frozen=True, gc=False):
    pass


class Band(_Filter, kw_only=True, frozen=True):
    """One equalizer band: `band` 0-14 (25 Hz to 16 kHz), `gain` -0.25 to 1.0."""

    band: int
    gain: float = 0.0


class Karaoke(_Filter, kw_only=True, frozen=True):
    """Removes the vocal band, more or less."""

    level: float = 1.0
    mono_level: float = 1.0
    filter_band: float = 220.0
    filter_width: float = 100.0


class Timescale(_Filter, kw_only=True, frozen=True):
    """Speed, pitch and rate (1.0 leaves each unchanged)."""

    speed: float = 1.0
    pitch: float = 1.0
    rate: float = 1.0


class Tremolo(_Filter, kw_only=True, frozen=True):
    """Volume wobble: `frequency` > 0, `depth` in (0, 1]."""

    frequency: float = 2.0
    depth: float = 0.5


class Vibrato(_Filter, kw_only=True, frozen=True):
    """Pitch wobble: `frequency` in (0, 14], `depth` in (0, 1]."""

    frequency: float = 2.0
    depth: float = 0.5


class Rotation(_Filter, kw_only=True, frozen=True):
    """Pans the audio around the listener (0.2 Hz gives a slow "8D" effect)."""

    rotation_hz: float = 0.0


class Distortion(_Filter, kw_only=True, frozen=True):
    """Sine, cosine and tangent distortion (the defaults are the identity)."""

    sin_offset: float = 0.0
    sin_scale: float = 1.0
    cos_offset: float = 0.0
    cos_scale: float = 1.0
    tan_offset: float = 0.0
    tan_scale: float = 1.0
    offset: float = 0.0
    scale: float = 1.0


class ChannelMix(_Filter, kw_only=True, frozen=True):
    """Mixes the channels; all four at 0.5 gives mono."""

    left_to_left: float = 1.0
    left_to_right: float = 0.0
    right_to_left: float = 0.0
    right_to_right: float = 1.0


class LowPass(_Filter, kw_only=True, frozen=True):
    """Suppresses high frequencies; `smoothing` <= 1.0 disables it."""

    smoothing: float = 20.0


class Filters(_Filter, kw_only=True, frozen=True):
    """The whole filter set of a player.

    Examples
    --------
    >>> Filters(timescale=Timescale(speed=1.25), equalizer=[Band(band=0, gain=0.2)])
    Filters(volume=UNSET, equalizer=[Band(band=0, gain=0.2)], karaoke=UNSET, ...)
    """

    volume: float | msgspec.UnsetType = UNSET
    equalizer: list[Band] | msgspec.UnsetType = UNSET
    karaoke: Karaoke | msgspec.UnsetType | None = UNSET
    timescale: Timescale | msgspec.UnsetType | None = UNSET
    tremolo: Tremolo | msgspec.UnsetType | None = UNSET
    vibrato: Vibrato | msgspec.UnsetType | None = UNSET
    rotation: Rotation | msgspec.UnsetType | None = UNSET
    distortion: Distortion | msgspec.UnsetType | None = UNSET
    channel_mix: ChannelMix | msgspec.UnsetType | None = UNSET
    low_pass: LowPass | msgspec.UnsetType | None = UNSET
    plugin_filters: dict[str, typing.Any] | msgspec.UnsetType = UNSET
