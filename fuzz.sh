#!/usr/bin/env bash
# Fuzzes every Jazzer target for real, one after the other, then copies each target's
# generated corpus into its committed regression inputs (which the normal build replays).
#
#   ./fuzz.sh                 # every target, 10 minutes each
#   ./fuzz.sh 30s             # every target, 30 seconds each
#   ./fuzz.sh 10m FrameDecoderFuzzTest#anyBytes
#
# A finding fails its target: Jazzer writes the reproducer (crash-*) into the target's inputs
# directory under src/test/resources, where it stays as a regression input once fixed.
# LZ4 runs in its pure-Java implementation (-Dreactivep2p.lz4=java) so that coverage sees it.
# Summary: target/fuzz/summary.txt (executions and findings per target).
set -uo pipefail
cd "$(dirname "$0")"
duration=${1:-10m}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(
    io.reactivep2p.protocol.FrameDecoderFuzzTest#anyBytes
    io.reactivep2p.protocol.FrameDecoderFuzzTest#checksummedFrames
    io.reactivep2p.protocol.PayloadCodecFuzzTest#payloads
    io.reactivep2p.mempool.TransactionFuzzTest#transactions
    io.reactivep2p.transport.SecureChannelFuzzTest#responder
    io.reactivep2p.transport.SecureChannelFuzzTest#records
    io.reactivep2p.peer.PeerRpcFuzzTest#conversation
  )
fi
./mvnw -B -q -pl src test-compile
mkdir -p target/fuzz
summary=target/fuzz/summary.txt
echo "# $(date -u +%Y-%m-%dT%H:%MZ) duration ${duration} per target" >> "$summary"
status=0
for target in "${targets[@]}"; do
  class=${target%#*}
  method=${target#*#}
  case $class in *.*) ;; *) class=$(cd src/test/java && grep -rl "class ${class} " . | sed 's|^\./||; s|\.java$||; s|/|.|g' | head -1) ;; esac
  log=target/fuzz/${class##*.}-${method}.log
  echo "fuzzing ${class}#${method} for ${duration} (log: ${log})"
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION=${duration} ./mvnw -B -o -pl src surefire:test \
    -Dtest="${class}#${method}" -Dsurefire.failIfNoSpecifiedTests=false -Dreactivep2p.lz4=java > "$log" 2>&1
  rc=$?
  runs=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
  inputs=src/test/resources/${class%.*}
  inputs=${inputs//.//}/${class##*.}Inputs/${method}
  crashes=$(ls "$inputs"/crash-* 2>/dev/null | wc -l)
  corpus=src/.cifuzz-corpus/${class}/${method}
  if [ -d "$corpus" ]; then
    mkdir -p "$inputs"
    cp -n "$corpus"/* "$inputs"/ 2>/dev/null || true
  fi
  line="${class##*.}#${method}: exit ${rc}; ${runs:-no run summary}; ${cov:-}; crash inputs in ${inputs}: ${crashes}"
  echo "$line" | tee -a "$summary"
  [ $rc -eq 0 ] || status=1
done
exit $status
