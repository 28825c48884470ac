#!/usr/bin/env bash
# run-bench.sh — RabbitMQ PerfTest against Warren and against RabbitMQ, on this machine, in one run.
#
# Usage:
#   deploy/bench/run-bench.sh            # from any directory
#   DURATION=10 deploy/bench/run-bench.sh
#   SCENARIOS="confirms-1000" BROKERS="warren" deploy/bench/run-bench.sh
#
# What it does:
#   1. Fetches PerfTest (com.rabbitmq:perf-test, PERFTEST_VERSION) and its dependencies from Maven
#      Central into deploy/bench/.cache/perftest-<version>/lib (the jar on Central is not a fat jar).
#   2. Installs Debian's rabbitmq-server with apt-get if it is missing, and stops the system service
#      if one runs (it would eat CPU). The benchmark never uses that service.
#   3. For each broker in BROKERS, one at a time (never both running at once; latency-10k excepted):
#        warren:   deploy/bin/warren-server --amqp-port WARREN_PORT --data-dir <tmp>
#                  (or, when that launcher is absent, java -cp deploy/target/... WarrenServer),
#                  building it first with `mvn -q -o install -DskipTests` when the build is missing or
#                  older than the sources;
#        rabbitmq: a private node bench@localhost on 127.0.0.1:RABBIT_PORT with its own mnesia/log
#                  dirs, no plugins (management off), its own epmd port;
#      waits for the AMQP port, runs a short warm-up, then every throughput scenario for DURATION
#      seconds, then stops the broker; then backlog-10m, when selected, with its own broker starts
#      (see below);
#   4. Prints a table per scenario (send/receive/confirm rates, consumer latency percentiles, confirm
#      latency, received/sent) and the Warren/RabbitMQ ratios, then a summary.
#
# Throughput scenarios (1 producer, 1 consumer, one fresh queue q-<scenario>-<broker>, DURATION s):
#   auto-ack-16b          -x 1 -y 1 -s 16 -a                 consumer auto-ack
#   manual-ack-prefetch   -x 1 -y 1 -s 16 -q 1000 -A 100     manual ack, prefetch 1000, multi-ack every 100
#   confirms-1000         -x 1 -y 1 -s 16 -c 1000            publisher confirms, 1000 in flight
#                                                            (consumer acks each message, no prefetch limit)
#   persistent-confirms-1k  -x 1 -y 1 -s 1024 -f persistent -c 1000 -ad false
#                         persistent 1 KiB messages on a durable (PerfTest: durable = -f persistent),
#                         non-auto-delete queue, publisher confirms with 1000 in flight, consumer acks
#                         each message, no prefetch limit; the queue is deleted after the run
#
# Message lifecycle (issue 13; not in the default SCENARIOS):
#   priority-10           -x 1 -y 1 -s 16 --queue-args x-max-priority=10 --message-properties priority=5
#                         --qos 1000 --multi-ack-every 100: a priority queue, manual acks as manual-ack-prefetch.
#                         PerfTest sets one priority for all messages (it has no random priorities); the
#                         mixed-priority order is tested in PriorityQueueIT / QueueLifecycleTest
#   priority-random       the same queue and consumer settings with a random priority 0-10 per message, run by
#                         deploy/bench/PriorityLoad.java (the RabbitMQ Java client from PerfTest's class path,
#                         launched as a single-file program) instead of PerfTest; rates only, no latency
#   drop-head-1000        -x 1 -y 1 -s 16 --queue-args x-max-length=1000 --consumer-rate 1000 --autoack:
#                         an unthrottled producer into a queue bounded at 1000 messages (drop-head), a consumer
#                         at 1000 msg/s; the rate reported is the producer's, CPU per *published* message
#                         (every throughput scenario also reports the broker's RSS growth: peak VmRSS sampled
#                         each second during the run minus VmRSS just before it)
#   ttl-dlx-1m            per broker: a queue with x-message-ttl TTL_DLX_TTL_MS (5000) dead-lettering through
#                         the default exchange into a second queue, no consumer; PerfTest publishes
#                         TTL_DLX_MESSAGES (1,000,000) 16-byte messages (-x 1 -y 0 -C N -c 1000, predeclared);
#                         reported: publish time, time until all N are in the dead-letter queue (both from
#                         PerfTest's launch; and the latter from the first publish: when PerfTest logs that its
#                         producer's channel starts), broker RSS growth (peak sampled VmRSS - start) and broker
#                         CPU per message
# Overload and scale (issue 16; not in the default SCENARIOS):
#   overload-4p-slow-consumer  -x 4 -y 1 -s 4000 --consumer-rate 500 --auto-delete false: four unthrottled
#                         producers of 4 KB messages against one consumer at 500 msg/s (the queue is deleted
#                         after the run); what matters is the broker's RSS growth (peak - start) and CPU per
#                         *published* message, and whether publishers were slowed (send rate). Run with DURATION=60
#                         for the issue's numbers.
#   connection-churn      CHURN_CONNECTIONS (5000) connections opened by CHURN_THREADS (8) threads, one channel
#                         each, then closed by as many (deploy/bench/ConnectionChurn.java, the RabbitMQ Java client
#                         from PerfTest's class path): open and close rates, broker CPU per open and per close,
#                         RSS per open connection, and RSS CHURN_SETTLE (40) s after all closed, compared with
#                         RSS read after the broker sat idle as long before the churn (an idle broker may give
#                         memory back: Warren's idle heap trim collects after 20 s without a collection); the
#                         note has RSS 5 s after the close
#   many-connections      MANY_CONNECTIONS (10000) connections with heartbeats (MANY_HEARTBEAT, 60 s) opened and
#                         held MANY_HOLD seconds (300), checked every second, then closed: RSS per connection and
#                         how many were lost while held (the Java client's NIO mode: no thread per connection)
#   idle-queues           IDLE_QUEUES (100000) classic queues declared by 4 channels, no messages, no consumers
#                         (deploy/bench/IdleQueues.java): declare and delete rates, RSS per queue after 10 s
#   (connection-churn, many-connections and idle-queues each start a broker of their own, after the throughput
#   scenarios; results in resources.tsv)
#   latency-10k           publish-to-delivery latency at a fixed LATENCY_RATE (10000) msg/s, 16 B, 1p1c, auto-ack,
#                         with p99.9 and max (deploy/bench/LatencyProbe.java). Unlike every other scenario it runs
#                         Warren and RabbitMQ at the same time, after the others, and measures them interleaved from
#                         one client JVM: LATENCY_WARMUP (30) s each in turn, then LATENCY_SECONDS (120) s each cut
#                         into LATENCY_SLICE (10) s slices taken in turn, so both share the machine's noise (a
#                         neighbour's load, the client's own collections and compilations). Reported: p50/p90/p99/
#                         p99.9/max over all slices, and in how many rounds Warren's p99.9 was no higher
#
# Backlog scenario:
#   backlog-10m           per broker: start it on an empty data dir; publish BACKLOG_MESSAGES persistent
#                         16-byte messages into one durable queue with no consumer
#                         (-x 1 -y 0 -s 16 -f persistent -c 1000 -ad false -C N), sampling the broker's
#                         resident memory (VmRSS of the java / beam.smp process) every second; then stop
#                         it (Warren: SIGTERM; RabbitMQ: rabbitmqctl stop), start it again on the same data
#                         dir and time (from the launch) TCP accept, AMQP open, the queue's return, the
#                         first delivery to a consumer and the queue reporting all N messages
#                         (deploy/bench/amqp_probe.py, pika). Not in the default SCENARIOS.
#
# Environment (defaults in brackets):
#   DURATION [30]            seconds per scenario run (PerfTest -z)
#   WARMUP [5]               seconds of auto-ack warm-up per broker before measuring; 0 = none
#   SCENARIOS [the four throughput scenarios]  space-separated scenario names from the list above
#                            (backlog-10m only when named)
#   BROKERS ["warren rabbitmq"]  which brokers, in this order
#   WARREN_PORT [5673]  RABBIT_PORT [5682]  RABBIT_EPMD_PORT [4399]
#   PERFTEST_VERSION [2.22.1]
#   PERFTEST_JAVA_OPTS []    extra JVM options for PerfTest
#   WARREN_JAVA_OPTS []      JVM options for Warren (read by the launcher too)
#   WARREN_LAUNCHER [deploy/bin/warren-server]  set it empty to run java -cp deploy/target/... directly
#   WARREN_BUILD [auto]      auto: build when missing/stale (a failed build falls back to the existing
#                            jar, with a warning); 1: always build (failure is fatal); 0: never build
#   MVN_BUILD_ARGS [-q -o install -DskipTests]
#   STARTUP_TIMEOUT [90]     seconds to wait for a broker to accept connections
#   COOLDOWN [2]             seconds of pause between runs
#   KEEP_SYSTEM_RABBITMQ [0] 1: do not stop a running system rabbitmq-server service
#   KEEP_DATA [0]            1: keep the broker data directories (under $TMPDIR) after the run
#   BACKLOG_MESSAGES [10000000]      messages published by backlog-10m
#   BACKLOG_CONFIRMS [1000]          publisher confirms in flight while publishing the backlog
#   BACKLOG_PUBLISH_TIMEOUT [3600]   seconds before the backlog publish is killed (counts as failed)
#   BACKLOG_STOP_TIMEOUT [300]       seconds a broker holding the backlog gets to stop, then KILL
#   BACKLOG_RESTART_TIMEOUT [600]    seconds after the restart's launch before each restart measurement
#                                    (port, first delivery, count = N) is given up and reported as NA
#   BACKLOG_SETTLE [5]               seconds of idle after start before the baseline memory reading
#   TTL_DLX_MESSAGES [1000000]       messages published by ttl-dlx-1m
#   TTL_DLX_TTL_MS [5000]            its queue's x-message-ttl
#   TTL_DLX_TIMEOUT [600]            seconds from PerfTest's launch before ttl-dlx-1m gives up (counts as failed)
#   PYTHON [/usr/bin/python3]        python with pika (Debian: python3-pika), for amqp_probe.py
#   CHURN_CONNECTIONS [5000]  CHURN_THREADS [8]          connection-churn
#   CHURN_WARMUP [10000]      connections opened and closed, not counted, by connection-churn's own JVM before
#                             it measures (warms the broker's JIT and the client's; 0 = none)
#   MANY_WARMUP [2000]        the same before many-connections, in a JVM of its own (0 = none)
#   CHURN_NIO [false]         connection-churn's client in NIO mode (a few I/O threads instead of one per connection)
#   MANY_CONNECTIONS [10000]  MANY_HOLD [300]  MANY_HEARTBEAT [60]   many-connections
#   IDLE_QUEUES [100000]                                 idle-queues
#   LATENCY_RATE [10000]  LATENCY_WARMUP [30]  LATENCY_SECONDS [120]  LATENCY_SLICE [10]   latency-10k
#
# Output: the tables on stdout; raw PerfTest output (+ per-second CSV), broker logs, the commands run
# and results.tsv in deploy/bench/.cache/logs/<timestamp>/ (deploy/bench/.cache/logs/latest links to it).
# Exit status: 0 all runs passed; 1 some run failed (tables still printed); 2 setup error.
#
# Needs: bash, java 17+, mvn, root (or sudo) for apt-get when rabbitmq-server is missing; for
# backlog-10m (and to delete persistent-confirms-1k's queue) python3 with pika, and procps (pgrep).
# Only loopback addresses are used. Numbers are only meaningful on an otherwise idle machine: the load
# average is printed before each run.

