"""Filter presets: the JSON each one sends, how combine() merges them, argument checks."""

from __future__ import annotations

import json
import math
import typing

import hypothesis
import msgspec
import pytest
from hypothesis import strategies as st

from hikari_lavalink import errors
from hikari_lavalink.protocol import codec, filters, presets


def wire(value: filters.Filters) -> dict[str, typing.Any]:
    """The JSON object Lavalink receives for ``value``."""
    return json.loads(codec.encode(value))


def eq_band(band: int, gain: float) -> dict[str, typing.Any]:
    return {"band": band, "gain": gain}


def eq(*gains: float) -> list[dict[str, typing.Any]]:
    return [eq_band(band, gain) for band, gain in enumerate(gains)]


TIMESCALE = {"speed": 1.2, "pitch": 1.2, "rate": 1.0}
KARAOKE = {"level": 1.0, "monoLevel": 1.0, "filterBand": 220.0, "filterWidth": 100.0}


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        (presets.nightcore(), {"timescale": TIMESCALE}),
        (presets.nightcore(1.5, 1.1), {"timescale": {"speed": 1.5, "pitch": 1.1, "rate": 1.0}}),
        (presets.vaporwave(), {"timescale": {"speed": 0.8, "pitch": 0.8, "rate": 1.0}}),
        (presets.bass_boost(), {"equalizer": eq(0.2, 0.16, 0.12, 0.08, 0.04)}),
        (presets.bass_boost("low"), {"equalizer": eq(0.1, 0.08, 0.06, 0.04, 0.02)}),
        (presets.bass_boost("high"), {"equalizer": eq(0.35, 0.28, 0.21, 0.14, 0.07)}),
        (presets.bass_boost("extreme"), {"equalizer": eq(0.6, 0.48, 0.36, 0.24, 0.12)}),
        (presets.bass_boost(0.5), {"equalizer": eq(0.5, 0.4, 0.3, 0.2, 0.1)}),
        (presets.bass_boost(-0.25), {"equalizer": eq(-0.25, -0.2, -0.15, -0.1, -0.05)}),
        (presets.bass_boost(1), {"equalizer": eq(1.0, 0.8, 0.6, 0.4, 0.2)}),
        (presets.eight_d(), {"rotation": {"rotationHz": 0.2}}),
        (presets.eight_d(0), {"rotation": {"rotationHz": 0}}),
        (presets.karaoke(), {"karaoke": KARAOKE}),
        (
            presets.karaoke(0.5, 0.25, 300.0, 50.0),
            {"karaoke": {"level": 0.5, "monoLevel": 0.25, "filterBand": 300.0, "filterWidth": 50}},
        ),
        (presets.soft(), {"lowPass": {"smoothing": 20.0}}),
        (presets.soft(1.5), {"lowPass": {"smoothing": 1.5}}),
        (presets.reset(), {}),
    ],
)
def test_each_preset_sends_the_json_lavalink_expects(
    preset: filters.Filters, expected: dict[str, typing.Any]
) -> None:
    assert wire(preset) == expected


def test_the_bass_boost_gains_fall_from_band_0() -> None:
    for level in typing.get_args(presets.BassLevel):
        bands = typing.cast("list[filters.Band]", presets.bass_boost(level).equalizer)
        gains = [band.gain for band in bands]
        assert gains == sorted(gains, reverse=True)
        assert all(-0.25 <= gain <= 1.0 for gain in gains)


class TestCombine:
    def test_different_filters_all_stay(self) -> None:
        merged = presets.combine(presets.nightcore(), presets.eight_d(), presets.soft())
        assert wire(merged) == {
            "timescale": TIMESCALE,
            "rotation": {"rotationHz": 0.2},
            "lowPass": {"smoothing": 20.0},
        }

    def test_a_later_preset_wins_a_filter_both_set(self) -> None:
        merged = presets.combine(presets.nightcore(), presets.vaporwave(0.9, 0.7))
        assert wire(merged) == {"timescale": {"speed": 0.9, "pitch": 0.7, "rate": 1.0}}

    def test_none_turns_a_filter_off_and_counts_as_set(self) -> None:
        off = filters.Filters(timescale=None)
        assert wire(presets.combine(presets.nightcore(), off)) == {"timescale": None}
        assert wire(presets.combine(off, presets.nightcore())) == {"timescale": TIMESCALE}

    def test_equalizer_bands_merge_by_band_number_later_wins(self) -> None:
        treble = filters.Filters(
            equalizer=[filters.Band(band=13, gain=0.1), filters.Band(band=1, gain=-0.1)]
        )
        merged = presets.combine(presets.bass_boost("low"), treble)
        assert wire(merged) == {"equalizer": [*eq(0.1, -0.1, 0.06, 0.04, 0.02), eq_band(13, 0.1)]}

    def test_an_empty_equalizer_keeps_the_earlier_bands(self) -> None:
        merged = presets.combine(presets.bass_boost("low"), filters.Filters(equalizer=[]))
        assert wire(merged) == {"equalizer": eq(0.1, 0.08, 0.06, 0.04, 0.02)}

    def test_unset_fields_stay_unset(self) -> None:
        merged = presets.combine(presets.nightcore(), presets.bass_boost())
        assert merged.volume is msgspec.UNSET
        assert merged.karaoke is msgspec.UNSET
        assert merged.plugin_filters is msgspec.UNSET

    def test_other_fields_are_replaced_whole(self) -> None:
        first = filters.Filters(volume=0.5, plugin_filters={"a": {"x": 1}})
        second = filters.Filters(volume=2.0, plugin_filters={"b": {}})
        assert wire(presets.combine(first, second)) == {"volume": 2.0, "pluginFilters": {"b": {}}}

    def test_no_presets_is_reset(self) -> None:
        assert presets.combine() == presets.reset()

    def test_the_inputs_are_not_changed(self) -> None:
        boost = presets.bass_boost()
        presets.combine(boost, presets.bass_boost("high"))
        assert boost == presets.bass_boost()


