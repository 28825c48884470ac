#!/usr/bin/env bash
# delayed-bench.sh — the delayed-message benchmark (issue 14): MESSAGES messages with random x-delay
# uniform in [MIN_DELAY_MS, MAX_DELAY_MS], published with confirms (2000 in flight) to a durable
# x-delayed-message exchange bound to one durable queue and consumed with auto-ack, by
# deploy/bench/DelayedLoad.java. Measures the publish rate, how late each message arrives against
# publish time + delay (p50/p99/p99.9/max, and how many came early), Warren's RSS growth (peak VmRSS
# sampled every 0.5 s while it runs - VmRSS before) and its CPU µs per message (utime+stime from
# /proc/PID/stat over the run, divided by MESSAGES).
#
#   MESSAGES=1000000 deploy/bench/delayed-bench.sh          # the recorded run (about 3 minutes)
#   MESSAGES=20000 MAX_DELAY_MS=5000 deploy/bench/delayed-bench.sh   # a quick check of the plumbing
#
# Warren only: RabbitMQ needs the community rabbitmq_delayed_message_exchange plugin for this, which is
# not in Debian's rabbitmq-server and comes from GitHub, out of this machine's reach.
#
# Environment: MESSAGES [1000000], MIN_DELAY_MS [1000], MAX_DELAY_MS [60000], SIZE [64] bytes,
# WARREN_PORT [5673], WARREN_JAVA_OPTS (passed to the launcher), TRANSIENT=1 for a non-durable exchange.
# Builds Warren in the reactor (mvn -q -o -pl deploy -am package -DskipTests) when its jar is missing or
# older than a source file; fetches the RabbitMQ Java client for DelayedLoad.java into
# deploy/bench/.cache/delayed-lib. Logs go to deploy/bench/.cache/logs/delayed-*.
# Exit status: 0 done; 1 the load failed (missing messages); 2 setup error.

set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
CACHE_DIR=$SCRIPT_DIR/.cache
MESSAGES=${MESSAGES:-1000000}
MIN_DELAY_MS=${MIN_DELAY_MS:-1000}
MAX_DELAY_MS=${MAX_DELAY_MS:-60000}
SIZE=${SIZE:-64}
WARREN_PORT=${WARREN_PORT:-5673}
STAMP=$(date +%Y%m%d-%H%M%S)
LOG_DIR=$CACHE_DIR/logs
mkdir -p "$LOG_DIR"
WARREN_LOG=$LOG_DIR/delayed-$STAMP-warren.log
LOAD_LOG=$LOG_DIR/delayed-$STAMP-load.log

die() { echo "delayed-bench.sh: $*" >&2; exit 2; }

jar=$REPO_ROOT/deploy/target/warren-server.jar
if [[ ! -f $jar ]] || [[ -n $(find "$REPO_ROOT"/broker-*/src/main "$REPO_ROOT"/deploy/src/main -newer "$jar" -name '*.java' | head -1) ]]; then
    echo "building Warren (mvn -q -o -pl deploy -am package -DskipTests)"
    (cd "$REPO_ROOT" && mvn -q -o -pl deploy -am package -DskipTests) || die "the build failed"
fi

lib=$CACHE_DIR/delayed-lib
if ! compgen -G "$lib/amqp-client-*.jar" >/dev/null; then
    tmp=$(mktemp -d)
    cat >"$tmp/pom.xml" <<'EOF'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId>
  <artifactId>delayed-load-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>com.rabbitmq</groupId><artifactId>amqp-client</artifactId><version>5.23.0</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
    mvn -B -q -f "$tmp/pom.xml" dependency:copy-dependencies -DoutputDirectory="$lib" >"$LOG_DIR/delayed-lib-fetch.log" 2>&1 \
        || { cat "$LOG_DIR/delayed-lib-fetch.log" >&2; die "could not fetch the RabbitMQ Java client"; }
    rm -rf "$tmp"
fi

data=$(mktemp -d "${TMPDIR:-/tmp}/warren-delayed.XXXXXX")
warren_pid=""
sampler_pid=""
cleanup() {
    [[ -n $sampler_pid ]] && kill "$sampler_pid" 2>/dev/null || true
    if [[ -n $warren_pid ]]; then
        kill -TERM -- "-$warren_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$warren_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL -- "-$warren_pid" 2>/dev/null || true
    fi
    rm -rf "$data"
}
trap cleanup EXIT

echo "starting Warren on port $WARREN_PORT (log: $WARREN_LOG)"
# setsid: its own process group; the launcher execs the JVM, so this pid is the broker's
setsid "$REPO_ROOT/deploy/bin/warren-server" --amqp-port "$WARREN_PORT" --mgmt-port 0 --data-dir "$data" \
    >"$WARREN_LOG" 2>&1 </dev/null &
warren_pid=$!
for _ in $(seq 1 300); do
    grep -q "Warren started" "$WARREN_LOG" 2>/dev/null && break
    kill -0 "$warren_pid" 2>/dev/null || { tail -n 20 "$WARREN_LOG" >&2; die "Warren exited"; }
    sleep 0.2
done
grep -q "Warren started" "$WARREN_LOG" || die "Warren did not start in 60 s"

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$warren_pid/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$warren_pid/stat"; }
rss_before=$(rss_kib)
cpu_before=$(cpu_ticks)
peak_file=$(mktemp)
echo "$rss_before" >"$peak_file"
( peak=$rss_before
  while kill -0 "$warren_pid" 2>/dev/null; do
      now=$(rss_kib 2>/dev/null || echo 0)
      if ((now > peak)); then peak=$now; echo "$peak" >"$peak_file"; fi
      sleep 0.5
  done ) &
sampler_pid=$!

load=(java -cp "$lib/*" "$SCRIPT_DIR/DelayedLoad.java" --uri "amqp://guest:guest@127.0.0.1:$WARREN_PORT"
      --messages "$MESSAGES" --min-delay-ms "$MIN_DELAY_MS" --max-delay-ms "$MAX_DELAY_MS" --size "$SIZE")
[[ ${TRANSIENT:-0} == 1 ]] && load+=(--transient)
echo "+ ${load[*]}"
status=0
"${load[@]}" 2>&1 | tee "$LOAD_LOG" || status=$?
cpu_after=$(cpu_ticks)
peak=$(cat "$peak_file")
rm -f "$peak_file"
ticks=$(getconf CLK_TCK)

echo
echo "== delayed-message benchmark, Warren $(git -C "$REPO_ROOT" rev-parse --short HEAD), $(date '+%F %T')"
echo "messages:          $MESSAGES, x-delay uniform $MIN_DELAY_MS-$MAX_DELAY_MS ms, $SIZE B, $([[ ${TRANSIENT:-0} == 1 ]] && echo transient || echo durable) exchange"
grep -E "^(published:|all delivered after:|lateness)" "$LOAD_LOG" || true
awk -v b="$rss_before" -v p="$peak" 'BEGIN {printf "RSS:               %.0f MiB before, peak %.0f MiB, growth %.0f MiB\n", b/1024, p/1024, (p-b)/1024}'
awk -v c=$((cpu_after - cpu_before)) -v t="$ticks" -v n="$MESSAGES" \
    'BEGIN {printf "broker CPU:        %.1f s, %.1f µs/msg\n", c/t, c/t*1e6/n}'
exit $((status == 0 ? 0 : 1))