set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "run-bench.sh: no arguments expected (configure with environment variables; see --help)" >&2
    exit 2
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
CACHE_DIR="$SCRIPT_DIR/.cache"

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
SCENARIOS=${SCENARIOS:-"auto-ack-16b manual-ack-prefetch confirms-1000 persistent-confirms-1k"}
BROKERS=${BROKERS:-"warren rabbitmq"}
WARREN_PORT=${WARREN_PORT:-5673}
RABBIT_PORT=${RABBIT_PORT:-5682}
RABBIT_EPMD_PORT=${RABBIT_EPMD_PORT:-4399}
RABBIT_NODE=bench@localhost
PERFTEST_VERSION=${PERFTEST_VERSION:-2.22.1}
PERFTEST_JAVA_OPTS=${PERFTEST_JAVA_OPTS:-}
WARREN_JAVA_OPTS=${WARREN_JAVA_OPTS:-}
WARREN_BUILD=${WARREN_BUILD:-auto}
MVN_BUILD_ARGS=${MVN_BUILD_ARGS:-"-q -o install -DskipTests"}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-90}
COOLDOWN=${COOLDOWN:-2}
KEEP_SYSTEM_RABBITMQ=${KEEP_SYSTEM_RABBITMQ:-0}
KEEP_DATA=${KEEP_DATA:-0}
BACKLOG_MESSAGES=${BACKLOG_MESSAGES:-10000000}
BACKLOG_CONFIRMS=${BACKLOG_CONFIRMS:-1000}
BACKLOG_PUBLISH_TIMEOUT=${BACKLOG_PUBLISH_TIMEOUT:-3600}
BACKLOG_STOP_TIMEOUT=${BACKLOG_STOP_TIMEOUT:-300}
BACKLOG_RESTART_TIMEOUT=${BACKLOG_RESTART_TIMEOUT:-600}
BACKLOG_SETTLE=${BACKLOG_SETTLE:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
PROBE="$SCRIPT_DIR/amqp_probe.py"

RABBIT_SBIN=/usr/lib/rabbitmq/bin
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

BENCH_NAME=run-bench
# shellcheck source=deploy/bench/bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"

require_uint WARMUP WARREN_PORT RABBIT_PORT RABBIT_EPMD_PORT STARTUP_TIMEOUT COOLDOWN BACKLOG_PUBLISH_TIMEOUT \
    BACKLOG_STOP_TIMEOUT BACKLOG_RESTART_TIMEOUT BACKLOG_SETTLE
require_positive DURATION BACKLOG_MESSAGES BACKLOG_CONFIRMS
THROUGHPUT_SCENARIOS=""   # SCENARIOS without backlog-10m and ttl-dlx-1m, in order
BACKLOG=0
TTL_DLX=0
TTL_DLX_MESSAGES=${TTL_DLX_MESSAGES:-1000000}
TTL_DLX_TTL_MS=${TTL_DLX_TTL_MS:-5000}
TTL_DLX_TIMEOUT=${TTL_DLX_TIMEOUT:-600}
require_positive TTL_DLX_MESSAGES TTL_DLX_TTL_MS TTL_DLX_TIMEOUT
CHURN_CONNECTIONS=${CHURN_CONNECTIONS:-5000}
CHURN_THREADS=${CHURN_THREADS:-8}
CHURN_WARMUP=${CHURN_WARMUP:-10000}
MANY_WARMUP=${MANY_WARMUP:-2000}
CHURN_NIO=${CHURN_NIO:-false}
CHURN_SETTLE=${CHURN_SETTLE:-40}
MANY_CONNECTIONS=${MANY_CONNECTIONS:-10000}
MANY_HOLD=${MANY_HOLD:-300}
MANY_HEARTBEAT=${MANY_HEARTBEAT:-60}
IDLE_QUEUES=${IDLE_QUEUES:-100000}
require_positive CHURN_CONNECTIONS CHURN_THREADS MANY_CONNECTIONS MANY_HOLD MANY_HEARTBEAT IDLE_QUEUES
require_uint CHURN_WARMUP MANY_WARMUP
LATENCY_RATE=${LATENCY_RATE:-10000}
LATENCY_WARMUP=${LATENCY_WARMUP:-30}
LATENCY_SECONDS=${LATENCY_SECONDS:-120}
LATENCY_SLICE=${LATENCY_SLICE:-10}
require_positive LATENCY_RATE LATENCY_SECONDS LATENCY_SLICE
require_uint LATENCY_WARMUP
LATENCY=0
RESOURCE_SCENARIOS=""     # connection-churn, many-connections, idle-queues: a broker start each
for s in $SCENARIOS; do
    case $s in
        auto-ack-16b|manual-ack-prefetch|confirms-1000|persistent-confirms-1k|priority-10|priority-random|drop-head-1000|overload-4p-slow-consumer)
            THROUGHPUT_SCENARIOS+="${THROUGHPUT_SCENARIOS:+ }$s" ;;
        connection-churn|many-connections|idle-queues)
            RESOURCE_SCENARIOS+="${RESOURCE_SCENARIOS:+ }$s" ;;
        backlog-10m) BACKLOG=1 ;;
        ttl-dlx-1m) TTL_DLX=1 ;;
        latency-10k) LATENCY=1 ;;
        *) die "unknown scenario '$s'" ;;
    esac
done
for b in $BROKERS; do
    case $b in warren|rabbitmq) ;; *) die "unknown broker '$b' (warren, rabbitmq)";; esac
done

# PerfTest flags per scenario (the common ones are added in run_perftest).
scenario_flags() {
    case $1 in
        auto-ack-16b)        echo "--autoack" ;;
        manual-ack-prefetch) echo "--qos 1000 --multi-ack-every 100" ;;
        confirms-1000)       echo "--confirm 1000" ;;
        persistent-confirms-1k) echo "--flag persistent --confirm 1000 --auto-delete false" ;;
        priority-10)         echo "--queue-args x-max-priority=10 --message-properties priority=5 --qos 1000 --multi-ack-every 100" ;;
        drop-head-1000)      echo "--queue-args x-max-length=1000 --consumer-rate 1000 --autoack" ;;
        overload-4p-slow-consumer) echo "--consumer-rate 500 --auto-delete false" ;;
        warmup)              echo "--autoack" ;;
    esac
}
scenario_size() {
    case $1 in
        persistent-confirms-1k) echo 1024 ;;
        overload-4p-slow-consumer) echo 4000 ;;
        *) echo 16 ;;
    esac
}
scenario_producers() {
    case $1 in
        overload-4p-slow-consumer) echo 4 ;;
        *) echo 1 ;;
    esac
}
scenario_title() {
    case $1 in
        auto-ack-16b)        echo "1 producer / 1 consumer, 16 B, auto-ack" ;;
        manual-ack-prefetch) echo "1 producer / 1 consumer, 16 B, manual ack, prefetch 1000, multi-ack every 100" ;;
        confirms-1000)       echo "1 producer / 1 consumer, 16 B, publisher confirms (1000 in flight), consumer acks each" ;;
        persistent-confirms-1k) echo "1 producer / 1 consumer, 1 KiB persistent, durable queue, publisher confirms (1000 in flight), consumer acks each" ;;
        backlog-10m)         echo "$BACKLOG_MESSAGES persistent 16 B messages into one durable queue, no consumer (confirms, $BACKLOG_CONFIRMS in flight); then a restart" ;;
        priority-10)         echo "1 producer / 1 consumer, 16 B, priority queue (x-max-priority 10, priority 5), manual ack, prefetch 1000" ;;
        priority-random)     echo "1 producer / 1 consumer, 16 B, priority queue (x-max-priority 10, random priority 0-10), manual ack, prefetch 1000 (PriorityLoad.java)" ;;
        drop-head-1000)      echo "unthrottled producer into x-max-length 1000 (drop-head), consumer at 1000 msg/s, 16 B; rate = published" ;;
        overload-4p-slow-consumer) echo "4 unthrottled producers, 1 consumer at 500 msg/s, 4000 B; cpu per published message" ;;
        connection-churn)    echo "$CHURN_CONNECTIONS connections opened by $CHURN_THREADS threads (one channel each), then closed" ;;
        many-connections)    echo "$MANY_CONNECTIONS connections, heartbeat ${MANY_HEARTBEAT}s, held ${MANY_HOLD}s (Java client NIO)" ;;
        idle-queues)         echo "$IDLE_QUEUES idle classic queues declared, then deleted" ;;
        ttl-dlx-1m)          echo "$TTL_DLX_MESSAGES 16 B messages, x-message-ttl ${TTL_DLX_TTL_MS} ms, dead-lettered into a second queue, no consumer" ;;
    esac
}

# ---------------------------------------------------------------------------------------------------
# Run directories, command log, cleanup

STAMP=$(date +%Y%m%d-%H%M%S)
LOG_DIR="$CACHE_DIR/logs/$STAMP"
mkdir -p "$LOG_DIR"
ln -sfn "$STAMP" "$CACHE_DIR/logs/latest"
DATA_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/warren-bench.XXXXXX")
COMMANDS_LOG="$LOG_DIR/commands.txt"
RESULTS="$LOG_DIR/results.tsv"
RESOURCES="$LOG_DIR/resources.tsv"
if [[ -n $RESOURCE_SCENARIOS ]]; then
    printf 'scenario\tbroker\tstatus\topen_per_s\tclose_per_s\tcpu_us_per_open\tcpu_us_per_close\trss_before_kb\trss_loaded_kb\trss_after_kb\tbytes_each\tlost\tnote\n' >"$RESOURCES"
fi
printf 'scenario\tbroker\tstatus\tsend_msg_s\trecv_msg_s\tlat_min_us\tlat_p50_us\tlat_p75_us\tlat_p95_us\tlat_p99_us\tconfirm_p50_us\tconfirm_p99_us\tstall_seconds\tconfirm_msg_s\tnote\tcpu_us_per_msg\trss_start_kb\trss_peak_kb\n' >"$RESULTS"
BACKLOG_RESULTS="$LOG_DIR/backlog.tsv"
TTL_DLX_RESULTS="$LOG_DIR/ttl-dlx.tsv"
if [[ $TTL_DLX == 1 ]]; then
    printf 'broker\tstatus\tmessages\tpublish_s\tall_dead_lettered_s\trss_start_kb\trss_peak_kb\tcpu_us_per_msg\tfirst_publish_s\tnote\n' >"$TTL_DLX_RESULTS"
