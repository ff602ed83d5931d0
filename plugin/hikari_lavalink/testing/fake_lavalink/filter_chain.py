"""The filter set a player PATCH leaves, as Lavalink 4.2 makes it and echoes it back.

The server parses `filters` into its own model (`protocol/v4/filters.kt`), builds a
`FilterChain` from it (`FilterChain.parse`) and shows the player's filters as
`FilterChain.toFilters()`. So, against the library's own model:

* A filter sent as `null` is turned off, like one left out: it is **absent** from the answer,
  never `null` (every nullable sub-object: karaoke, timescale, tremolo, vibrato, rotation,
  distortion, channelMix, lowPass). `volume`, `equalizer` and `pluginFilters` may not be
  `null` (400, from the JSON parser), nor may any field inside a filter.
* A field missing inside a filter takes the model's default, and the answer always shows every
  field (`@EncodeDefault`). For an equalizer band the default `gain` is **1.0**, not 0; a
  band with no `band` is a 400.
* A band outside 0-14 passes the parser but breaks `EqualizerConfig` (an array index): a 500,
  after the fields before `filters` in the PATCH have been applied.
* Kotlin `Float` fields (every field but timescale's and rotation's, which are `Double`)
  hold 32-bit floats: `0.123456789` comes back as `0.12345679`, and a value beyond the
  32-bit range is a 400.
* `pluginFilters` keeps only the names of the node's filter extensions
  (`FakeLavalink(plugin_filters=...)`); an empty map is left out.
"""

from __future__ import annotations

import math
import struct
import typing

import msgspec

from hikari_lavalink.protocol import filters

if typing.TYPE_CHECKING:
    import collections.abc

__all__ = ["BAND_COUNT", "build", "parse"]

BAND_COUNT: typing.Final = 15
"""Lavaplayer's `Equalizer.BAND_COUNT`."""

_DOUBLES: typing.Final = frozenset({filters.Timescale, filters.Rotation})
"""The filters whose fields are Kotlin `Double`s (the others hold `Float`s)."""

_S = typing.TypeVar("_S", bound=msgspec.Struct)


class _Band(msgspec.Struct, frozen=True):
    band: int
    gain: float = 1.0  # dev.arbjerg.lavalink.protocol.v4.Band: `val gain: Float = 1.0f`


class _Equalizer(msgspec.Struct, frozen=True):
    equalizer: list[_Band] | msgspec.UnsetType = msgspec.UNSET


class _Body(msgspec.Struct, frozen=True):
    filters: _Equalizer | msgspec.UnsetType = msgspec.UNSET


_bands: typing.Final = msgspec.json.Decoder(_Body)


def parse(body: bytes, sent: filters.Filters) -> filters.Filters:
    """The filters of a PATCH `body` as the server's model holds them.

    `sent` is `body`'s `filters` as the library's model decoded it (strictly, so the
    body is known to parse). Raises `ValueError` (the parser's message) for a value a
    Kotlin `Float` cannot hold: the server answers 400.
    """
    equalizer = sent.equalizer
    if not isinstance(equalizer, msgspec.UnsetType):
        raw = _bands.decode(body).filters
        assert not isinstance(raw, msgspec.UnsetType)
        assert not isinstance(raw.equalizer, msgspec.UnsetType)
        equalizer = [
            filters.Band(band=band.band, gain=_float(band.gain, f"equalizer[{index}].gain"))
            for index, band in enumerate(raw.equalizer)
        ]
    volume = sent.volume
    return filters.Filters(
        volume=volume if isinstance(volume, msgspec.UnsetType) else _float(volume, "volume"),
        equalizer=equalizer,
        karaoke=_held(sent.karaoke, "karaoke"),
        timescale=_held(sent.timescale, "timescale"),
        tremolo=_held(sent.tremolo, "tremolo"),
        vibrato=_held(sent.vibrato, "vibrato"),
        rotation=_held(sent.rotation, "rotation"),
        distortion=_held(sent.distortion, "distortion"),
        channel_mix=_held(sent.channel_mix, "channelMix"),
        low_pass=_held(sent.low_pass, "lowPass"),
        plugin_filters=sent.plugin_filters,
    )


def build(parsed: filters.Filters, extensions: collections.abc.Collection[str]) -> filters.Filters:
    """`FilterChain.parse(...).toFilters()`: what the player shows from here on.

    Raises `IndexError` (Java's message) for an equalizer band outside 0-14, as
    `EqualizerConfig` does: the server answers 500.
    """
    if not isinstance(parsed.equalizer, msgspec.UnsetType):
        for band in parsed.equalizer:
            if not 0 <= band.band < BAND_COUNT:
                msg = f"Index {band.band} out of bounds for length {BAND_COUNT}"
                raise IndexError(msg)
    plugins = parsed.plugin_filters
    if not isinstance(plugins, msgspec.UnsetType):
        kept = {name: value for name, value in plugins.items() if name in extensions}
        plugins = kept or msgspec.UNSET
    return msgspec.structs.replace(parsed, plugin_filters=plugins)


def _held(value: _S | msgspec.UnsetType | None, key: str) -> _S | msgspec.UnsetType:
    # A filter as the chain holds it: `null` is the same as absent (`ifPresentAndNotNull`),
    # and the fields of a Float filter are 32-bit.
    if value is None or isinstance(value, msgspec.UnsetType):
        return msgspec.UNSET
    if type(value) in _DOUBLES:
        return value
    changes = {
        name: _float(getattr(value, name), f"{key}.{name}") for name in value.__struct_fields__
    }
    return msgspec.structs.replace(value, **changes)


def _float(value: float, path: str) -> float:
    """`value` as a Kotlin `Float` holds it, printed back as Kotlin prints it (shortest)."""
    try:
        single: float = struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        single = math.copysign(math.inf, value)
    if not math.isfinite(single):
        special = "Infinity" if single > 0 else "-Infinity"
        msg = (
            f"Unexpected special floating-point value {special}. By default, non-finite "
            f"floating point values are prohibited because they do not conform JSON "
            f"specification at path: $.filters.{path}"
        )
        raise ValueError(msg)
    for digits in range(1, 10):
        shortest = float(f"{single:.{digits}g}")
        if struct.unpack("<f", struct.pack("<f", shortest))[0] == single:
            return shortest
    return single  # pragma: no cover - nine significant digits always round-trip a float32
