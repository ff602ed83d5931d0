"""``python -m bench.plot RESULTS.json OUT.png``: draw the WS stream figure as a PNG.

Reads the JSON that ``python -m bench --json=RESULTS.json`` writes and plots the client's
cost per WebSocket message against the number of players, ours and the floor, each of our
points labelled with its ratio to the floor: CPU time (group ``"stream"``) and, when the
callgrind benchmark ran, instructions (group ``"stream-instructions"``), side by side. The
x axis is symmetric-log so that 0 players shows next to 10, 1,000 and 10,000.

matplotlib is only needed here (``requirements-bench.txt``), never by the tests.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import pathlib
import sys
import typing

__all__ = ["StreamPoint", "main", "plot_stream", "stream_points"]

GROUP: typing.Final = "stream"
PANELS: typing.Final = {
    "stream": "client CPU time per message",
    "stream-instructions": "instructions per message (callgrind)",
}


@dataclasses.dataclass(frozen=True, slots=True)
class StreamPoint:
    """One player count of the stream benchmark."""

    players: float
    ours: float
    floor: float | None
    unit: str
    max_ratio: float | None = None
    ratio: float | None = None
    """The result's ratio (for paired runs, the median of the pairs), else ours / floor."""


def stream_points(rows: list[dict[str, typing.Any]], group: str = GROUP) -> list[StreamPoint]:
    """The rows of one group (``stream`` by default) of a results file, by player count."""
    points: list[StreamPoint] = []
    for row in rows:
        if row.get("group") != group or row.get("x") is None:
            continue
        floor, max_ratio = row.get("floor"), row.get("max_ratio")
        points.append(
            StreamPoint(
                players=float(row["x"]),
                ours=float(row["value"]),
                floor=None if floor is None else float(floor),
                unit=str(row.get("unit", "")),
                max_ratio=None if max_ratio is None else float(max_ratio),
                ratio=None if row.get("ratio") is None else float(row["ratio"]),
            )
        )
    return sorted(points, key=lambda point: point.players)


def plot_stream(panels: dict[str, list[StreamPoint]], out: str) -> None:
    """Draw one panel per group of ``panels`` (group -> points) into the PNG file ``out``."""
    # Imported by name: `make test` type-checks this file on a .venv without matplotlib,
    # so pyright must not need it (the calls below are checked by running the plot).
    matplotlib = importlib.import_module("matplotlib")
    matplotlib.use("Agg")  # no display
    plt = importlib.import_module("matplotlib.pyplot")
    fig, axes = plt.subplots(
        1, len(panels), figsize=(7.2 * len(panels), 4.8), dpi=110, squeeze=False
    )
    for ax, (group, points) in zip(axes[0], panels.items(), strict=True):
        _panel(ax, PANELS.get(group, group), points)
    fig.suptitle("Lavalink WebSocket stream: client cost per message, by number of players")
    fig.tight_layout()
    fig.savefig(out, format="png")
    plt.close(fig)


def _panel(ax: typing.Any, what: str, points: list[StreamPoint]) -> None:
    symlog = importlib.import_module("matplotlib.scale").SymmetricalLogScale
    players = [point.players for point in points]
    ours = [point.ours for point in points]
    floors = [(point.players, point.floor) for point in points if point.floor is not None]
    unit = points[0].unit or "CPU"
    targets = {point.max_ratio for point in points if point.max_ratio is not None}
    legend_title = "labels: ratio to the floor"
    if len(targets) == 1:
        legend_title += f" (target ≤ {targets.pop():g}x)"
    top = max([*ours, *(y for _, y in floors)])
    ax.plot(players, ours, marker="o", linewidth=2, label="hikari-lavalink (LavalinkClient)")
    if floors:
        ax.plot(
            [x for x, _ in floors],
            [y for _, y in floors],
            marker="s",
            linestyle="--",
            linewidth=2,
            label="floor (aiohttp receive + one msgspec decode)",
        )
    for point in points:
        if point.floor:
            ratio = point.ratio if point.ratio is not None else point.ours / point.floor
            ax.annotate(
                f"{ratio:.2f}x",
                (point.players, point.ours),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=9,
            )
    ax.set(
        # symlog: linear up to 10, so that 0 players shows next to 10, 1,000, 10,000
        xscale=symlog(ax.xaxis, linthresh=10, linscale=0.5),
        xticks=players,
        xticklabels=[f"{point.players:,.0f}" for point in points],
        xlim=(-3, max(players) * 1.6),
        ylim=(0, top * 1.2),
        xlabel="players on the node (symlog scale)",
        ylabel=f"{what} ({unit})",
    )
    ax.grid(visible=True, alpha=0.3)
    ax.legend(loc="lower right", title=legend_title, fontsize=8, title_fontsize=8)


def main(argv: list[str]) -> int:
    """Read ``argv[0]`` (results JSON), write ``argv[1]`` (PNG)."""
    if len(argv) != 2:
        print("usage: python -m bench.plot RESULTS.json OUT.png", file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as results:
        rows = typing.cast("list[dict[str, typing.Any]]", json.load(results))
    panels = {group: stream_points(rows, group) for group in PANELS}
    panels = {group: points for group, points in panels.items() if points}
    if GROUP not in panels:
        print(f"{argv[0]}: no {GROUP!r} results (run: python -m bench --only=stream)")
        return 1
    pathlib.Path(argv[1]).parent.mkdir(parents=True, exist_ok=True)
    plot_stream(panels, argv[1])
    print(f"wrote {argv[1]} ({', '.join(panels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