fi
if [[ $BACKLOG == 1 ]]; then
    printf '%s\t' broker status messages publish_wall_s publish_msg_s confirm_msg_s queue_count_after_publish \
        rss_start_kb rss_after_publish_kb rss_peak_kb rss_sampled_max_kb rss_growth_kb rss_peak_growth_kb \
        disk_after_publish_bytes stop_s stop_how disk_after_stop_bytes restart_tcp_s restart_amqp_s restart_queue_s \
        restart_first_delivery_s restart_count_n_s restart_count rss_after_recovery_kb >"$BACKLOG_RESULTS"
    echo note >>"$BACKLOG_RESULTS"
fi

WARREN_PID=""       # process-group leader of the running Warren
WARREN_DATA=""      # its data directory
BROKER_LAUNCHED_AT=""  # when the last broker start launched its process (epoch seconds)
RABBIT_PID=""       # process-group leader of the running RabbitMQ
RABBIT_STARTED_EPMD=0
PERFTEST_PID=""     # the running PerfTest (its `timeout` wrapper)
SAMPLER_PID=""      # the running memory sampler (backlog-10m)
PROBE_PID=""        # the running amqp_probe.py restart (backlog-10m)

# shellcheck disable=SC2317  # (run by the EXIT trap)
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n $PERFTEST_PID ]]; then
        kill -TERM "$PERFTEST_PID" 2>/dev/null   # timeout passes it on to PerfTest
        wait "$PERFTEST_PID" 2>/dev/null
    fi
    [[ -n $SAMPLER_PID ]] && { kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null; }
    [[ -n $PROBE_PID ]] && { kill "$PROBE_PID" 2>/dev/null; wait "$PROBE_PID" 2>/dev/null; }
    [[ -n $WARREN_PID ]] && stop_warren
    [[ -n $RABBIT_PID ]] && stop_rabbit
    if [[ $RABBIT_STARTED_EPMD == 1 ]]; then
        epmd -port "$RABBIT_EPMD_PORT" -kill >/dev/null 2>&1
    fi
    if [[ $KEEP_DATA == 1 ]]; then
        info "kept broker data in $DATA_ROOT"
    else
        rm -rf "$DATA_ROOT"
    fi
    info "logs: $LOG_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "run-bench: interrupted" >&2; exit 130' INT
trap 'echo "run-bench: terminated" >&2; exit 143' TERM

# ---------------------------------------------------------------------------------------------------
# PerfTest

# Runs one PerfTest; $1 scenario, $2 broker, $3 port, $4 seconds, $5 output base name.
# Returns PerfTest's exit status (124 when it had to be killed).
run_perftest() {
    local scenario=$1 broker=$2 port=$3 seconds=$4 base=$5
    local flags
    read -r -a flags <<<"$(scenario_flags "$scenario")"
    # Budget: the run, PerfTest's 5 s shutdown, its 30 s confirm timeout, JVM start, slack.
    perftest_exec "$((seconds + 90))" "$base" \
        --uri "amqp://guest:guest@127.0.0.1:$port" \
        --producers "$(scenario_producers "$scenario")" --consumers 1 --size "$(scenario_size "$scenario")" --time "$seconds" \
        --queue "q-$scenario-$broker" --id "$scenario-$broker" \
        --output-file "$LOG_DIR/$base.csv" \
        "${flags[@]}"
}

# Runs a bench tool ($2, a single-file program in this directory, with the RabbitMQ Java client from PerfTest's
# class path) with arguments $4...; killed after $1 seconds; output in $LOG_DIR/$3.log.
run_tool() {
    local limit=$1 tool=$2 base=$3
    shift 3
    java_logged "$limit" "$base" -Dlogback.configurationFile=logback-perf-test.xml -cp "$PERFTEST_LIB/*" \
        "$SCRIPT_DIR/$tool" "$@"
}

# priority-random: PriorityLoad.java instead of PerfTest (PerfTest has no random priorities); $1 broker,
# $2 port, $3 seconds, $4 output base name. It prints PerfTest's "sending/receiving rate avg" lines.
run_priority_load() {
    local broker=$1 port=$2 seconds=$3 base=$4
    # The single-file launch compiles the source first: a few seconds, before the measured interval.
    run_tool "$((seconds + 90))" PriorityLoad.java "$base" \
        --uri "amqp://guest:guest@127.0.0.1:$port" --queue "q-priority-random-$broker" --seconds "$seconds" \
        --max-priority 10 --size 16 --qos 1000 --multi-ack 100
}

# Runs PerfTest with arguments $3... , killed after $1 seconds; output in $LOG_DIR/$2.log.
perftest_exec() {
    local limit=$1 base=$2
    shift 2
    java_logged "$limit" "$base" -cp "$PERFTEST_LIB/*" com.rabbitmq.perf.PerfTest "$@"
}

# Runs java (with PERFTEST_JAVA_OPTS) with arguments $3..., killed after $1 seconds; output in $LOG_DIR/$2.log.
java_logged() {
    local limit=$1 base=$2
    shift 2
    local -a jopts=()
    [[ -n $PERFTEST_JAVA_OPTS ]] && read -r -a jopts <<<"$PERFTEST_JAVA_OPTS"
    local cmd=(timeout -k 10 "$limit" "$JAVA" ${jopts[@]+"${jopts[@]}"} "$@")
    show_cmd "${cmd[@]}"
    local rc=0
    # In the background + wait, so that a signal to this script is handled at once (bash defers
    # traps until a foreground child exits); cleanup stops PerfTest.
    "${cmd[@]}" >"$LOG_DIR/$base.log" 2>&1 </dev/null &
    PERFTEST_PID=$!
    wait "$PERFTEST_PID" || rc=$?
    PERFTEST_PID=""
    return "$rc"
}

# ---------------------------------------------------------------------------------------------------
# Warren

WARREN_LAUNCHER=${WARREN_LAUNCHER-$REPO_ROOT/deploy/bin/warren-server}
WARREN_JAR="$REPO_ROOT/deploy/target/warren-server.jar"
WARREN_BUILD_STAMP="$CACHE_DIR/warren-build.stamp"
WARREN_LOG="$LOG_DIR/warren.log"

warren_build_needed() {
    [[ -f $WARREN_JAR && -d $REPO_ROOT/deploy/target/lib ]] || return 0
    [[ -f $WARREN_BUILD_STAMP ]] || return 0
    # Any main source or pom changed since this script last built?
    [[ -n $(find "$REPO_ROOT" -maxdepth 1 -name pom.xml -newer "$WARREN_BUILD_STAMP" -print -quit) ]] && return 0
    [[ -n $(find "$REPO_ROOT"/*/ -maxdepth 1 -name pom.xml -newer "$WARREN_BUILD_STAMP" -print -quit) ]] && return 0
    [[ -n $(find "$REPO_ROOT"/*/src/main -type f -newer "$WARREN_BUILD_STAMP" -print -quit 2>/dev/null) ]] && return 0
    return 1
}

build_warren() {
    case $WARREN_BUILD in
        0) info "WARREN_BUILD=0: not building"; return ;;
        1) ;;
        auto) warren_build_needed || { info "Warren build is up to date"; return; } ;;
        *) die "WARREN_BUILD must be auto, 0 or 1" ;;
    esac
    local -a margs
    read -r -a margs <<<"$MVN_BUILD_ARGS"
    local cmd=(mvn "${margs[@]}")
    local stamp_new="$CACHE_DIR/warren-build.stamp.new"
    touch "$stamp_new"
    info "building Warren in $REPO_ROOT"
    show_cmd "${cmd[@]}"
    if (cd "$REPO_ROOT" && "${cmd[@]}") >"$LOG_DIR/warren-build.log" 2>&1; then
        mv "$stamp_new" "$WARREN_BUILD_STAMP"
    else
        rm -f "$stamp_new"
        tail -n 30 "$LOG_DIR/warren-build.log" >&2
        if [[ $WARREN_BUILD == auto && -f $WARREN_JAR && -d $REPO_ROOT/deploy/target/lib ]]; then
            warn "the Warren build failed (log: $LOG_DIR/warren-build.log); benchmarking the EXISTING build" \
                "$WARREN_JAR from $(date -r "$WARREN_JAR" '+%F %T')"
        else
            die "the Warren build failed (log: $LOG_DIR/warren-build.log)"
        fi
    fi
}

# Starts Warren; $1: data directory (default: a new, empty one), $2: seconds to wait for its port
# (default STARTUP_TIMEOUT). Sets WARREN_PID, WARREN_DATA and BROKER_LAUNCHED_AT (epoch, when launched).
start_warren() {
    local data=${1:-"$DATA_ROOT/warren-data-$((++WARREN_STARTS))"} limit=${2:-$STARTUP_TIMEOUT}
    WARREN_DATA=$data
    port_open "$WARREN_PORT" && die "port $WARREN_PORT is already in use (leftover Warren?): $(ss -ltnp "sport = :$WARREN_PORT" 2>/dev/null | tail -n +2)"
    local cmd
    if [[ -n $WARREN_LAUNCHER && -x $WARREN_LAUNCHER ]]; then
        cmd=("$WARREN_LAUNCHER" --amqp-port "$WARREN_PORT" --data-dir "$data")
    else
        [[ -f $WARREN_JAR ]] || die "$WARREN_JAR missing and no launcher at $WARREN_LAUNCHER"
        local -a jopts=()
        [[ -n $WARREN_JAVA_OPTS ]] && read -r -a jopts <<<"$WARREN_JAVA_OPTS"
        cmd=("$JAVA" ${jopts[@]+"${jopts[@]}"} -cp "$WARREN_JAR:$REPO_ROOT/deploy/target/lib/*"
            dev.warren.server.WarrenServer --amqp-port "$WARREN_PORT" --data-dir "$data")
    fi
    info "starting Warren on port $WARREN_PORT (log: $WARREN_LOG)"
    show_cmd "${cmd[@]}"
    echo "=== $(date '+%F %T') start: ${cmd[*]}" >>"$WARREN_LOG"
    # setsid: own process group, so stopping it also stops a JVM the launcher did not exec.
    BROKER_LAUNCHED_AT=$(date +%s.%N)
    setsid "${cmd[@]}" >>"$WARREN_LOG" 2>&1 </dev/null &
    WARREN_PID=$!
    if ! wait_for_ports "$WARREN_PID" Warren "$limit" "$WARREN_PORT"; then
        tail -n 30 "$WARREN_LOG" >&2
        stop_warren
        return 1
    fi
    info "Warren is up (pid $WARREN_PID)"
}

warren_alive() { [[ -n $WARREN_PID ]] && kill -0 "$WARREN_PID" 2>/dev/null && port_open "$WARREN_PORT"; }

