#!/usr/bin/env bash
# fuzz-long.sh — the long frame-fuzzer run (issue 16): broker-amqp's FrameFuzzIT with CASES cases instead of
# the 3,000 `mvn verify` runs. Each case is a raw socket that does a valid handshake and then sends valid and
# mutated frames (bit flips, truncations, wrong sizes, bad frame-end octets, random types, channels and
# class/method ids, huge or deeply nested field tables, long multi-byte names, content out of order); the run
# fails on a 541 reply or a reply code outside RabbitMQ's, an ERROR log line, a lost canary connection, a
# Netty buffer leak, or heap growth after GC past HEAP_GROWTH_MIB. The default 100,000 cases send about
# 1.2 million frames; the test prints the count.
#
#   deploy/bench/fuzz-long.sh                        # the recorded run (about 5 minutes on 2 busy cores)
#   CASES=5000 deploy/bench/fuzz-long.sh             # a quick check
#   SEED=42 deploy/bench/fuzz-long.sh                # another sequence of cases
#   CASE=732378330362148763 deploy/bench/fuzz-long.sh   # replay one failing case (its seed is in the failure)
#
# Environment: CASES [100000], SEED [1592651810, the IT's default], CASE (replay one case), CANARY_EVERY [50],
# HEAP_GROWTH_MIB [64], TIME_CAP seconds [3600] (the whole mvn run is killed past it). Runs offline
# (mvn -o) in the reactor, building only broker-core and broker-amqp; nothing is installed.
# The log goes to deploy/bench/.cache/logs/fuzz-long-<time>.log.
# Exit status: 0 every case passed; 1 a case or a run-wide check failed (the log has the case's seed); 2 setup.

set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
CASES=${CASES:-100000}
SEED=${SEED:-1592651810}
CANARY_EVERY=${CANARY_EVERY:-50}
HEAP_GROWTH_MIB=${HEAP_GROWTH_MIB:-64}
TIME_CAP=${TIME_CAP:-3600}
LOG_DIR=$SCRIPT_DIR/.cache/logs
mkdir -p "$LOG_DIR"
LOG=$LOG_DIR/fuzz-long-$(date +%Y%m%d-%H%M%S).log

command -v mvn >/dev/null || { echo "fuzz-long.sh: mvn not found" >&2; exit 2; }

args=(-o -q -pl broker-amqp -am test -Dtest=FrameFuzzIT -Dsurefire.failIfNoSpecifiedTests=false
      "-Dwarren.fuzz.cases=$CASES" "-Dwarren.fuzz.seed=$SEED" "-Dwarren.fuzz.canaryEvery=$CANARY_EVERY"
      "-Dwarren.fuzz.heapGrowthMiB=$HEAP_GROWTH_MIB")
if [[ -n ${CASE:-} ]]; then
    args+=("-Dwarren.fuzz.case=$CASE")
fi

echo "+ (cd $REPO_ROOT && timeout $TIME_CAP mvn ${args[*]})   # log: $LOG"
start=$(date +%s)
set +e
(cd "$REPO_ROOT" && timeout "$TIME_CAP" mvn "${args[@]}") >"$LOG" 2>&1
status=$?
set -e
elapsed=$(( $(date +%s) - start ))

grep -h "^FrameFuzzIT:" "$LOG" || true
if [[ $status -eq 0 ]]; then
    echo "fuzz-long.sh: passed in ${elapsed} s (mvn included)"
    exit 0
fi
if [[ $status -eq 124 ]]; then
    echo "fuzz-long.sh: stopped by TIME_CAP after ${elapsed} s; the cases so far passed but the run is incomplete" >&2
    exit 1
fi
echo "fuzz-long.sh: FAILED after ${elapsed} s (mvn exit $status); the failing case:" >&2
grep -h -A4 -E "AssertionFailedError|AssertionError" "$LOG" | head -20 >&2 || true
exit 1
