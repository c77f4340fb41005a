#!/usr/bin/python3
"""Draws the network harness's JSON report as PNG plots.

    /usr/bin/python3 bench/plot.py REPORT.json [OUT_DIR]     (default OUT_DIR: bench/plots)

Needs matplotlib from Debian's packages (apt-get install python3-matplotlib). Writes, for the
sections the report holds:
  latency.png     round-trip and dial-to-first-message percentiles, per variant (log scale)
  sizes.png       throughput against message size, this toolkit beside the raw TCP stream
  ratios.png      every result as a ratio to its raw baseline
  coalescing.png  write system calls per second and p99 delivery latency per flush setting
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def subtitle(report):
    m = report["machine"]
    return f'{m["cpu"]}, {m["cores"]} cores, {m["jdk"]}, {report["date"][:16]}Z'


def latency(report, out):
    rows = report.get("latency", [])
    if not rows:
        return False
    sections = [s for s in ("rtt", "reqresp", "setup") if any(r["section"] == s for r in rows)]
    if not sections:
        return False
    fig, axes = plt.subplots(1, len(sections), figsize=(6.5 * len(sections), 4.5), squeeze=False)
    titles = {"rtt": "Round trip, 1-byte payload", "reqresp": "Request round trip, 256-byte payload",
              "setup": "Dial to first message"}
    for ax, section in zip(axes[0], sections):
        for r in (r for r in rows if r["section"] == section):
            p = r["percentiles_us"]
            keys = [k for k in p if k != "max"]
            ax.plot(range(len(keys)), [p[k] for k in keys], marker="o", label=r["variant"])
            ax.set_xticks(range(len(keys)), [f"p{k}" for k in keys])
        ax.set_yscale("log")
        ax.set_ylabel("µs")
        ax.set_title(titles[section])
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Latency percentiles (loopback)\n" + subtitle(report), fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "latency.png"), dpi=110)
    plt.close(fig)
    return True


def sizes(report, out):
    rows = report.get("sizes", [])
    if not rows:
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    x = [r["size"] for r in rows]
    ax.plot(x, [r["raw_gbps"] for r in rows], marker="o", label="raw TCP stream, one write per message")
    ax.plot(x, [r["p2p_gbps"] for r in rows], marker="s", label="reactive-p2p perf upload, LZ4 off")
    bulk = [r for r in report.get("results", []) if r["section"] == "bulk" and r.get("baseline") is None]
    if bulk:
        ax.axhline(bulk[0]["value"], color="black", linestyle=":", label="raw TCP stream, 1 MiB writes (bulk section)")
    if "iperf3_gbps" in report:
        ax.axhline(report["iperf3_gbps"], color="grey", linestyle="--", label="iperf3, one stream")
    ax.set_xscale("log", base=2)
    ax.set_xticks(x, [f"{s // 1024} KiB" if s < 1 << 20 else f"{s >> 20} MiB" for s in x])
    ax.set_xlabel("message (write) size")
    ax.set_ylabel("Gbit/s")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Throughput against message size (loopback, medians)\n" + subtitle(report), fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "sizes.png"), dpi=110)
    plt.close(fig)
    return True


def ratios(report, out):
    rows = [r for r in report.get("results", []) if r.get("ratio") is not None and r["section"] != "sizes"]
    if not rows:
        return False
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(rows) + 1.5))
    labels = [f'{r["section"]}: {r["variant"]}' for r in rows]
    values = [r["ratio"] for r in rows]
    ax.barh(range(len(rows)), values, color=["tab:blue" if r["unit"] not in ("µs", "B/conn") else "tab:orange" for r in rows])
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(1.0, color="black", linewidth=0.8)
    for i, v in enumerate(values):
        ax.text(v, i, f" {v:.2f}x", va="center", fontsize=7)
    ax.set_xlabel("ratio to the raw baseline\n(blue: rates, higher is better; orange: time or memory, lower is better)")
    ax.set_title("reactive-p2p against the raw socket\n" + subtitle(report), fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "ratios.png"), dpi=110)
    plt.close(fig)
    return True


def coalescing(report, out):
    study = report.get("coalesce")
    if not study:
        return False
    rows = study["variants"]
    names = [r["variant"] for r in rows]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.5))
    a1.barh(range(len(rows)), [r["writes_per_s"] or 0 for r in rows], color="tab:blue")
    a1.set_yticks(range(len(rows)), names, fontsize=8)
    a1.invert_yaxis()
    a1.set_xlabel("write system calls per second (sending event loop)")
    for i, r in enumerate(rows):
        if r.get("fewer_writes_x"):
            a1.text(r["writes_per_s"], i, f' {r["fewer_writes_x"]:.1f}x fewer', va="center", fontsize=7)
    for key, label in (("p50_ms", "p50"), ("p99_ms", "p99"), ("p99_9_ms", "p99.9")):
        a2.plot([r[key] for r in rows], range(len(rows)), marker="o", label=label)
    a2.set_yticks(range(len(rows)), names, fontsize=8)
    a2.invert_yaxis()
    a2.set_xlabel("delivery latency, ms (includes the proxy's 50 ms)")
    a2.legend(fontsize=8)
    a2.grid(True, alpha=0.3)
    fig.suptitle(f'Write coalescing: {study["producers"]} producers x {study["message_bytes"] // 1024} KiB every '
                 f'{study["period_ms"]} ms, {study["round_trip_ms"]} ms round trip\n' + subtitle(report), fontsize=9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "coalescing.png"), dpi=110)
    plt.close(fig)
    return True


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        report = json.load(f)
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "plots")
    os.makedirs(out, exist_ok=True)
    for draw in (latency, sizes, ratios, coalescing):
        if draw(report, out):
            print(f"wrote {os.path.join(out, draw.__name__ + '.png')}")


if __name__ == "__main__":
    main()