# ---------------------------------------------------------------------------------------------------
# RabbitMQ

RABBIT_HOME="$CACHE_DIR/rabbitmq-home"   # holds the Erlang cookie, kept so a leftover node can be stopped
RABBIT_DIR="$DATA_ROOT/rabbitmq"
RABBIT_LOG_DIR="$LOG_DIR/rabbitmq"

set_rabbit_env

as_root() {
    if [[ $(id -u) == 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root (or sudo) to run: $*"
    fi
}

ensure_rabbitmq_installed() {
    if [[ -x $RABBIT_SBIN/rabbitmq-server ]]; then
        info "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?') is installed"
    else
        info "installing rabbitmq-server with apt-get"
        show_cmd apt-get update
        as_root apt-get update >"$LOG_DIR/apt.log" 2>&1 || { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get update failed"; }
        show_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y rabbitmq-server >>"$LOG_DIR/apt.log" 2>&1 \
            || { tail -n 20 "$LOG_DIR/apt.log" >&2; die "apt-get install rabbitmq-server failed"; }
        [[ -x $RABBIT_SBIN/rabbitmq-server ]] || die "$RABBIT_SBIN/rabbitmq-server missing after install"
        # The package enables and (where an init system allows) starts a system service; this
        # benchmark runs its own node, so that service is disabled.
        if [[ -d /run/systemd/system ]]; then
            show_cmd systemctl disable --now rabbitmq-server
            as_root systemctl disable --now rabbitmq-server >/dev/null 2>&1 || warn "could not disable the rabbitmq-server service"
        fi
    fi
}

# A running system broker would compete for the CPU, and its management listener holds Warren's port 15672,
# so it is stopped whichever brokers are measured.
stop_system_rabbitmq() {
    if [[ $KEEP_SYSTEM_RABBITMQ != 1 ]]; then
        if [[ -d /run/systemd/system ]]; then
            if systemctl is-active --quiet rabbitmq-server 2>/dev/null; then
                warn "the system rabbitmq-server service is running; stopping it (KEEP_SYSTEM_RABBITMQ=1 to keep it)"
                show_cmd systemctl stop rabbitmq-server
                as_root systemctl stop rabbitmq-server || warn "could not stop it"
            fi
        elif { [[ -f /var/run/rabbitmq/pid ]] && kill -0 "$(cat /var/run/rabbitmq/pid 2>/dev/null)" 2>/dev/null; } \
                || pgrep -u rabbitmq -f beam.smp >/dev/null 2>&1; then
            # (the init script does not always leave a pid file: the service's node runs as user rabbitmq)
            # (Not `service rabbitmq-server status`: that runs rabbitmqctl, which starts a stray epmd.)
            warn "the system rabbitmq-server service is running; stopping it (KEEP_SYSTEM_RABBITMQ=1 to keep it)"
            show_cmd service rabbitmq-server stop
            as_root service rabbitmq-server stop >/dev/null 2>&1 || warn "could not stop it"
        fi
    fi
}

# Starts the private RabbitMQ node on $RABBIT_DIR (keeping its mnesia dir); $1: seconds to wait for
# its port (default STARTUP_TIMEOUT). Sets RABBIT_PID and BROKER_LAUNCHED_AT.
start_rabbit() {
    prepare_rabbit_dirs
    cat >"$RABBIT_DIR/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$RABBIT_PORT
loopback_users.guest = true
EOF
    launch_rabbit "${1:-$STARTUP_TIMEOUT}" "$RABBIT_PORT"
}

rabbit_alive() { [[ -n $RABBIT_PID ]] && kill -0 "$RABBIT_PID" 2>/dev/null && port_open "$RABBIT_PORT"; }

# ---------------------------------------------------------------------------------------------------
# Results

# Reads PerfTest's final summary from $1 (a log) and $2 (its CSV); sets R_* variables.
parse_run() {
    local log=$1 csv=$2 lat conf
    R_SEND=$(sed -n 's/.*sending rate avg: \([0-9][0-9]*\) msg\/s.*/\1/p' "$log" | tail -n 1)
    R_RECV=$(sed -n 's/.*receiving rate avg: \([0-9][0-9]*\) msg\/s.*/\1/p' "$log" | tail -n 1)
    lat=$(sed -n 's/.*consumer latency min\/median\/75th\/95th\/99th \([0-9][0-9/]*\).*/\1/p' "$log" | tail -n 1)
    conf=$(sed -n 's/.*confirm latency min\/median\/75th\/95th\/99th \([0-9][0-9/]*\).*/\1/p' "$log" | tail -n 1)
    IFS=/ read -r R_LMIN R_L50 R_L75 R_L95 R_L99 <<<"${lat:-////}"
    IFS=/ read -r _ R_C50 _ _ R_C99 <<<"${conf:-////}"
    # 1-second samples in which the consumer received nothing (column 7 of the CSV).
    R_STALLS=""
    [[ -f $csv ]] && R_STALLS=$(awk -F, 'NR > 1 && $7 == 0 { n++ } END { print n + 0 }' "$csv")
    # Confirmed msg/s over the run: PerfTest prints no average for it, so it is the time-weighted mean
    # of the CSV's per-interval "confirmed (msg/s)" (column 5); empty without confirms. (The same
    # computation on the "published" column agrees with PerfTest's "sending rate avg" within ~0.2%.)
    R_CONF=""
    if [[ -f $csv && -n $conf ]]; then
        R_CONF=$(awk -F, 'NR > 1 && $5 != "" { dt = $2 - t; t = $2; c += $5 * dt; T = $2 }
            END { if (T > 0) printf "%.0f", c / T }' "$csv")
    fi
}

# First few error-looking lines of a PerfTest log (one line, for the table note).
perftest_errors() {
    grep -E 'Exception|ERROR|WARN|[Ee]rror|refused|closed|timed out|[Tt]imeout' "$1" \
        | grep -v 'starting \(consumer\|producer\)' | head -n 3 | tr '\n' ' ' | cut -c1-300 || true
}

# Records one run; $1 scenario, $2 broker, $3 PerfTest exit status, $4 base name, $5 Warren log offset.
record_run() {
    local scenario=$1 broker=$2 rc=$3 base=$4 log_from=$5
    local log="$LOG_DIR/$base.log" status=ok note=""
    parse_run "$log" "$LOG_DIR/$base.csv"
    if [[ $rc == 124 || $rc == 137 ]]; then
        status=FAIL; note="PerfTest timed out and was killed"
    elif [[ $rc != 0 ]]; then
        status=FAIL; note="PerfTest exit status $rc"
    elif [[ -z $R_SEND || -z $R_RECV ]]; then
        status=FAIL; note="no summary in PerfTest output"
    elif [[ $R_SEND == 0 || $R_RECV == 0 ]]; then
        status=FAIL; note="nothing sent or received"
    fi
    local errs
    errs=$(perftest_errors "$log")
    if [[ -n $errs ]]; then
        [[ $status == ok ]] && status=WARN
        note="${note:+$note; }PerfTest: $errs"
    fi
    if [[ $broker == warren ]] && ! warren_alive; then
        status=FAIL; note="${note:+$note; }Warren died"
    fi
    if [[ $broker == rabbitmq ]] && ! rabbit_alive; then
        status=FAIL; note="${note:+$note; }RabbitMQ died"
    fi
    if [[ $status != ok ]]; then
        echo "  -> $status: $note"
        echo "     PerfTest output (last lines of $log):"
        tail -n 15 "$log" | sed 's/^/       | /'
        if [[ $broker == warren ]]; then
            local wl
            wl=$(tail -n +"$log_from" "$WARREN_LOG" | grep -E 'WARN|ERROR|Exception|at [a-z]' | head -n 20 || true)
            if [[ -n $wl ]]; then
                echo "     Warren log during the run ($WARREN_LOG):"
                sed 's/^/       | /' <<<"$wl"
            fi
        fi
    else
        echo "  -> ok: sent $R_SEND msg/s,${R_CONF:+ confirmed $R_CONF msg/s,} received $R_RECV msg/s," \
            "consumer latency p50/p99 ${R_L50:-?}/${R_L99:-?} µs"
    fi
    note=${note//$'\t'/ }
    # The broker's CPU (user + system, all threads) per received message over the run: steadier than
    # the rate on a shared machine.
    local cpu="" per=$R_RECV
    [[ $scenario == drop-head-1000 || $scenario == overload-4p-slow-consumer ]] && per=$R_SEND # most are dropped or left queued
    [[ -n ${R_CPU_TICKS:-} && -n $per && $per != 0 ]] && cpu=$(awk -v t="$R_CPU_TICKS" -v hz="$HZ" \
        -v r="$per" -v d="$DURATION" 'BEGIN { printf "%.2f", t * 1e6 / hz / (r * d) }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$broker" "$status" \
        "$R_SEND" "$R_RECV" "$R_LMIN" "$R_L50" "$R_L75" "$R_L95" "$R_L99" "$R_C50" "$R_C99" "$R_STALLS" "$R_CONF" \
        "$note" "$cpu" "${R_RSS0:-}" "${R_RSS_PEAK:-}" >>"$RESULTS"
    [[ $status != FAIL ]]
}

# Field $3 (1-based column of results.tsv) for scenario $1, broker $2.
result() { awk -F'\t' -v s="$1" -v b="$2" -v c="$3" '$1 == s && $2 == b { v = $c } END { print v }' "$RESULTS"; }

ms() { [[ -n ${1:-} ]] && awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }' || echo "-"; }
ratio() {
    [[ -n ${1:-} && -n ${2:-} ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }' \
        || echo "n/a"
}
pct() {
    [[ -n ${1:-} && -n ${2:-} ]] && awk -v r="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.2f%%", 100 * r / s; else print "n/a" }' \
        || echo "-"
}
approx_total() { [[ -n ${1:-} ]] && echo $(($1 * DURATION)) || echo "-"; }

print_scenario_table() {
    local s=$1 b
    echo
    echo "=== $s: $(scenario_title "$s"), ${DURATION}s per broker"
    printf '%-9s %-5s %11s %11s %11s %9s %12s %12s %9s %9s %9s %15s %6s %10s %9s\n' \
        broker status "send msg/s" "conf msg/s" "recv msg/s" recv/sent "~sent total" "~recv total" "p50 ms" "p95 ms" \
        "p99 ms" "confirm p50/p99" stalls "cpu us/msg" "RSS +MiB"
    for b in $BROKERS; do
        local st send recv conf crate
        st=$(result "$s" "$b" 3)
        [[ -n $st ]] || continue
        send=$(result "$s" "$b" 4); recv=$(result "$s" "$b" 5); crate=$(result "$s" "$b" 14)
        conf="-"
        [[ -n $(result "$s" "$b" 11) ]] && conf="$(ms "$(result "$s" "$b" 11)")/$(ms "$(result "$s" "$b" 12)")"
        printf '%-9s %-5s %11s %11s %11s %9s %12s %12s %9s %9s %9s %15s %6s %10s %9s\n' \
            "$b" "$st" "${send:--}" "${crate:--}" "${recv:--}" "$(pct "$recv" "$send")" "$(approx_total "$send")" \
            "$(approx_total "$recv")" "$(ms "$(result "$s" "$b" 7)")" "$(ms "$(result "$s" "$b" 9)")" \
            "$(ms "$(result "$s" "$b" 10)")" "$conf" "$(result "$s" "$b" 13)" "$(result "$s" "$b" 16)" \
            "$(kb_mib "$(minus "$(result "$s" "$b" 18)" "$(result "$s" "$b" 17)")")"
    done
    local wr rr ws rs wc rc
    wr=$(result "$s" warren 5); rr=$(result "$s" rabbitmq 5)
    ws=$(result "$s" warren 4); rs=$(result "$s" rabbitmq 4)
    wc=$(result "$s" warren 14); rc=$(result "$s" rabbitmq 14)
    if [[ -n $wr && -n $rr ]]; then
        echo "Warren/RabbitMQ: ${wc:+${rc:+confirmed rate $(ratio "$wc" "$rc"), }}receive rate $(ratio "$wr" "$rr")," \
            "send rate $(ratio "$ws" "$rs")," \
            "p50 latency $(ratio "$(result "$s" warren 7)" "$(result "$s" rabbitmq 7)")," \
            "p99 latency $(ratio "$(result "$s" warren 10)" "$(result "$s" rabbitmq 10)")"
    fi
    for b in $BROKERS; do
        local n
        n=$(result "$s" "$b" 15)
        [[ -n $n ]] && echo "note ($b): $n"
    done
    return 0
}

# ---------------------------------------------------------------------------------------------------
# persistent-confirms-1k and backlog-10m helpers

# True when $PYTHON can import pika.
have_pika() { "$PYTHON" -c 'import pika' >/dev/null 2>&1; }

ensure_pika() {
    have_pika && return 0
    if [[ $PYTHON == /usr/bin/python3 ]] && command -v apt-get >/dev/null; then
        info "installing python3-pika with apt-get (for $PROBE)"
        show_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-pika
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y python3-pika >>"$LOG_DIR/apt.log" 2>&1 \
            || { tail -n 20 "$LOG_DIR/apt.log" >&2; return 1; }
    fi
    have_pika
}

# Deletes queue $2 on port $1 (persistent-confirms-1k's durable queue, so it does not linger).
delete_queue() {
    local port=$1 queue=$2 left
    have_pika || { warn "no pika for $PYTHON: queue $queue is left in place"; return 0; }
    show_cmd "$PYTHON" "$PROBE" delete --port "$port" --queue "$queue"
    if left=$(timeout 60 "$PYTHON" "$PROBE" delete --port "$port" --queue "$queue"); then
        info "deleted queue $queue ($left messages were left in it)"
    else
        warn "could not delete queue $queue"
    fi
}

# Samples VmRSS of process $1 every second into CSV $2 until stop_sampler.
start_sampler() {
    local pid=$1 file=$2
    echo "epoch_s,vmrss_kb" >"$file"
    [[ -n $pid ]] || return 0
    (
        trap - EXIT INT TERM
        set +e
        while [[ -r /proc/$pid/status ]]; do
            echo "$(date +%s),$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null)"
            sleep 1
        done
    ) >>"$file" 2>/dev/null &
    SAMPLER_PID=$!
}
stop_sampler() {
    [[ -n $SAMPLER_PID ]] || return 0
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
}

dir_bytes() { if [[ -d $1 ]]; then du -sb "$1" 2>/dev/null | cut -f1 || true; fi; }
bytes_mib() { [[ -n ${1:-} && $1 != NA ]] && awk -v v="$1" 'BEGIN { printf "%.1f", v / 1048576 }' || echo "-"; }
minus() { [[ -n ${1:-} && -n ${2:-} && $1 != NA && $2 != NA ]] && echo $(($1 - $2)) || echo NA; }

# Stops broker $1 the graceful way and times it; sets STOP_S (seconds from the stop request until the
# process group is gone) and STOP_HOW. BACKLOG_STOP_TIMEOUT bounds it, then KILL.
stop_timed() {
    local broker=$1 pgid t0 rc=0
    STOP_S=NA; STOP_HOW=""
    case $broker in
        warren) pgid=$WARREN_PID ;;
        rabbitmq) pgid=$RABBIT_PID ;;
    esac
    [[ -n $pgid ]] || { STOP_HOW="not running"; return 0; }
    if ! kill -0 -- "-$pgid" 2>/dev/null; then
        STOP_HOW="was not running"
    else
        info "stopping $broker gracefully, timed (up to ${BACKLOG_STOP_TIMEOUT}s)"
        t0=$(now)
        case $broker in
            warren)
                show_cmd kill -TERM "$pgid"
                kill -TERM "$pgid" 2>/dev/null || true
                ;;
            rabbitmq)
                local cmd=("$RABBIT_SBIN/rabbitmqctl" -q -n "$RABBIT_NODE" stop)
                show_cmd "${cmd[@]}"
                rabbit_env timeout "$BACKLOG_STOP_TIMEOUT" "${cmd[@]}" >/dev/null 2>&1 || warn "rabbitmqctl stop failed"
                ;;
        esac
        local deadline=$((SECONDS + BACKLOG_STOP_TIMEOUT))
        while kill -0 -- "-$pgid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.1; done
        if kill -0 -- "-$pgid" 2>/dev/null; then
            STOP_HOW="killed after ${BACKLOG_STOP_TIMEOUT}s"
            kill -KILL -- "-$pgid" 2>/dev/null || true
        else
            STOP_S=$(secs_between "$(now)" "$t0")
            STOP_HOW=clean
        fi
    fi
    wait "$pgid" 2>/dev/null || rc=$?
    [[ $broker == warren && $STOP_HOW == clean && $rc != 0 ]] && STOP_HOW="exit status $rc"
    case $broker in
        warren) WARREN_PID="" ;;
        rabbitmq) RABBIT_PID="" ;;
    esac
    info "$broker stopped: ${STOP_S}s, $STOP_HOW"
}

