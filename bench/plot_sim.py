#!/usr/bin/python3
"""Draws the simulator's gossip measurements (bench/sim.sh: JSON lines of `p2p sim --json`) as a PNG.

    /usr/bin/python3 bench/plot_sim.py RUNS.jsonl [OUT_DIR]     (default OUT_DIR: bench/plots)

Needs matplotlib from Debian's packages (apt-get install python3-matplotlib). Writes sim-gossip.png:
the propagation CDF of each run (simulated time from submit to arrival in another node's pool),
duplicates per delivery against degree, and bytes sent per node per transaction against degree.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    path = sys.argv[1]
    out_dir = sys.argv[2] if len(sys.argv) > 2 else "bench/plots"
    runs = [json.loads(line) for line in open(path) if line.strip()]
    runs.sort(key=lambda r: r["degree"])
    fig, (cdf, dup, size) = plt.subplots(1, 3, figsize=(15, 4.5))
    for r in runs:
        millis = r["propagationCdfMillis"]
        cdf.plot(millis, [i / 100 for i in range(len(millis))], label=f'degree {r["degree"]}')
    cdf.set_xlabel("propagation, simulated ms")
    cdf.set_ylabel("share of deliveries")
    cdf.set_title("Propagation CDF")
    cdf.grid(alpha=0.3)
    cdf.legend()
    degrees = [r["degree"] for r in runs]
    dup.plot(degrees, [r["duplicatesPerDelivery"] for r in runs], "o-")
    dup.set_xlabel("degree")
    dup.set_ylabel("duplicates per delivery")
    dup.set_title("Duplicates per delivery")
    dup.set_xticks(degrees)
    dup.grid(alpha=0.3)
    size.plot(degrees, [r["bytesPerNode"]["sent"] / max(1, r["transactions"]) for r in runs], "o-")
    size.set_xlabel("degree")
    size.set_ylabel("bytes sent per node per transaction")
    size.set_title("Bytes per node")
    size.set_xticks(degrees)
    size.grid(alpha=0.3)
    r0 = runs[0]
    fig.suptitle(f'p2p sim, flood gossip: {r0["nodes"]} nodes, {r0["latencyMillis"][0]:.0f}..{r0["latencyMillis"][1]:.0f} ms links, '
                 f'{r0["bandwidthBitsPerSecond"] / 1e6:.0f} Mbit/s, {r0["txRate"]} tx/s for {r0["simulatedSeconds"]:.0f} simulated s, '
                 f'seed {r0["seed"]}')
    fig.tight_layout()
    os.makedirs(out_dir, exist_ok=True)
    target = os.path.join(out_dir, "sim-gossip.png")
    fig.savefig(target, dpi=110)
    print(f"plot_sim.py: wrote {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
