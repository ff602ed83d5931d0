"""Filter presets: a whole [`Filters`][hikari_lavalink.Filters] set in one call.

>>> await player.set_filters(presets.nightcore())

Sending a filter set **replaces the whole set** on Lavalink: every filter the set leaves
`UNSET` is turned off. So `set_filters(presets.nightcore())` after `bass_boost()`
drops the boost; send `presets.combine(presets.bass_boost(), presets.nightcore())` to keep
both, and `presets.reset()` to turn everything off. Arguments are checked here, since
Lavalink checks almost none of its documented ranges.
"""

from __future__ import annotations

import math
import types
import typing

import msgspec

from hikari_lavalink import errors
from hikari_lavalink.protocol import filters

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = [
    "NAMED",
    "BassLevel",
    "bass_boost",
    "combine",
    "eight_d",
    "karaoke",
    "nightcore",
    "reset",
    "soft",
    "vaporwave",
]

BassLevel = typing.Literal["low", "medium", "high", "extreme"]
"""The named strengths of [`bass_boost`][hikari_lavalink.protocol.presets.bass_boost]."""

_BASS_LEVELS: typing.Final = {"low": 0.1, "medium": 0.2, "high": 0.35, "extreme": 0.6}
_BASS_SHAPE: typing.Final = (1.0, 0.8, 0.6, 0.4, 0.2)
"""The share of band 0's gain on bands 0-4 (25, 40, 63, 100 and 160 Hz)."""


def _check(name: str, value: float, ok: bool, hint: str) -> float:
    """Return `value` if it is finite and `ok`, else raise a UsageError with `hint`."""
    if not (ok and math.isfinite(value)):
        msg = f"{name} must be {hint}, got {value!r}"
        raise errors.UsageError(msg)
    return value


def nightcore(speed: float = 1.2, pitch: float = 1.2) -> filters.Filters:
    """Faster and higher: a timescale with `speed` and `pitch` (rate 1.0).

    Raises
    ------
    UsageError
        `speed` or `pitch` is not a finite number above 0.
    """
    hint = "a finite number above 0 (1.0 leaves it unchanged)"
    speed = _check("speed", speed, speed > 0, hint)
    pitch = _check("pitch", pitch, pitch > 0, hint)
    return filters.Filters(timescale=filters.Timescale(speed=speed, pitch=pitch, rate=1.0))


def vaporwave(speed: float = 0.8, pitch: float = 0.8) -> filters.Filters:
    """Slower and lower: [`nightcore`][hikari_lavalink.protocol.presets.nightcore]'s timescale, by
    default at 0.8 speed and pitch.

    It sets no equalizer, so it composes cleanly; for the usual warm low end add a boost:
    `combine(vaporwave(), bass_boost("low"))`.

    Raises
    ------
    UsageError
        `speed` or `pitch` is not a finite number above 0.
    """
    return nightcore(speed, pitch)


def bass_boost(level: BassLevel | float = "medium") -> filters.Filters:
    """Raise the lowest equalizer bands, band 0 the most, fading out by band 4.

    Bands 0-4 (25, 40, 63, 100, 160 Hz) get band 0's gain times 1.0, 0.8, 0.6, 0.4 and
    0.2 (rounded to 4 places); the other bands are left at 0. The named levels:

    - `"low"`: 0.1, 0.08, 0.06, 0.04, 0.02
    - `"medium"`: 0.2, 0.16, 0.12, 0.08, 0.04
    - `"high"`: 0.35, 0.28, 0.21, 0.14, 0.07
    - `"extreme"`: 0.6, 0.48, 0.36, 0.24, 0.12 (expect clipping)

    Parameters
    ----------
    level
        A named level, or band 0's gain in Lavalink's range -0.25 to 1.0 (0.25 doubles
        the band; a negative gain cuts the bass instead).

    Raises
    ------
    UsageError
        `level` is an unknown name, or a gain outside -0.25 to 1.0.
    """
    if isinstance(level, str):
        if level not in _BASS_LEVELS:
            msg = f"unknown bass level {level!r}; pass one of {', '.join(_BASS_LEVELS)} or a gain"
            raise errors.UsageError(msg)
        gain = _BASS_LEVELS[level]
    else:
        hint = "between -0.25 and 1.0 (or a level name)"
        gain = _check("bass gain", float(level), -0.25 <= level <= 1.0, hint)
    bands = [filters.Band(band=n, gain=round(gain * s, 4)) for n, s in enumerate(_BASS_SHAPE)]
    return filters.Filters(equalizer=bands)