# backlog-10m on broker $1 (which is not running). Returns non-zero when a step failed.
run_backlog() {
    local broker=$1 port q="q-backlog-$1" base="backlog-$1" status=ok note="" data
    local pid rss0 rss1 hwm smax count="NA" pub_t0 pub_s rc=0 disk1 disk2
    local r_tcp=NA r_amqp=NA r_queue=NA r_first=NA r_count=NA r_seen=NA rss2="" launched
    R_SEND=""; R_CONF=""
    addnote() { note="${note:+$note; }$*"; }

    echo
    info "[$broker] backlog-10m: $BACKLOG_MESSAGES persistent 16-byte messages, no consumer (load average $(loadavg))"
    # 1. A fresh broker on an empty data directory.
    case $broker in
        warren)
            port=$WARREN_PORT
            start_warren || { addnote "Warren did not start"; status=FAIL; }
            data=$WARREN_DATA
            ;;
        rabbitmq)
            port=$RABBIT_PORT
            data="$RABBIT_DIR/mnesia"
            rm -rf "$data"
            start_rabbit || { addnote "RabbitMQ did not start"; status=FAIL; }
            ;;
    esac
    if [[ $status == ok ]]; then
        sleep "$BACKLOG_SETTLE"
        pid=$(broker_os_pid "$broker")
        [[ -n $pid ]] || warn "no $([[ $broker == warren ]] && echo java || echo beam.smp) process found in the broker's process group"
        rss0=$(proc_kb "$pid" VmRSS)
        info "$broker process $pid: VmRSS ${rss0:-?} kB at start; data dir $data"

        # 2. Publish the backlog, sampling memory.
        start_sampler "$pid" "$LOG_DIR/$base-rss.csv"
        pub_t0=$(now)
        perftest_exec "$BACKLOG_PUBLISH_TIMEOUT" "$base" \
            --uri "amqp://guest:guest@127.0.0.1:$port" \
            --producers 1 --consumers 0 --size 16 --pmessages "$BACKLOG_MESSAGES" \
            --flag persistent --confirm "$BACKLOG_CONFIRMS" --auto-delete false \
            --queue "$q" --id "$base" --output-file "$LOG_DIR/$base.csv" || rc=$?
        pub_s=$(secs_between "$(now)" "$pub_t0")
        stop_sampler
        rss1=$(proc_kb "$pid" VmRSS)
        hwm=$(proc_kb "$pid" VmHWM)
        smax=$(awk -F, 'NR > 1 && $2 > m { m = $2 } END { if (m) print m }' "$LOG_DIR/$base-rss.csv")
        parse_run "$LOG_DIR/$base.log" "$LOG_DIR/$base.csv"
        if [[ $rc == 124 || $rc == 137 ]]; then
            status=FAIL; addnote "publish timed out after ${BACKLOG_PUBLISH_TIMEOUT}s"
        elif [[ $rc != 0 ]]; then
            status=FAIL; addnote "PerfTest exit status $rc"
        fi
        local errs
        errs=$(perftest_errors "$LOG_DIR/$base.log")
        [[ -n $errs ]] && addnote "PerfTest: $errs"
        if count=$(timeout 60 "$PYTHON" "$PROBE" count --port "$port" --queue "$q" 2>>"$LOG_DIR/$base-probe.log"); then
            [[ $count == "$BACKLOG_MESSAGES" ]] || { status=FAIL; addnote "queue holds $count of $BACKLOG_MESSAGES after publishing"; }
        else
            count=NA; status=FAIL; addnote "could not read the queue's message count after publishing"
        fi
        disk1=$(dir_bytes "$data")
        info "published in ${pub_s}s (PerfTest: ${R_SEND:-?} msg/s, confirmed ${R_CONF:-?} msg/s); queue depth $count;" \
            "VmRSS ${rss1:-?} kB (peak ${hwm:-?} kB); data dir $(bytes_mib "$disk1") MiB"

        # 3. Stop it, timed.
        if [[ $broker == warren ]] && ! kill -0 "$WARREN_PID" 2>/dev/null; then
            status=FAIL; addnote "Warren died while publishing"
        elif [[ $broker == rabbitmq ]] && ! kill -0 "$RABBIT_PID" 2>/dev/null; then
            status=FAIL; addnote "RabbitMQ died while publishing"
        fi
        stop_timed "$broker"
        [[ $STOP_HOW == clean ]] || addnote "stop: $STOP_HOW"
        disk2=$(dir_bytes "$data")

        # 4. Restart on the same data; amqp_probe.py times it.
        local probe_out="$LOG_DIR/$base-restart.txt" start_ok=1
        show_cmd "$PYTHON" "$PROBE" restart --port "$port" --queue "$q" --expect "$BACKLOG_MESSAGES" \
            --timeout "$BACKLOG_RESTART_TIMEOUT"
        timeout -k 5 $((BACKLOG_RESTART_TIMEOUT + 60)) "$PYTHON" "$PROBE" restart --port "$port" --queue "$q" \
            --expect "$BACKLOG_MESSAGES" --timeout "$BACKLOG_RESTART_TIMEOUT" \
            >"$probe_out" 2>"$LOG_DIR/$base-restart-probe.log" </dev/null &
        PROBE_PID=$!
        info "restarting $broker on the same data (measurements give up after ${BACKLOG_RESTART_TIMEOUT}s)"
        case $broker in
            warren) start_warren "$data" "$BACKLOG_RESTART_TIMEOUT" || start_ok=0 ;;
            rabbitmq) start_rabbit "$BACKLOG_RESTART_TIMEOUT" || start_ok=0 ;;
        esac
        launched=$BROKER_LAUNCHED_AT
        if [[ $start_ok == 0 ]]; then
            kill "$PROBE_PID" 2>/dev/null || true
            status=FAIL; addnote "restart: the broker did not come up"
        else
            info "waiting for the first delivery and a message count of $BACKLOG_MESSAGES"
        fi
        wait "$PROBE_PID" 2>/dev/null || true
        PROBE_PID=""
        probe_val() { sed -n "s/^$1=//p" "$probe_out" 2>/dev/null | tail -n 1; }
        r_tcp=$(secs_between "$(probe_val tcp_at)" "$launched")
        r_amqp=$(secs_between "$(probe_val amqp_at)" "$launched")
        r_queue=$(secs_between "$(probe_val queue_at)" "$launched")
        r_first=$(secs_between "$(probe_val first_delivery_at)" "$launched")
        r_count=$(secs_between "$(probe_val count_at)" "$launched")
        r_seen=$(probe_val count); r_seen=${r_seen:-NA}
        if [[ $start_ok == 1 ]]; then
            [[ $r_first == NA ]] && { status=FAIL; addnote "restart: no message delivered within ${BACKLOG_RESTART_TIMEOUT}s"; }
            [[ $r_count == NA ]] && { status=FAIL; addnote "restart: queue never reported $BACKLOG_MESSAGES messages (last count: $r_seen)"; }
            [[ $r_count != NA && $r_seen != "$BACKLOG_MESSAGES" ]] && { status=FAIL; addnote "restart: queue reports $r_seen messages, expected $BACKLOG_MESSAGES"; }
            if [[ $r_first == NA || $r_count == NA ]] && [[ -s $LOG_DIR/$base-restart-probe.log ]]; then
                addnote "probe: $(head -n 2 "$LOG_DIR/$base-restart-probe.log" | tr '\n' ' ' | cut -c1-200)"
            fi
            rss2=$(proc_kb "$(broker_os_pid "$broker")" VmRSS)
        fi
        info "restart: port ${r_tcp}s, AMQP ${r_amqp}s, queue ${r_queue}s, first delivery ${r_first}s," \
            "count=$BACKLOG_MESSAGES ${r_count}s (last count $r_seen); VmRSS ${rss2:-?} kB"
        case $broker in
            warren) stop_warren ;;
            rabbitmq) stop_rabbit ;;
        esac
        if [[ $KEEP_DATA != 1 ]]; then rm -rf "$data"; fi
    fi

    note=${note//$'\t'/ }
    local growth peakg
    growth=$(minus "${rss1:-NA}" "${rss0:-NA}"); peakg=$(minus "${hwm:-NA}" "${rss0:-NA}")
    printf '%s\t' "$broker" "$status" "$BACKLOG_MESSAGES" "${pub_s:-NA}" "${R_SEND:-NA}" "${R_CONF:-NA}" "$count" \
        "${rss0:-NA}" "${rss1:-NA}" "${hwm:-NA}" "${smax:-NA}" "$growth" "$peakg" "${disk1:-NA}" "$STOP_S" \
        "${STOP_HOW:-NA}" "${disk2:-NA}" "$r_tcp" "$r_amqp" "$r_queue" "$r_first" "$r_count" "$r_seen" \
        "${rss2:-NA}" >>"$BACKLOG_RESULTS"
    printf '%s\n' "$note" >>"$BACKLOG_RESULTS"
    # One line in results.tsv too: send = publish rate, confirm rate; the rest in the note.
    printf '%s\t%s\t%s\t%s\t\t\t\t\t\t\t\t\t\t%s\t%s\n' backlog-10m "$broker" "$status" "$R_SEND" "$R_CONF" \
        "rss_growth_kb=$growth peak_growth_kb=$peakg restart_first_delivery_s=$r_first restart_count_s=$r_count (see backlog.tsv)${note:+; $note}" \
        >>"$RESULTS"
    if [[ $status == ok ]]; then
        echo "  -> ok"
    else
        echo "  -> $status: $note"
    fi
    [[ $status == ok ]]
}