BAD = [math.nan, math.inf, -math.inf]
ARGUMENT_ERRORS: list[tuple[typing.Callable[..., filters.Filters], dict[str, typing.Any], str]] = [
    *((presets.nightcore, {"speed": v}, "speed must be") for v in [0, -1, *BAD]),
    *((presets.nightcore, {"pitch": v}, "pitch must be") for v in [0, -0.5]),
    *((presets.vaporwave, {"speed": v}, "speed must be") for v in [0, math.nan]),
    (presets.vaporwave, {"pitch": -1}, "pitch must be"),
    *((presets.bass_boost, {"level": v}, "between -0.25 and 1.0") for v in [-0.3, 1.01, *BAD]),
    (presets.bass_boost, {"level": "max"}, "pass one of low, medium, high, extreme"),
    *((presets.eight_d, {"rotation_hz": v}, "rotation_hz must be") for v in [-0.1, *BAD]),
    *((presets.karaoke, {"level": v}, "level must be") for v in [-0.1, 1.1, math.nan]),
    (presets.karaoke, {"mono_level": 2}, "mono_level must be"),
    (presets.karaoke, {"filter_band": 0}, "filter_band must be"),
    (presets.karaoke, {"filter_width": math.inf}, "filter_width must be"),
    *((presets.soft, {"smoothing": v}, "above 1.0") for v in [1.0, 0.5, 0, *BAD]),
]


@pytest.mark.parametrize(("preset", "arguments", "message"), ARGUMENT_ERRORS)
def test_bad_arguments_raise_value_error_saying_what_to_pass(
    preset: typing.Callable[..., filters.Filters], arguments: dict[str, typing.Any], message: str
) -> None:
    with pytest.raises(errors.UsageError, match=message):
        preset(**arguments)


gains = st.floats(min_value=-0.25, max_value=1.0)
positive = st.floats(min_value=0.01, max_value=4.0)
unit = st.floats(min_value=0.0, max_value=1.0)
single = st.one_of(
    st.builds(presets.nightcore, positive, positive),
    st.builds(presets.vaporwave, positive, positive),
    st.builds(presets.bass_boost, st.one_of(st.sampled_from(["low", "high"]), gains)),
    st.builds(presets.eight_d, st.floats(min_value=0.0, max_value=5.0)),
    st.builds(presets.karaoke, unit, unit, positive, positive),
    st.builds(presets.soft, st.floats(min_value=1.01, max_value=100.0)),
    st.just(presets.reset()),
)
preset_sets = st.one_of(single, st.lists(single, max_size=4).map(lambda ps: presets.combine(*ps)))


@hypothesis.given(preset_sets)
def test_combine_of_one_and_reset_are_identities(preset: filters.Filters) -> None:
    assert presets.combine(preset) == preset
    assert presets.combine(presets.reset(), preset) == preset
    assert presets.combine(preset, presets.reset()) == preset


@hypothesis.given(preset_sets, preset_sets, preset_sets)
def test_combine_is_associative(a: filters.Filters, b: filters.Filters, c: filters.Filters) -> None:
    left = presets.combine(presets.combine(a, b), c)
    assert left == presets.combine(a, presets.combine(b, c)) == presets.combine(a, b, c)


def test_named_presets_at_their_defaults() -> None:
    assert set(presets.NAMED) == {
        "nightcore",
        "vaporwave",
        "bassboost",
        "8d",
        "karaoke",
        "soft",
        "reset",
    }
    assert presets.NAMED["bassboost"]() == presets.bass_boost()
    assert presets.NAMED["reset"]() == filters.Filters()
