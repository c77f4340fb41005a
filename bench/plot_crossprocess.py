#!/usr/bin/python3
"""Draws the cross-process benchmark's JSON report (bench/crossprocess.py) as a PNG.

    /usr/bin/python3 bench/plot_crossprocess.py REPORT.json [OUT_DIR]     (default OUT_DIR: bench/plots)

Needs matplotlib from Debian's packages (apt-get install python3-matplotlib). Writes
crossprocess.png: warm throughput up and down per tool (bars: medians over the rounds, dots:
each round) and round-trip latency p50 and p99 per tool (log scale, the same way).
"""
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {"p2p": "p2p perf\nplaintext", "p2p-noise": "p2p perf\nsecure channel", "iperf3": "iperf3\n(1 stream)", "raw": "raw TCP\nping-pong",
          "js-plaintext": "js-libp2p\nplaintext", "js-noise": "js-libp2p\nNoise"}


def subtitle(report):
    m, v = report["machine"], report["versions"]
    git = report["git"]
    return (f'{m["cpu"]}, {m["cores"]} cores, {m["jdk"]}, Node {v["node"]}, {report["date"][:16]}Z, '
            f'git {git["commit"]}{" (dirty)" if git["dirty"] else ""}, {report["settings"]["rounds"]} round(s)'
            + (", QUICK (figures meaningless)" if report["settings"]["quick"] else ""))


def figure(report, tool, name):
    return report["figures"].get(tool, {}).get(name, {"median": None, "rounds": []})


def label_of(value):
    if value is None:
        return "-"
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def bars(ax, report, tools, series, log=False):
    """Grouped bars of the medians, each round as a dot, the median written on its bar."""
    width = 0.8 / len(series)
    for i, (name, label, color) in enumerate(series):
        xs = [t + (i - (len(series) - 1) / 2) * width for t in range(len(tools))]
        medians = [figure(report, tool, name)["median"] for tool in tools]
        ax.bar(xs, [m or 0 for m in medians], width, label=label, color=color, alpha=0.85)
        for x, tool, m in zip(xs, tools, medians):
            rounds = [v for v in figure(report, tool, name)["rounds"] if v is not None]
            ax.plot([x] * len(rounds), rounds, "o", color="black", markersize=3, zorder=3)
            ax.annotate(label_of(m), (x, m or (1 if log else 0)), ha="center", va="bottom",
                        fontsize=7, xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(range(len(tools)), [LABELS.get(t, t) for t in tools], fontsize=8)
    if log:
        ax.set_yscale("log")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        report = json.load(f)
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "plots")
    tools = report["settings"]["tools"]
    throughput = [t for t in tools if t != "raw"]
    latency = [t for t in tools if t != "iperf3"]
    panels = [p for p in (throughput, latency) if p]
    fig, axes = plt.subplots(1, len(panels), figsize=(6.5 * len(panels), 4.8), squeeze=False)
    axes = list(axes[0])
    if throughput:
        ax = axes.pop(0)
        size = re.sub(r"(\d)([KMGT]iB)", r"\1 \2", report["settings"]["sizes"]["throughput"])
        bars(ax, report, throughput, [("throughput.upload_gbps", "upload", "tab:blue"),
                                      ("throughput.download_gbps", "download", "tab:orange")])
        ax.set_ylabel("Gbit/s")
        ax.set_title(f"Throughput, {size} each way, warm (one connection)", fontsize=10)
    if latency:
        ax = axes.pop(0)
        bars(ax, report, latency, [("latency.p50_us", "p50", "tab:green"), ("latency.p99_us", "p99", "tab:red")],
             log=True)
        ax.set_ylabel("µs")
        ax.set_title("Round trip (p2p: 30-byte PERF_ECHO frame, js: 8-byte echo, raw: 30 bytes)", fontsize=10)
    fig.suptitle("Two processes on loopback: medians over the rounds, dots: each round\n" + subtitle(report),
                 fontsize=9)
    fig.tight_layout()
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "crossprocess.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