# Field named $2 (backlog.tsv header) for broker $1.
bl() {
    awk -F'\t' -v b="$1" -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i; next }
        $1 == b && c { v = $c } END { print v }' "$BACKLOG_RESULTS"
}

print_backlog_table() {
    echo
    echo "=== backlog-10m: $(scenario_title backlog-10m)"
    echo "(memory = VmRSS of Warren's java / RabbitMQ's beam.smp process; restart times from the launch of the"
    echo " broker on the same data; NA = not reached within BACKLOG_RESTART_TIMEOUT=${BACKLOG_RESTART_TIMEOUT}s or not measured)"
    local -a bs=()
    local b
    for b in $BROKERS; do [[ -n $(bl "$b" status) ]] && bs+=("$b"); done
    [[ ${#bs[@]} -gt 0 ]] || { echo "(no results)"; return 0; }
    printf '%-44s' metric; for b in "${bs[@]}"; do printf ' %14s' "$b"; done
    [[ ${#bs[@]} == 2 ]] && printf ' %16s' "warren/rabbitmq"
    echo
    row() { # $1 label, $2 field, $3 formatter, $4 1 = print the ratio
        local label=$1 field=$2 fmt=$3 v vals=()
        printf '%-44s' "$label"
        for b in "${bs[@]}"; do
            v=$(bl "$b" "$field")
            vals+=("$v")
            case $fmt in
                kb) v=$(kb_mib "$v") ;;
                bytes) v=$(bytes_mib "$v") ;;
            esac
            printf ' %14s' "${v:--}"
        done
        if [[ ${#bs[@]} == 2 && ${4:-0} == 1 && ${bs[0]} == warren ]]; then
            local a=${vals[0]} c=${vals[1]}
            if [[ $a =~ ^[0-9.]+$ && $c =~ ^[0-9.]+$ ]]; then printf ' %16s' "$(ratio "$a" "$c")"; else printf ' %16s' n/a; fi
        fi
        echo
    }
    row "status" status raw
    row "messages" messages raw
    row "publish: wall time, s (incl. PerfTest start)" publish_wall_s raw 1
    row "publish: msg/s (PerfTest sending avg)" publish_msg_s raw 1
    row "publish: confirmed msg/s" confirm_msg_s raw 1
    row "queue depth after publishing" queue_count_after_publish raw
    row "RSS at start, MiB" rss_start_kb kb 1
    row "RSS after publishing, MiB" rss_after_publish_kb kb 1
    row "RSS peak (VmHWM), MiB" rss_peak_kb kb 1
    row "RSS growth (after publishing - start), MiB" rss_growth_kb kb 1
    row "RSS peak growth (peak - start), MiB" rss_peak_growth_kb kb 1
    row "data dir after publishing, MiB" disk_after_publish_bytes bytes 1
    row "stop: s" stop_s raw 1
    row "stop: how" stop_how raw
    row "data dir after stop, MiB" disk_after_stop_bytes bytes 1
    row "restart: port accepts, s" restart_tcp_s raw 1
    row "restart: AMQP connection open, s" restart_amqp_s raw 1
    row "restart: queue declared (passive), s" restart_queue_s raw 1
    row "restart: first message delivered, s" restart_first_delivery_s raw 1
    row "restart: queue reports all messages, s" restart_count_n_s raw 1
    row "restart: last message count seen" restart_count raw
    row "RSS after restart (recovered), MiB" rss_after_recovery_kb kb 1
    for b in "${bs[@]}"; do
        local n
        n=$(bl "$b" note)
        [[ -n $n ]] && echo "note ($b): $n"
    done
    return 0
}

# ttl-dlx-1m on broker $1: its own start on an empty data dir; results appended to $TTL_DLX_RESULTS.
run_ttl_dlx() {
    local broker=$1 port pid rc=0 status=ok note=""
    case $broker in
        warren) port=$WARREN_PORT; start_warren || return 1 ;;
        rabbitmq) port=$RABBIT_PORT; start_rabbit || return 1 ;;
    esac
    echo
    info "[$broker] ttl-dlx-1m: $(scenario_title ttl-dlx-1m) (load average $(loadavg))"
    local work="ttl-work-$broker" dead="ttl-dead-$broker"
    show_cmd "$PYTHON" "$PROBE" declare-ttl-dlx --port "$port" --queue "$work" --dead "$dead" --ttl "$TTL_DLX_TTL_MS"
    timeout 60 "$PYTHON" "$PROBE" declare-ttl-dlx --port "$port" --queue "$work" --dead "$dead" --ttl "$TTL_DLX_TTL_MS" >/dev/null \
        || { warn "could not declare the ttl-dlx queues on $broker"; status=FAIL; }
    pid=$(broker_os_pid "$broker")
    local rss0 peak=0 cpu0 cpu1 t0 t_pub="" t_done="" t_first="" count=0 rss
    rss0=$(proc_kb "$pid" VmRSS)
    cpu0=$(cpu_ticks "$pid")
    t0=$(now)
    if [[ $status == ok ]]; then
        perftest_exec "$TTL_DLX_TIMEOUT" "ttl-dlx-1m-$broker" --uri "amqp://guest:guest@127.0.0.1:$port" \
            --producers 1 --consumers 0 --size 16 --pmessages "$TTL_DLX_MESSAGES" --confirm 1000 \
            --queue "$work" --predeclared --id "ttl-dlx-1m-$broker" &
        local perf=$!
        # The first publish follows PerfTest's "starting producer #0, channel #0" at once; a watcher notes
        # when that line appears (PerfTest's JVM start is ~1 s of the launch-based times).
        local first_file="$LOG_DIR/ttl-dlx-1m-$broker.first-publish"
        (
            trap - EXIT INT TERM
            set +e
            until grep -q 'starting producer #0, channel' "$LOG_DIR/ttl-dlx-1m-$broker.log" 2>/dev/null; do
                kill -0 "$perf" 2>/dev/null || exit 0
                sleep 0.02
            done
            date +%s.%N >"$first_file"
        ) &
        local watcher=$!
        while true; do
            rss=$(proc_kb "$pid" VmRSS)
            [[ -n $rss && $rss -gt $peak ]] && peak=$rss
            if [[ -z $t_pub ]] && ! kill -0 "$perf" 2>/dev/null; then
                wait "$perf" || rc=$?
                t_pub=$(now)
                [[ $rc == 0 ]] || { status=FAIL; note="PerfTest exit status $rc"; break; }
            fi
            count=$(timeout 30 "$PYTHON" "$PROBE" count --port "$port" --queue "$dead" 2>/dev/null || echo 0)
            if [[ $count -ge $TTL_DLX_MESSAGES ]]; then
                t_done=$(now)
                break
            fi
            if (( $(secs_between "$(now)" "$t0" | cut -d. -f1) > TTL_DLX_TIMEOUT )); then
                status=FAIL; note="only $count of $TTL_DLX_MESSAGES dead-lettered after ${TTL_DLX_TIMEOUT}s"; break
            fi
            sleep 0.5
        done
        [[ -n $t_pub ]] || { wait "$perf" || true; t_pub=$(now); }
        kill "$watcher" 2>/dev/null || true
        wait "$watcher" 2>/dev/null || true
        [[ -s $first_file ]] && t_first=$(cat "$first_file")
    fi
    cpu1=$(cpu_ticks "$pid")
    local cpu_us=""
    [[ -n $cpu0 && -n $cpu1 ]] && cpu_us=$(awk -v t="$((cpu1 - cpu0))" -v hz="$HZ" -v n="$TTL_DLX_MESSAGES" \
        'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$broker" "$status" "$TTL_DLX_MESSAGES" "$(secs_between "$t_pub" "$t0")" \
        "$(secs_between "${t_done:-NA}" "$t0")" "$rss0" "$peak" "${cpu_us:-NA}" "$(secs_between "${t_first:-NA}" "$t0")" \
        "$note" >>"$TTL_DLX_RESULTS"
    echo "  -> $status: published in $(secs_between "$t_pub" "$t0") s, all dead-lettered after" \
        "$(secs_between "${t_done:-NA}" "$t0") s (first publish at $(secs_between "${t_first:-NA}" "$t0") s), RSS $(kb_mib "$rss0") -> peak $(kb_mib "$peak") MiB, CPU ${cpu_us:-?} µs/msg${note:+; $note}"
    case $broker in
        warren) stop_warren ;;
        rabbitmq) stop_rabbit ;;
    esac
    [[ $status == ok ]]
}

print_ttl_dlx_table() {
    echo
    echo "=== ttl-dlx-1m: $(scenario_title ttl-dlx-1m)"
    echo "(publish s and all dead-lettered s from PerfTest's launch; the last column from its first publish)"
    printf '%-10s %6s %10s %12s %22s %14s %14s %14s %12s %24s\n' broker status messages "publish s" "all dead-lettered s" \
        "RSS start MiB" "RSS peak MiB" "growth MiB" "cpu us/msg" "dead-lettered after 1st"
    local b st n pub done r0 pk cpu first
    while IFS=$'\t' read -r b st n pub done r0 pk cpu first _; do
        [[ $b == broker ]] && continue
        printf '%-10s %6s %10s %12s %22s %14s %14s %14s %12s %24s\n' "$b" "$st" "$n" "$pub" "$done" "$(kb_mib "$r0")" \
            "$(kb_mib "$pk")" "$(kb_mib "$(minus "$pk" "$r0")")" "${cpu:--}" "$(secs_between "$done" "$first")"
    done <"$TTL_DLX_RESULTS"
}

# ---------------------------------------------------------------------------------------------------
# Connections and queues at scale (issue 16)

# Value of key $2 on the line of $1 that starts with $3 (e.g. "RESULT phase=open"); empty when absent.
tool_value() { grep -- "^$3" "$1" 2>/dev/null | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# connection-churn, many-connections and idle-queues on broker $1, each on a broker of its own. Each records a
# line of resources.tsv: scenario broker status open_rate close_rate open_cpu_us close_cpu_us rss_before_kib
# rss_loaded_kib rss_after_kib bytes_each lost note.
run_resources() {
    local broker=$1 port scenario rc os_pid log
    for scenario in $RESOURCE_SCENARIOS; do
        # A fresh broker each: memory one scenario touched would hide what the next one costs.
        case $broker in
            warren) port=$WARREN_PORT; start_warren || return 1 ;;
            rabbitmq) port=$RABBIT_PORT; start_rabbit || return 1 ;;
        esac
        os_pid=$(broker_os_pid "$broker")
        echo
        info "[$broker] $scenario: $(scenario_title "$scenario") (load average $(loadavg))"
        log="$LOG_DIR/$scenario-$broker.log"
        rc=0
        if [[ $scenario == many-connections && $MANY_WARMUP -gt 0 ]]; then
            # Not counted: the first connections pay for the JIT (a JVM's compiler threads took 43 % of Warren's
            # CPU over its first 4,000 connections). connection-churn warms up in its own JVM (--warmup), which
            # warms the client's JIT too: a cold client compiles on the broker's cores while it is measured.
            run_tool 600 ConnectionChurn.java "$scenario-$broker-warmup" --port "$port" --connections "$MANY_WARMUP" \
                --threads "$CHURN_THREADS" --nio "$CHURN_NIO" || warn "connection warm-up on $broker failed"
        fi
        case $scenario in
            connection-churn)
                run_tool 900 ConnectionChurn.java "$scenario-$broker" --port "$port" --connections "$CHURN_CONNECTIONS" \
                    --threads "$CHURN_THREADS" --nio "$CHURN_NIO" --broker-pid "${os_pid:-0}" --clk-tck "$HZ" \
                    --settle-seconds "$CHURN_SETTLE" --warmup "$CHURN_WARMUP" || rc=$? ;;
            many-connections)
                run_tool "$((MANY_HOLD + 1200))" ConnectionChurn.java "$scenario-$broker" --port "$port" \
                    --connections "$MANY_CONNECTIONS" --threads "$CHURN_THREADS" --hold-seconds "$MANY_HOLD" \
                    --heartbeat "$MANY_HEARTBEAT" --nio true --broker-pid "${os_pid:-0}" --clk-tck "$HZ" || rc=$? ;;
            idle-queues)
                run_tool 1800 IdleQueues.java "$scenario-$broker" --port "$port" --queues "$IDLE_QUEUES" \
                    --broker-pid "${os_pid:-0}" || rc=$? ;;
        esac
        local status=ok note=""
        [[ $rc == 0 ]] || { status=FAIL; note="exit status $rc: $(grep -m 3 -E 'Exception|error' "$log" | tr '\n' ' ' | cut -c1-200)"; }
        if [[ $scenario == idle-queues ]]; then
            printf '%s\t%s\t%s\t%s\t%s\t\t\t%s\t%s\t%s\t%s\t\t%s\n' "$scenario" "$broker" "$status" \
                "$(tool_value "$log" rate "RESULT phase=declare")" "$(tool_value "$log" rate "RESULT phase=delete")" \
                "$(tool_value "$log" before_kib RSS)" "$(tool_value "$log" declared_kib RSS)" \
                "$(tool_value "$log" after_delete_kib RSS)" "$(tool_value "$log" per_queue_bytes RSS)" "$note" >>"$RESOURCES"
        else
            local errors after settled
            errors=$(tool_value "$log" errors "RESULT phase=open")
            [[ -n $errors && $errors != 0 ]] && { status=WARN; note="${note:+$note; }$errors connections failed to open"; }
            after=$(tool_value "$log" after_kib RSS)
            settled=$(tool_value "$log" settled_kib RSS)
            if [[ $scenario == connection-churn && -n $settled ]]; then
                note="${note:+$note; }RSS 5 s after the close ${after} kB"
                after=$settled
            fi
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$broker" "$status" \
                "$(tool_value "$log" rate "RESULT phase=open")" "$(tool_value "$log" rate "RESULT phase=close")" \
                "$(tool_value "$log" open_us_per_conn CPU)" "$(tool_value "$log" close_us_per_conn CPU)" \
                "$(tool_value "$log" before_kib RSS)" "$(tool_value "$log" open_kib RSS)" "$after" \
                "$(tool_value "$log" per_connection_bytes RSS)" "$(tool_value "$log" lost_while_held "RESULT phase=close")" \
                "$note" >>"$RESOURCES"
        fi
        echo "  -> $status: $(grep -E '^(RESULT|RSS|CPU|HOLD)' "$log" | tr '\n' ';' | cut -c1-400)"
        [[ $status == FAIL ]] && FAILED=1
        case $broker in
            warren) stop_warren ;;
            rabbitmq) stop_rabbit ;;
        esac
        sleep "$COOLDOWN"
    done
    return 0
}

