#!/usr/bin/env bash
# Measures today's flood gossip in the simulator (p2p sim): one run per degree, the same
# network otherwise (nodes, latencies, bandwidth, rate, seed), each a JSON line appended to
# bench/results/sim-<UTC time>.jsonl (or $OUT), then plots them with bench/plot_sim.py
# (propagation CDF per degree, duplicates per delivery and bytes per node against degree).
# One run at a time: the simulator is one thread, and runs side by side would share 2 cores.
#
#   bench/sim.sh                                  # 1,000 nodes, degrees 4 8 16, 50..150 ms, 100 tx/s, 20 s
#   DEGREES="8" DURATION=60s bench/sim.sh         # the issue's 60 s at degree 8 only
#   NODES=200 DURATION=5s bench/sim.sh            # a quick look
#
# Environment: NODES (1000), DEGREES ("4 8 16"), LATENCY (50ms..150ms), BANDWIDTH (100Mbit),
# RATE (100), DURATION (20s), SEED (1), OUT; P2P_JAVA_OPTS reaches the JVM (see ./p2p).
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${NODES:-1000}
degrees=${DEGREES:-4 8 16}
latency=${LATENCY:-50ms..150ms}
bandwidth=${BANDWIDTH:-100Mbit}
rate=${RATE:-100}
duration=${DURATION:-20s}
seed=${SEED:-1}
out=${OUT:-bench/results/sim-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
mkdir -p "$(dirname "$out")"
for degree in $degrees; do
  echo "sim.sh: $nodes nodes, degree $degree, $latency, $bandwidth, $rate tx/s for $duration (seed $seed)" >&2
  ./p2p sim --nodes "$nodes" --degree "$degree" --latency "$latency" --bandwidth "$bandwidth" \
    --tx-rate "$rate" --duration "$duration" --seed "$seed" --json >> "$out"
  tail -1 "$out" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); print("  delivery %.2f %%, p50 %.0f ms, p99 %.0f ms, %.2f duplicates per delivery, %.1f s wall per simulated s" % (r["deliveryPercent"], r["propagationMillis"]["p50"], r["propagationMillis"]["p99"], r["duplicatesPerDelivery"], r["wallPerSimulatedSecond"]))' >&2
done
echo "sim.sh: wrote $out" >&2
/usr/bin/python3 bench/plot_sim.py "$out" bench/plots
