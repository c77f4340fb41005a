#!/usr/bin/env bash
# Runs the soak test (io.reactivep2p.transport.Soak): 20 nodes in one JVM on 127.0.0.1, a
# random topology of about 5 links per node, gossiping 2,000 messages/s in all for 5 minutes,
# with Netty's paranoid leak detection (every buffer tracked). Prints a line every 5 s (heap,
# heap after GC, reachable heap every 60 s, direct memory, peers, drops, p99, leak reports)
# and a summary; writes the JSON report to bench/results/soak-<UTC time>.json (or $OUT).
# Exits with 1 when a message was lost between nodes, delivered twice or corrupt, or when
# Netty reported a leak. Not part of the build's tests: SoakSmokeTest keeps it working.
#
#   bench/soak.sh                                   # the issue's soak: 20 nodes, 2,000 msg/s, 5 min
#   bench/soak.sh --duration 30m                    # longer
#   bench/soak.sh --nodes 50 --rate 5000 --degree 8 --seed 42
#   bench/soak.sh --duration 20s                    # a quick look
#
# Other options: --sample 5s, --live-heap-every 60s (a forced full GC; 0: only before and
# after), --drain 30s (how long in-flight messages may take once publishing stops). Builds
# bench/target/benchmarks.jar when it is missing or older than the sources.
#
# Every buffer is tracked, but Netty keeps no access records (targetRecords=0): a leak is
# reported with the stack that allocated it only. With records (a stack captured at every
# touch, retain and release) 20 nodes at 2,000 msg/s need more than 2 cores and fall behind.
# To trace a leak this found: JAVA_OPTS=-Dio.netty.leakDetection.targetRecords=4 bench/soak.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
if [ ! -f "$jar" ] || [ -n "$(find src/main bench/src -newer "$jar" -name '*.java' | head -1)" ]; then
  ./mvnw -B -q -pl bench -am package -DskipTests
fi
out=${OUT:-bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ).json}
mkdir -p "$(dirname "$out")"
# $JAVA_OPTS comes last, so it may override these (a later -D wins).
exec java -Xmx1g --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=paranoid -Dio.netty.leakDetection.targetRecords=0 ${JAVA_OPTS:-} \
  -cp "$jar" io.reactivep2p.transport.Soak --json "$out" "$@"