print_resources_table() {
    echo
    echo "=== Connections and queues at scale (rates per second; CPU per connection; RSS in MiB; bytes each = RSS"
    echo "    growth per connection or queue while all are open; for idle-queues open/close = declare/delete)"
    # awk, not read: read would merge the empty fields (a tab is whitespace to IFS)
    awk -F'\t' 'function d(v) { return v == "" ? "-" : v }
        function mib(v) { return v == "" ? "-" : sprintf("%.1f", v / 1024) }
        BEGIN { f = "%-18s %-9s %6s %10s %10s %12s %12s %10s %10s %10s %11s %5s\n"
                printf f, "scenario", "broker", "status", "open/s", "close/s", "cpu us/open", "cpu us/close",
                       "RSS before", "RSS loaded", "RSS after", "bytes each", "lost" }
        NR > 1 { printf f, $1, $2, $3, d($4), d($5), d($6), d($7), mib($8), mib($9), mib($10), d($11), d($12) }' "$RESOURCES"
}

# The throughput scenarios on broker $1: start, warm up, run each, stop.
run_throughput() {
    local broker=$1 port scenario rc log_from
    case $broker in
        warren) port=$WARREN_PORT; start_warren || return 1 ;;
        rabbitmq) port=$RABBIT_PORT; start_rabbit || return 1 ;;
    esac
    if [[ $WARMUP -gt 0 ]]; then
        info "warm-up: ${WARMUP}s auto-ack (not reported; log $LOG_DIR/warmup-$broker.log)"
        run_perftest warmup "$broker" "$port" "$WARMUP" "warmup-$broker" || warn "warm-up run on $broker failed (exit $?)"
        sleep "$COOLDOWN"
    fi
    for scenario in $THROUGHPUT_SCENARIOS; do
        # Restart a broker that died in an earlier scenario, so later scenarios still run.
        case $broker in
            warren) warren_alive || { warn "Warren is down; restarting it"; stop_warren; start_warren || { FAILED=1; break; }; } ;;
            rabbitmq) rabbit_alive || { warn "RabbitMQ is down; restarting it"; stop_rabbit; start_rabbit || { FAILED=1; break; }; } ;;
        esac
        echo
        info "[$broker] $scenario for ${DURATION}s (load average $(loadavg))"
        log_from=1
        [[ -f $WARREN_LOG ]] && log_from=$(($(wc -l <"$WARREN_LOG") + 1))
        rc=0
        local os_pid cpu0 cpu1
        os_pid=$(broker_os_pid "$broker")
        R_RSS0=$(proc_kb "$os_pid" VmRSS)
        start_sampler "$os_pid" "$LOG_DIR/$scenario-$broker-rss.csv"
        cpu0=$(cpu_ticks "$os_pid")
        if [[ $scenario == priority-random ]]; then
            run_priority_load "$broker" "$port" "$DURATION" "$scenario-$broker" || rc=$?
        else
            run_perftest "$scenario" "$broker" "$port" "$DURATION" "$scenario-$broker" || rc=$?
        fi
        cpu1=$(cpu_ticks "$os_pid")
        stop_sampler
        R_RSS_PEAK=$(awk -F, 'NR > 1 && $2 > m { m = $2 } END { if (m) print m }' "$LOG_DIR/$scenario-$broker-rss.csv")
        R_CPU_TICKS=""
        [[ -n $cpu0 && -n $cpu1 ]] && R_CPU_TICKS=$((cpu1 - cpu0))
        record_run "$scenario" "$broker" "$rc" "$scenario-$broker" "$log_from" || FAILED=1
        # persistent-confirms-1k's and overload-4p-slow-consumer's queues are not auto-delete: drop them (and their backlog).
        if [[ $scenario == persistent-confirms-1k || $scenario == overload-4p-slow-consumer ]]; then
            case $broker in
                warren) warren_alive && delete_queue "$port" "q-$scenario-$broker" ;;
                rabbitmq) rabbit_alive && delete_queue "$port" "q-$scenario-$broker" ;;
            esac
        fi
        sleep "$COOLDOWN"
    done
    case $broker in
        warren) stop_warren ;;
        rabbitmq) stop_rabbit ;;
    esac
    return 0
}