def eight_d(rotation_hz: float = 0.2) -> filters.Filters:
    """Pan the audio around the listener, `rotation_hz` turns a second (0 turns it off).

    Raises
    ------
    UsageError
        `rotation_hz` is not a finite number of at least 0.
    """
    hint = "a finite number of at least 0 (0.2 is a slow turn)"
    rotation_hz = _check("rotation_hz", rotation_hz, rotation_hz >= 0, hint)
    return filters.Filters(rotation=filters.Rotation(rotation_hz=rotation_hz))


def karaoke(
    level: float = 1.0,
    mono_level: float = 1.0,
    filter_band: float = 220.0,
    filter_width: float = 100.0,
) -> filters.Filters:
    """Damp the vocal band around `filter_band` Hz, `filter_width` wide.

    Raises
    ------
    UsageError
        `level` or `mono_level` is outside 0 to 1, or `filter_band` or
        `filter_width` is not a finite number above 0.
    """
    unit, hz = "between 0.0 and 1.0 (1.0 is full strength)", "a finite number above 0 (in Hz)"
    effect = filters.Karaoke(
        level=_check("level", level, 0 <= level <= 1, unit),
        mono_level=_check("mono_level", mono_level, 0 <= mono_level <= 1, unit),
        filter_band=_check("filter_band", filter_band, filter_band > 0, hz),
        filter_width=_check("filter_width", filter_width, filter_width > 0, hz),
    )
    return filters.Filters(karaoke=effect)


def soft(smoothing: float = 20.0) -> filters.Filters:
    """Muffle the highs with a low pass; a larger `smoothing` muffles more.

    Raises
    ------
    UsageError
        `smoothing` is not a finite number above 1.0 (Lavalink treats 1.0 or less as off).
    """
    hint = "a finite number above 1.0 (20.0 is the default; send reset() to turn it off)"
    smoothing = _check("smoothing", smoothing, smoothing > 1, hint)
    return filters.Filters(low_pass=filters.LowPass(smoothing=smoothing))


def reset() -> filters.Filters:
    """The empty set: sending it turns every filter off."""
    return filters.Filters()


def combine(*presets: filters.Filters) -> filters.Filters:
    """Merge filter sets into one; a later set wins where two set the same filter.

    The equalizer merges by band number instead: a later set's gain for a band wins, and
    bands keep the order in which they first appear. `None` (filter off) counts as set;
    a filter no set gives stays `UNSET`. `combine()` is
    [`reset`][hikari_lavalink.protocol.presets.reset].

    Examples
    --------
    >>> await player.set_filters(combine(bass_boost("high"), nightcore()))
    """
    changes: dict[str, typing.Any] = {}
    bands: dict[int, filters.Band] = {}
    for preset in presets:
        for field in msgspec.structs.fields(preset):
            value = getattr(preset, field.name)
            if value is msgspec.UNSET:
                continue
            if field.name == "equalizer":
                bands.update((band.band, band) for band in typing.cast("list[filters.Band]", value))
                value = list(bands.values())
            changes[field.name] = value
    return filters.Filters(**changes)


NAMED: typing.Final[collections.abc.Mapping[str, collections.abc.Callable[[], filters.Filters]]] = (
    types.MappingProxyType(
        {
            "nightcore": nightcore,
            "vaporwave": vaporwave,
            "bassboost": bass_boost,
            "8d": eight_d,
            "karaoke": karaoke,
            "soft": soft,
            "reset": reset,
        }
    )
)
"""Each preset by the name a bot's command offers, at its defaults (a read-only mapping):
`await player.set_filters(presets.NAMED[choice]())`."""
