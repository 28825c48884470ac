#!/usr/bin/env bash
# durable-declares-bench.sh — what durable declares cost as the definitions grow (issue 16), Warren only:
#   1. start deploy/bin/warren-server on an empty data directory (setsid, its own process group);
#   2. DurableDeclares.java: QUEUES durable queues declared one after another on one channel: declares/s per
#      tenth and overall, and the broker's VmRSS growth;
#   3. POLICY_PUTS policy PUTs over HTTP, one after another (a pattern no queue matches), timed with curl;
#   4. the definitions files' sizes; kill -9 and a restart on the same directory (a crash restart: whatever is
#      in the definitions log is replayed), then a clean stop (SIGTERM) and a restart; each restart timed until
#      the AMQP port accepts connections (the definitions and queues are restored before it listens).
# Usage: deploy/bench/durable-declares-bench.sh  (env: QUEUES [10000], POLICY_PUTS [20], AMQP_PORT [5692],
#        MGMT_PORT [15692], WARREN_BUILD [1]: build the jar first with mvn -o -q -pl deploy -am package -DskipTests,
#        WARREN_SERVER [deploy/bin/warren-server]: another build's launcher, e.g. an unpacked distribution's bin/,
#        PERFTEST_LIB [deploy/bench/.cache/perftest-2.22.1/lib]: the RabbitMQ Java client's jars)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
root=$(cd "$here/../.." && pwd)
QUEUES=${QUEUES:-10000}
POLICY_PUTS=${POLICY_PUTS:-20}
AMQP_PORT=${AMQP_PORT:-5692}
MGMT_PORT=${MGMT_PORT:-15692}
WARREN_SERVER=${WARREN_SERVER:-$root/deploy/bin/warren-server}
PERFTEST_LIB=${PERFTEST_LIB:-$here/.cache/perftest-2.22.1/lib}
[[ -d $PERFTEST_LIB ]] || { echo "no RabbitMQ Java client in $PERFTEST_LIB (set PERFTEST_LIB)" >&2; exit 2; }
if [[ ${WARREN_BUILD:-1} == 1 ]]; then
    (cd "$root" && mvn -o -q -pl deploy -am package -DskipTests)
fi
data=$(mktemp -d /tmp/durable-declares.XXXXXX)
log=$data.log
pid=

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
start() {
    setsid "$WARREN_SERVER" --amqp-port "$AMQP_PORT" --mgmt-port "$MGMT_PORT" --data-dir "$data" \
        >>"$log" 2>&1 </dev/null &
    pid=$!
    local t0=$EPOCHREALTIME
    until port_open "$AMQP_PORT"; do
        kill -0 "$pid" 2>/dev/null || { echo "warren exited; see $log" >&2; exit 1; }
        sleep 0.05
    done
    echo "start_seconds=$(echo "$EPOCHREALTIME - $t0" | bc)"
}
stop() {
    [[ -n $pid ]] || return 0
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
}
trap 'stop; rm -rf "$data"' EXIT

echo "== start (empty data directory $data)"
start
echo "== $QUEUES durable declares on one channel"
java -cp "$PERFTEST_LIB/*" "$here/DurableDeclares.java" --port "$AMQP_PORT" --queues "$QUEUES" --broker-pid "$pid"
echo "== $POLICY_PUTS policy PUTs, one after another (ms each)"
for i in $(seq 1 "$POLICY_PUTS"); do
    curl -s -o /dev/null -w '%{time_total}\n' -u guest:guest -X PUT -H 'content-type: application/json' \
        -d '{"pattern":"^no-such-queue$","definition":{"max-length":10},"apply-to":"queues"}' \
        "http://127.0.0.1:$MGMT_PORT/api/policies/%2F/bench-$i"
done | sort -n | awk '{ s += $1 * 1000; v[NR] = $1 * 1000 } END { printf "policy_put_ms mean=%.1f median=%.1f max=%.1f\n", s / NR, v[int((NR + 1) / 2)], v[NR] }'
echo "== files"
ls -l "$data" | grep -i definitions || true
echo "== kill -9, then a restart with $QUEUES durable queues (replays the definitions log, if any)"
kill -KILL -- "-$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
pid=
start
ls -l "$data" | grep -i definitions || true
stop
echo "== clean stop, then a restart with $QUEUES durable queues"
start
java -cp "$PERFTEST_LIB/*" "$here/DurableDeclares.java" --port "$AMQP_PORT" --queues 1 --prefix restarted >/dev/null
echo "RSS after_restart_kib=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")"
stop