# ---------------------------------------------------------------------------------------------------
# latency-10k: both brokers up at once, measured interleaved by one LatencyProbe

run_latency() {
    echo
    echo "##### latency-10k ($BROKERS at once, interleaved)"
    local -a ports=()
    local rc=0 broker
    for broker in $BROKERS; do
        case $broker in
            warren) start_warren && ports+=(--port "$WARREN_PORT") || rc=1 ;;
            rabbitmq) start_rabbit && ports+=(--port "$RABBIT_PORT") || rc=1 ;;
        esac
    done
    if [[ $rc == 0 ]]; then
        local brokers=$(( ${#ports[@]} / 2 )) # ports holds "--port N" pairs
        local limit=$(( (LATENCY_WARMUP + LATENCY_SECONDS) * brokers + 120 ))
        info "LatencyProbe: ${LATENCY_RATE} msg/s, ${LATENCY_WARMUP} s warm-up each, ${LATENCY_SECONDS} s each in ${LATENCY_SLICE} s slices"
        run_tool "$limit" LatencyProbe.java latency-10k "${ports[@]}" --rate "$LATENCY_RATE" \
            --warmup "$LATENCY_WARMUP" --seconds "$LATENCY_SECONDS" --slice "$LATENCY_SLICE" --size 16 || rc=$?
        [[ $rc == 0 ]] || warn "LatencyProbe failed (exit $rc); see $LOG_DIR/latency-10k.log"
    fi
    stop_warren
    stop_rabbit
    return "$rc"
}

print_latency_table() {
    echo
    echo "=== latency-10k: publish -> delivery at ${LATENCY_RATE} msg/s (16 B, 1p1c, auto-ack), µs; brokers interleaved in"
    echo "    ${LATENCY_SLICE} s slices, ${LATENCY_SECONDS} s each after ${LATENCY_WARMUP} s of warm-up each"
    local log="$LOG_DIR/latency-10k.log"
    [[ -f $log ]] || { echo "(no result)"; return; }
    awk -v wp="$WARREN_PORT" -v rp="$RABBIT_PORT" '
        function name(p) { return p == wp ? "warren" : p == rp ? "rabbitmq" : p }
        function val(k,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) return kv[2] } return "-" }
        BEGIN { f = "%-9s %9s %9s %7s %7s %7s %8s %7s\n"; printf f, "broker", "sent", "received", "p50", "p90", "p99", "p99.9", "max" }
        /^RESULT/ { printf f, name(val("port")), val("sent"), val("received"), val("p50_us"), val("p90_us"), val("p99_us"), val("p999_us"), val("max_us") }
        /^ROUNDS/ { split($2, a, "="); split($7, b, "="); sub(/'"'"'s$/, "", b[2])
                    printf "%s p99.9 no higher than %s in %s of %s rounds\n", name(a[2]), name(b[2]), $9, $11 }' "$log"
}

# ---------------------------------------------------------------------------------------------------
# Main
# (All of it in a function, called on the script's last line, so that bash has read the whole file
# before running any of it: editing the script during a run cannot break that run.)

main() {

    WARREN_STARTS=0
    command -v "$JAVA" >/dev/null || die "java not found"
    info "logs and raw PerfTest output: $LOG_DIR"
    info "repo: $REPO_ROOT ($(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(
        [[ -n $(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] && echo ', uncommitted changes'))"
    info "$(nproc) CPUs, load average $(loadavg); DURATION=${DURATION}s WARMUP=${WARMUP}s SCENARIOS='$SCENARIOS' BROKERS='$BROKERS'"

    fetch_perftest
    [[ " $BROKERS " == *" rabbitmq "* ]] && ensure_rabbitmq_installed
    stop_system_rabbitmq
    [[ " $BROKERS " == *" warren "* ]] && build_warren
    info "java: $("$JAVA" -version 2>&1 | head -n 1)"
    if [[ $BACKLOG == 1 || " $THROUGHPUT_SCENARIOS " == *" persistent-confirms-1k "* ]]; then
        # Persistent messages are only comparable when both brokers fsync to a real disk.
        fs=$(df --output=fstype "$DATA_ROOT" 2>/dev/null | tail -n 1 | tr -d ' ')
        info "broker data in $DATA_ROOT (filesystem type ${fs:-?}, on $(df --output=source "$DATA_ROOT" 2>/dev/null | tail -n 1))"
        [[ $fs == tmpfs || $fs == ramfs ]] && warn "$DATA_ROOT is on $fs: fsync costs nothing there, so persistence" \
            "numbers say little about a disk; set TMPDIR to a directory on a disk"
    fi
    if [[ $BACKLOG == 1 ]]; then
        ensure_pika || die "backlog-10m needs pika for $PYTHON (Debian: apt-get install python3-pika; or set PYTHON)"
        command -v pgrep >/dev/null || die "backlog-10m needs pgrep (procps)"
        info "backlog-10m: BACKLOG_MESSAGES=$BACKLOG_MESSAGES; data under $DATA_ROOT: $(df -h --output=avail "$DATA_ROOT" | tail -n 1 | tr -d ' ') free"
    elif [[ $TTL_DLX == 1 ]]; then
        ensure_pika || die "ttl-dlx-1m needs pika for $PYTHON (Debian: apt-get install python3-pika; or set PYTHON)"
    elif [[ " $THROUGHPUT_SCENARIOS " == *" persistent-confirms-1k "* ]]; then
        ensure_pika || warn "no pika for $PYTHON: persistent-confirms-1k's durable queues will not be deleted after their runs"
    fi

    FAILED=0
    for broker in $BROKERS; do
        [[ -n $THROUGHPUT_SCENARIOS$RESOURCE_SCENARIOS || $BACKLOG == 1 || $TTL_DLX == 1 ]] || continue
        echo
        echo "##### $broker"
        if [[ -n $THROUGHPUT_SCENARIOS ]]; then
            run_throughput "$broker" || FAILED=1
        fi
        if [[ $BACKLOG == 1 ]]; then
            run_backlog "$broker" || FAILED=1
        fi
        if [[ $TTL_DLX == 1 ]]; then
            run_ttl_dlx "$broker" || FAILED=1
        fi
        if [[ -n $RESOURCE_SCENARIOS ]]; then
            run_resources "$broker" || FAILED=1
        fi
    done

    if [[ $LATENCY == 1 ]]; then
        run_latency || FAILED=1
    fi

    echo
    echo "################ Results (PerfTest $PERFTEST_VERSION; $(nproc) CPUs shared by broker and PerfTest)"
    if [[ -n $THROUGHPUT_SCENARIOS ]]; then
        echo "Rates are PerfTest's whole-run averages; latencies are consumer latency (publish -> delivery),"
        echo "percentiles over the whole run. ~totals = rate x ${DURATION}s (PerfTest prints no exact totals);"
        echo "conf msg/s = confirmed publishes per second (time-weighted mean of PerfTest's per-second samples);"
        echo "recv/sent = received/published over the same run (< 100% = consumer backlog at stop, or loss);"
        echo "stalls = 1-second samples in which the consumer received nothing."
    fi
    for scenario in $THROUGHPUT_SCENARIOS; do
        print_scenario_table "$scenario"
    done
    [[ $BACKLOG == 1 ]] && print_backlog_table
    [[ $TTL_DLX == 1 ]] && print_ttl_dlx_table
    [[ -n $RESOURCE_SCENARIOS ]] && print_resources_table
    [[ $LATENCY == 1 ]] && print_latency_table
    if [[ -n $THROUGHPUT_SCENARIOS && " $BROKERS " == *" warren "* && " $BROKERS " == *" rabbitmq "* ]]; then
        echo
        echo "=== Summary: receive rate (msg/s), Warren vs RabbitMQ"
        printf '%-22s %12s %12s %8s %16s %16s\n' scenario warren rabbitmq ratio "warren cpu us/msg" "rabbit cpu us/msg"
        for scenario in $THROUGHPUT_SCENARIOS; do
            printf '%-22s %12s %12s %8s %16s %16s\n' "$scenario" "$(result "$scenario" warren 5)" \
                "$(result "$scenario" rabbitmq 5)" "$(ratio "$(result "$scenario" warren 5)" "$(result "$scenario" rabbitmq 5)")" \
                "$(result "$scenario" warren 16)" "$(result "$scenario" rabbitmq 16)"
        done
        if [[ " $THROUGHPUT_SCENARIOS " == *" persistent-confirms-1k "* ]]; then
            s=persistent-confirms-1k
            echo "confirmed publish rate (msg/s), $s: warren $(result "$s" warren 14), rabbitmq $(result "$s" rabbitmq 14)," \
                "ratio $(ratio "$(result "$s" warren 14)" "$(result "$s" rabbitmq 14)")"
        fi
    fi
    echo
    echo "Raw results: $RESULTS"
    [[ $BACKLOG == 1 ]] && echo "Backlog results: $BACKLOG_RESULTS"
    [[ $FAILED == 0 ]] || { echo "run-bench: some runs FAILED (see notes above and $LOG_DIR)" >&2; exit 1; }
}

main; exit
