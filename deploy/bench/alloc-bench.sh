#!/usr/bin/env bash
# alloc-bench.sh — heap bytes Warren allocates per message (issue 16), Warren only. Garbage per message sets how
# often young collections run (their pauses are in the latency tail) and how much young generation a busy broker
# touches (its resident memory). Unlike a rate, it does not depend on what else the machine is doing.
#   1. start deploy/bin/warren-server on an empty data directory (setsid, its own process group);
#   2. warm up with WARMUP messages (JIT), then start a JFR recording of jdk.ThreadAllocationStatistics only
#      (each thread's allocated bytes, read at the recording's start and end);
#   3. PerfTest: 1 producer, 1 consumer, 16 B, auto-ack, MESSAGES messages (-C), at RATE msg/s (0: unthrottled);
#   4. stop the recording; print the bytes allocated by all broker threads over the run, per message received.
# Usage: deploy/bench/alloc-bench.sh  (env: MESSAGES [1000000], WARMUP [300000], RATE [0], FLAGS [-a]: PerfTest
#        flags for the scenario, AMQP_PORT [5694], WARREN_BUILD [1]: build the jar first,
#        PERFTEST_LIB [deploy/bench/.cache/perftest-2.22.1/lib], run run-bench.sh once to fetch it)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../.." && pwd)
MESSAGES=${MESSAGES:-1000000}
WARMUP=${WARMUP:-300000}
RATE=${RATE:-0}
FLAGS=${FLAGS:--a}
AMQP_PORT=${AMQP_PORT:-5694}
PERFTEST_LIB=${PERFTEST_LIB:-$here/.cache/perftest-2.22.1/lib}
[[ -d $PERFTEST_LIB ]] || { echo "no PerfTest in $PERFTEST_LIB (run deploy/bench/run-bench.sh once)" >&2; exit 2; }
if [[ ${WARREN_BUILD:-1} == 1 ]]; then
    (cd "$root" && mvn -o -q -pl deploy -am package -DskipTests)
fi
work=$(mktemp -d /tmp/alloc-bench.XXXXXX)
pid=
trap '[[ -n $pid ]] && kill -- -"$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

setsid "$root/deploy/bin/warren-server" --amqp-port "$AMQP_PORT" --mgmt-port 0 --data-dir "$work/data" \
    >"$work/warren.log" 2>&1 </dev/null &
pid=$!
until timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$AMQP_PORT" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/warren.log" >&2; exit 1; }
    sleep 0.1
done
broker=$(pgrep -P "$pid" java || echo "$pid") # the launcher execs java: same pid, but allow a wrapper

perftest() { # count
    local rate=()
    ((RATE > 0)) && rate=(-r "$RATE")
    java -cp "$PERFTEST_LIB/*" com.rabbitmq.perf.PerfTest --uri "amqp://guest:guest@127.0.0.1:$AMQP_PORT" \
        -x 1 -y 1 -s 16 $FLAGS -C "$1" -D "$1" "${rate[@]}" -u q-alloc >"$work/perftest.log" 2>&1
}

perftest "$WARMUP"
cat >"$work/alloc.jfc" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">everyChunk</setting></event>
</configuration>
EOF
jcmd "$broker" JFR.start name=alloc settings="$work/alloc.jfc" >/dev/null
perftest "$MESSAGES"
jcmd "$broker" JFR.stop name=alloc filename="$work/alloc.jfr" >/dev/null
grep -E "rate avg|^id: .*consumer latency min" "$work/perftest.log" | sed 's/^id: [^,]*, /perftest: /'

# each thread's allocated bytes at the start and end of the recording: the sum of the differences
jfr print --json --events jdk.ThreadAllocationStatistics "$work/alloc.jfr" | MESSAGES=$MESSAGES /usr/bin/python3 -c '
import json, os, sys
first, last = {}, {}
for event in json.load(sys.stdin)["recording"]["events"]:
    thread = event["values"]["thread"]["javaThreadId"]
    first.setdefault(thread, event["values"]["allocated"])
    last[thread] = event["values"]["allocated"]
total = sum(last[t] - first[t] for t in first)
messages = int(os.environ["MESSAGES"])
print(f"allocated {total / 1e6:.1f} MB over {messages} messages: {total / messages:.0f} bytes per message")
'
