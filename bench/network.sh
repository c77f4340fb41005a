#!/usr/bin/env bash
# Runs the network harness (io.reactivep2p.transport.NetworkHarness): every network figure of
# this toolkit beside its raw-socket baseline, in one run, on loopback. Builds
# bench/target/benchmarks.jar when it is missing or older than the sources, writes the JSON
# report to bench/results/network-<UTC time>.json (or $OUT), then draws bench/plots/*.png (a run
# with options: beside the report).
#
#   bench/network.sh                    # every section (about 15 minutes on 2 cores)
#   bench/network.sh --only rtt,setup   # some sections
#   bench/network.sh --quick            # a smoke test of every section (figures meaningless)
#
# Optional tools, from Debian's packages: iperf3 (a second raw baseline), linux-perf (write
# system calls in the coalescing study), python3-matplotlib (plots). Leave the machine quiet:
# anything else running shows in the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find src/main bench/src -newer "$jar" -name '*.java' | head -1)" ]; then
  ./mvnw -B -q -pl bench -am package -DskipTests
fi
out=${OUT:-bench/results/network-$(date -u +%Y%m%dT%H%M%SZ).json}
mkdir -p "$(dirname "$out")"
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=disabled -cp "$jar" \
  io.reactivep2p.transport.NetworkHarness --json "$out" "$@"
# A full run redraws bench/plots; a partial or quick one (any option) draws beside its report,
# so that it never replaces the full run's plots with some sections' ($PLOTS chooses).
if [ $# -eq 0 ]; then plots=${PLOTS:-bench/plots}; else plots=${PLOTS:-${out%.json}-plots}; fi
mkdir -p "$plots"
if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  /usr/bin/python3 bench/plot.py "$out" "$plots"
else
  echo "plots skipped: apt-get install python3-matplotlib, then /usr/bin/python3 bench/plot.py $out"
fi
