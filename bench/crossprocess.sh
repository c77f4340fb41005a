#!/usr/bin/env bash
# Runs the cross-process benchmark (bench/crossprocess.py): this toolkit's `p2p perf` (plaintext
# and over the secure channel) beside
# iperf3 (one stream), a raw TCP ping-pong (io.reactivep2p.transport.RawPingPong) and js-libp2p's
# perf over plaintext and over Noise (bench/js/perf.mjs), each as two processes on loopback, in
# one run whose rounds alternate the tools. Per tool and round: a first run of 100 MiB each way
# from fresh processes, warm throughput of 1 GiB each way (median of 3 runs after four warm-up runs),
# round-trip latency (20000 samples) and, for p2p, connection setup between warm nodes.
#
#   bench/crossprocess.sh                      # 3 rounds of everything (10 to 15 minutes on 2 cores)
#   bench/crossprocess.sh --rounds 5           # more rounds: each tool then runs once in each position
#   bench/crossprocess.sh --only p2p,raw       # some tools: p2p,p2p-noise,iperf3,raw,js-plaintext,js-noise
#   bench/crossprocess.sh --quick              # a smoke test, one round of tiny sizes (figures meaningless)
#   OUT=FILE PLOTS=DIR bench/crossprocess.sh   # or --out FILE; plots go to DIR (default bench/plots)
#
# `p2p perf` runs through the ./p2p launcher, as users run it (its class-data archive and JVM
# options included). Builds cli/target/p2p.jar and bench/target/benchmarks.jar when missing or older than their
# sources. Installs, when missing: iperf3 and python3-matplotlib from Debian's packages (as root;
# without matplotlib the plot is skipped), js-libp2p and Node 22 under bench/js/node_modules
# (bench/js/setup.sh, npm ci from the lock). Writes the JSON report to
# bench/results/crossprocess-<UTC time>.json, prints a summary table with ratios, and draws
# bench/plots/crossprocess.png. Leave the machine quiet: anything else running shows in the figures.
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  if [ "$arg" = -h ] || [ "$arg" = --help ]; then exec /usr/bin/python3 bench/crossprocess.py --help; fi
done
only=p2p,p2p-noise,iperf3,raw,js-plaintext,js-noise
out=${OUT:-bench/results/crossprocess-$(date -u +%Y%m%dT%H%M%SZ).json}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    --only) only=${args[i + 1]:-} ;;
    --only=*) only=${args[i]#--only=} ;;
    --out) out=${args[i + 1]:-} ;;
    --out=*) out=${args[i]#--out=} ;;
  esac
done
wants() { [[ ,$only, == *,$1,* ]]; }
wants_p2p() { wants p2p || wants p2p-noise; }

# A jar is rebuilt when any file of the sources it is built from is newer than it.
stale() {
  local jar=$1
  shift
  [ ! -f "$jar" ] || [ -n "$(find "$@" -newer "$jar" -type f 2>/dev/null | head -1)" ]
}
if wants_p2p && stale cli/target/p2p.jar pom.xml src/main cli/pom.xml cli/src/main; then
  ./mvnw -B -q -pl cli -am package -DskipTests
fi
if wants_p2p; then
  ./p2p --version >/dev/null # records the launcher's class-data archive now, not in a measured run
fi
if wants raw && stale bench/target/benchmarks.jar pom.xml src/main bench/pom.xml bench/src/main; then
  ./mvnw -B -q -pl bench -am package -DskipTests
fi

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "$1 is missing: install Debian's $1 (as root: apt-get install $1)" >&2
    return 1
  fi
  echo "installing $1 (apt-get)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}
if wants iperf3 && ! command -v iperf3 >/dev/null; then
  apt_install iperf3
fi
if wants js-plaintext || wants js-noise; then
  NODE=$(bench/js/setup.sh)
  export NODE
fi

rc=0
/usr/bin/python3 bench/crossprocess.py --out "$out" "$@" || rc=$?
if [ -f "$out" ]; then
  plots=${PLOTS:-bench/plots}
  if /usr/bin/python3 -c 'import matplotlib' 2>/dev/null || apt_install python3-matplotlib; then
    mkdir -p "$plots"
    /usr/bin/python3 bench/plot_crossprocess.py "$out" "$plots"
  else
    echo "plot skipped: apt-get install python3-matplotlib, then /usr/bin/python3 bench/plot_crossprocess.py $out"
  fi
fi
exit $rc
