#!/usr/bin/env bash
# policy-bench.sh — publish rate with 1,000 policies defined and 10,000 queues matched, against no policies
# (issue 15), on Warren and on RabbitMQ, in one run (Warren first, then RabbitMQ; never both under load at once).
#
# Usage:
#   deploy/bench/policy-bench.sh                       # from any directory; about 12-14 minutes
#   DURATION=10 PERF_RUNS=1 WARMUP=0 POLICIES=100 deploy/bench/policy-bench.sh   # a quick check (about 2 minutes)
#   BROKERS=warren deploy/bench/policy-bench.sh
#
# Per broker, everything in a virtual host of its own (VHOST, created at the start, deleted at the end):
#   1. Baseline, no policies: PerfTest publishing and consuming through PERF_QUEUES queues (one producer and one
#      consumer per queue, 16-byte messages, auto-ack, DURATION seconds), after a WARMUP-second warm-up,
#      PERF_RUNS times each variant in PRE_VARIANTS [plain], alternating:
#        plain       plain queues bench.policy.perf-1..N (the names bench-policy-perf will match later);
#        args        queues bench.args.perf-1..N declared with the policy's settings as arguments (PerfTest
#                    --queue-args x-max-length=...,x-message-ttl=...), which no policy ever matches.
#      Recorded per run: publish and consume rate (PerfTest's averages) and the broker's CPU per consumed
#      message (utime + stime of its process from /proc/PID/stat over the run, as run-bench.sh does).
#   2. Setup, timed, with the broker's VmRSS before and after:
#        a. POLICIES policies bench-policy-idle-<i>, pattern ^bench\.policy\.idle\.<i>\. (apply-to queues,
#           definition POLICY_DEFINITION), and bench-policy-perf, pattern ^bench\.policy\.perf- (the same
#           definition), PUT /api/policies/VHOST/NAME — before any queue exists;
#        b. POLICIES x QUEUES_PER_POLICY idle queues bench.policy.idle.<i>.<j> (durable unless IDLE_DURABLE=0),
#           PUT /api/queues/VHOST/NAME: each is matched against every policy when it is declared;
#        c. a check that every idle queue shows its policy (GET /api/queues/VHOST?columns=name,policy; on
#           RabbitMQ also rabbitmqctl list_queues, which asks the queues themselves);
#        d. policy changes with all the queues in place: bench-policy-idle-0, -1, ... get a new max-length
#           (MAX_LENGTH_CHANGED; no queue drops anything), one at a time, until CHANGES are done or
#           CHANGE_BUDGET seconds have passed; reported as milliseconds per change.
#      All HTTP requests go through deploy/bench/mgmt_bulk.py (PARALLEL keep-alive connections).
#      Policies go first because in RabbitMQ 3.10 each policy change takes time in proportion to the vhost's
#      queues times its policies (measured here: 1.3 s per new policy with 2,000 queues and 210 policies, 2.0 s
#      with 4,000 and 212), so 1,000 policies set over 10,000 existing queues would take hours there; step d
#      measures that cost instead.
#   3. Warren only: a full GC (jcmd GC.run) and its live heap, see WARREN_HEAP_CHECK. The broker's idle CPU
#      (IDLE_SECONDS, before and after the setup), then PERF_RUNS runs of each variant in POST_VARIANTS
#      [policies args-after], alternating:
#        policies    the plain queues bench.policy.perf-1..N, which now take bench-policy-perf (checked during
#                    the run over HTTP: the first queue's policy);
#        args-after  the args queues (same settings as arguments, no policy), with the 1,001 policies and
#                    10,000 queues in place: run at the same time and warmth as "policies", the same queue
#                    behaviour, only the policy differs, so "policies" against "args-after" is the cost of
#                    policies per message, free of run order (JIT warm-up) and of the policy's own settings.
#   4. Clean-up: DELETE /api/vhosts/VHOST (timed; it deletes the queues, then the policies), then a check that
#      the vhost and its policies are gone; Warren is stopped and its data directory deleted.
#
# Brokers:
#   warren    deploy/bin/warren-server --amqp-port WARREN_PORT --mgmt-port WARREN_MGMT_PORT --data-dir <tmp>,
#             started with setsid as run-bench.sh does, after `mvn -q -o -pl deploy -am package -DskipTests`
#             (WARREN_BUILD=1, the default: always, incremental; a failed build falls back to the existing
#             jar with a warning; 0: never). Its CPU and memory are its java process's.
#   rabbitmq  the RabbitMQ that already runs on this machine (AMQP RABBIT_PORT, management RABBIT_MGMT_URL),
#             e.g. Debian's rabbitmq-server service with the management plugin: policies need the HTTP API,
#             which run-bench.sh's private node does not have. It is only used through its HTTP API and AMQP,
#             never stopped or reconfigured; its beam.smp process (RABBIT_OS_PID, default: the one listening on
#             RABBIT_PORT) is measured. Its CPU includes whatever else uses it meanwhile.
#
# Environment (defaults in brackets):
#   DURATION [30]            seconds per PerfTest run
#   PERF_RUNS [2]            runs per variant; the spread between them is the run-to-run noise
#   PRE_VARIANTS [plain]  POST_VARIANTS [policies args-after]   see 1 and 3 (pre: plain, args; post: policies,
#                            args-after); each run adds DURATION + about 6 s
#   WARMUP [5]               seconds of warm-up PerfTest per broker before the first run; 0 = none
#   PERF_QUEUES [4]          PerfTest queues, producers and consumers (one of each per queue)
#   POLICIES [1000]          idle-queue policies (plus bench-policy-perf)
#   QUEUES_PER_POLICY [10]   idle queues matched by each policy
#   POLICY_DEFINITION [{"max-length": 10000000, "message-ttl": 3600000}]   must hold max-length and message-ttl
#   MAX_LENGTH_CHANGED [9000000]   the max-length step d sets
#   CHANGES [1000]  CHANGE_BUDGET [20]   step d: at most this many changes, none started after this many seconds
#   IDLE_DURABLE [1]         1: durable idle queues (as most queues policies are for); 0: transient
#   IDLE_SECONDS [5]         seconds of idle CPU measured before and after the setup; 0 = none
#   WARREN_HEAP_CHECK [1]    1: after the setup, a full GC in Warren (jcmd GC.run) and its live heap and RSS after
#                            it (the RSS growth of the setup is mostly garbage heap); 0: no GC
#   CHECK_TIMEOUT [30]       seconds steps c and d wait for the HTTP API to show the policies (RabbitMQ shows a
#                            queue's policy with its statistics, every 5 s)
#   RABBITMQCTL [rabbitmqctl, when installed]   step c on RabbitMQ also counts the policies the queues hold with
#                            `rabbitmqctl list_queues -p VHOST name policy` (read-only); empty: HTTP only
#   PARALLEL [8]             concurrent HTTP requests in steps a and b
#   BROKERS ["warren rabbitmq"]   which, in this order
#   VHOST [bench-policy]     the virtual host (must not exist; FORCE_VHOST_DELETE=1 deletes a leftover first)
#   WARREN_PORT [5673]  WARREN_MGMT_PORT [15673]  RABBIT_PORT [5672]  RABBIT_MGMT_URL [http://127.0.0.1:15672]
#   RABBIT_OS_PID []         RabbitMQ's beam.smp pid, when it cannot be found
#   MGMT_USER [guest]  MGMT_PASS [guest]   for both brokers' HTTP API and AMQP
#   PERFTEST_VERSION [2.22.1]  PERFTEST_JAVA_OPTS []  WARREN_JAVA_OPTS []  WARREN_BUILD [1]
#   PYTHON [/usr/bin/python3, else python3]   runs mgmt_bulk.py (standard library only)
#
# Output: the table on stdout; PerfTest logs, the helper's output, Warren's log, the commands run and results.tsv
# (broker, metric, value) in deploy/bench/.cache/logs/policy-<timestamp>/ (.../logs/policy-latest links to it).
# Exit status: 0 all steps passed; 1 some step failed (the table is still printed); 2 setup error.
# Needs: bash, java 17+, mvn, curl, python3, procps (pgrep), iproute2 (ss). Loopback addresses only. Numbers
# mean most on an otherwise idle machine: the load average is printed before each run.

set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "policy-bench.sh: no arguments expected (configure with environment variables; see --help)" >&2
    exit 2
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
CACHE_DIR="$SCRIPT_DIR/.cache"
HELPER="$SCRIPT_DIR/mgmt_bulk.py"

DURATION=${DURATION:-30}
PERF_RUNS=${PERF_RUNS:-2}
PRE_VARIANTS=${PRE_VARIANTS:-plain}
POST_VARIANTS=${POST_VARIANTS:-"policies args-after"}
WARMUP=${WARMUP:-5}
PERF_QUEUES=${PERF_QUEUES:-4}
POLICIES=${POLICIES:-1000}
QUEUES_PER_POLICY=${QUEUES_PER_POLICY:-10}
POLICY_DEFINITION=${POLICY_DEFINITION:-'{"max-length": 10000000, "message-ttl": 3600000}'}
MAX_LENGTH_CHANGED=${MAX_LENGTH_CHANGED:-9000000}
CHANGES=${CHANGES:-1000}
CHANGE_BUDGET=${CHANGE_BUDGET:-20}
IDLE_DURABLE=${IDLE_DURABLE:-1}
IDLE_SECONDS=${IDLE_SECONDS:-5}
CHECK_TIMEOUT=${CHECK_TIMEOUT:-30}
if [[ -z ${RABBITMQCTL+set} ]]; then
    RABBITMQCTL=$(command -v rabbitmqctl || true)
fi
WARREN_HEAP_CHECK=${WARREN_HEAP_CHECK:-1}
PARALLEL=${PARALLEL:-8}
BROKERS=${BROKERS:-"warren rabbitmq"}
VHOST=${VHOST:-bench-policy}
FORCE_VHOST_DELETE=${FORCE_VHOST_DELETE:-0}
WARREN_PORT=${WARREN_PORT:-5673}
WARREN_MGMT_PORT=${WARREN_MGMT_PORT:-15673}
RABBIT_PORT=${RABBIT_PORT:-5672}
RABBIT_MGMT_URL=${RABBIT_MGMT_URL:-http://127.0.0.1:15672}
RABBIT_OS_PID=${RABBIT_OS_PID:-}
MGMT_USER=${MGMT_USER:-guest}
MGMT_PASS=${MGMT_PASS:-guest}
PERFTEST_VERSION=${PERFTEST_VERSION:-2.22.1}
PERFTEST_JAVA_OPTS=${PERFTEST_JAVA_OPTS:-}
WARREN_JAVA_OPTS=${WARREN_JAVA_OPTS:-}
WARREN_BUILD=${WARREN_BUILD:-1}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-90}
if [[ -z ${PYTHON:-} ]]; then
    if [[ -x /usr/bin/python3 ]]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

BENCH_NAME=policy-bench
# shellcheck source=deploy/bench/bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"

require_uint WARMUP MAX_LENGTH_CHANGED CHANGES CHANGE_BUDGET IDLE_SECONDS CHECK_TIMEOUT WARREN_PORT WARREN_MGMT_PORT \
    RABBIT_PORT STARTUP_TIMEOUT
require_positive DURATION PERF_RUNS PERF_QUEUES POLICIES QUEUES_PER_POLICY PARALLEL
[[ $IDLE_DURABLE == 0 || $IDLE_DURABLE == 1 ]] || die "IDLE_DURABLE must be 0 or 1"
for v in $PRE_VARIANTS; do case $v in plain|args) ;; *) die "PRE_VARIANTS: unknown variant '$v' (plain, args)";; esac; done
for v in $POST_VARIANTS; do case $v in policies|args-after) ;; *) die "POST_VARIANTS: unknown variant '$v' (policies, args-after)";; esac; done
for b in $BROKERS; do
    case $b in warren|rabbitmq) ;; *) die "unknown broker '$b' (warren, rabbitmq)";; esac
done
[[ -f $HELPER ]] || die "$HELPER missing"
"$PYTHON" -c 'import http.client, json' 2>/dev/null || die "no usable python at '$PYTHON' (set PYTHON)"
command -v curl >/dev/null || die "curl not found"
# The definition, normalised, and its max-length and message-ttl (for the args variant and step d).
POLICY_DEFINITION=$("$PYTHON" -c 'import json, sys; d = json.loads(sys.argv[1]); print(json.dumps(d, separators=(",", ":")))' \
    "$POLICY_DEFINITION") || die "POLICY_DEFINITION is not JSON"
read -r DEF_MAX_LENGTH DEF_TTL < <("$PYTHON" -c 'import json, sys; d = json.loads(sys.argv[1]); print(d.get("max-length", ""), d.get("message-ttl", ""))' \
    "$POLICY_DEFINITION") || true
is_uint "${DEF_MAX_LENGTH:-x}" && is_uint "${DEF_TTL:-x}" \
    || die "POLICY_DEFINITION needs integer max-length and message-ttl (the args variant declares the same as arguments)"
CHANGED_DEFINITION=$("$PYTHON" -c 'import json, sys; d = json.loads(sys.argv[1]); d["max-length"] = int(sys.argv[2]); print(json.dumps(d, separators=(",", ":")))' \
    "$POLICY_DEFINITION" "$MAX_LENGTH_CHANGED")
VHOST_ENC=$("$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$VHOST")
IDLE_QUEUES=$((POLICIES * QUEUES_PER_POLICY))
IDLE_PREFIX=bench.policy.idle.
PERF_PREFIX=bench.policy.perf-
ARGS_PREFIX=bench.args.perf-
IDLE_POLICY_PREFIX=bench-policy-idle-
PERF_POLICY=bench-policy-perf

# ---------------------------------------------------------------------------------------------------
# Run directory, command log, results, cleanup

STAMP=$(date +%Y%m%d-%H%M%S)
LOG_DIR="$CACHE_DIR/logs/policy-$STAMP"
mkdir -p "$LOG_DIR"
ln -sfn "policy-$STAMP" "$CACHE_DIR/logs/policy-latest"
COMMANDS_LOG="$LOG_DIR/commands.txt"
RESULTS="$LOG_DIR/results.tsv"
printf 'broker\tmetric\tvalue\n' >"$RESULTS"
DATA_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/warren-policy-bench.XXXXXX")
WARREN_LOG="$LOG_DIR/warren.log"

declare -A R=()   # R[broker.metric] = value
rec() { R["$1.$2"]=$3; printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }
get() { echo "${R["$1.$2"]:-}"; }

WARREN_PID=""       # process-group leader of the running Warren
PERFTEST_PID=""     # the running PerfTest (its `timeout` wrapper)
VHOST_URL_TO_DELETE=""   # management URL of a broker where this run created VHOST and has not deleted it yet

# shellcheck disable=SC2317  # (run by the EXIT trap)
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n $PERFTEST_PID ]]; then
        kill -TERM "$PERFTEST_PID" 2>/dev/null
        wait "$PERFTEST_PID" 2>/dev/null
    fi
    if [[ -n $VHOST_URL_TO_DELETE ]]; then
        info "clean-up: deleting virtual host '$VHOST' at $VHOST_URL_TO_DELETE"
        curl -sS -o /dev/null -m 600 -u "$MGMT_USER:$MGMT_PASS" -X DELETE "$VHOST_URL_TO_DELETE/api/vhosts/$VHOST_ENC"
    fi
    [[ -n $WARREN_PID ]] && stop_warren
    rm -rf "$DATA_ROOT"
    info "logs: $LOG_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "policy-bench: interrupted" >&2; exit 130' INT
trap 'echo "policy-bench: terminated" >&2; exit 143' TERM

# ---------------------------------------------------------------------------------------------------
# Warren

WARREN_LAUNCHER="$REPO_ROOT/deploy/bin/warren-server"
WARREN_JAR="$REPO_ROOT/deploy/target/warren-server.jar"

build_warren() {
    [[ $WARREN_BUILD == 0 ]] && { info "WARREN_BUILD=0: not building"; return; }
    local cmd=(mvn -q -o -pl deploy -am package -DskipTests)
    info "building Warren in $REPO_ROOT"
    show_cmd "${cmd[@]}"
    if ! (cd "$REPO_ROOT" && "${cmd[@]}") >"$LOG_DIR/warren-build.log" 2>&1; then
        tail -n 30 "$LOG_DIR/warren-build.log" >&2
        [[ -f $WARREN_JAR ]] || die "the Warren build failed (log: $LOG_DIR/warren-build.log)"
        warn "the Warren build failed (others may be mid-edit; log: $LOG_DIR/warren-build.log); benchmarking the" \
            "EXISTING build $WARREN_JAR from $(date -r "$WARREN_JAR" '+%F %T')"
    fi
}

start_warren() {
    local data="$DATA_ROOT/warren-data"
    port_open "$WARREN_PORT" && die "port $WARREN_PORT is already in use"
    port_open "$WARREN_MGMT_PORT" && die "port $WARREN_MGMT_PORT is already in use"
    [[ -x $WARREN_LAUNCHER ]] || die "$WARREN_LAUNCHER missing"
    local cmd=("$WARREN_LAUNCHER" --amqp-port "$WARREN_PORT" --mgmt-port "$WARREN_MGMT_PORT" --data-dir "$data")
    info "starting Warren (log: $WARREN_LOG)"
    show_cmd "${cmd[@]}"
    # setsid: its own process group and session (see deploy/bench/README.md on autogroup scheduling).
    setsid "${cmd[@]}" >>"$WARREN_LOG" 2>&1 </dev/null &
    WARREN_PID=$!
    if ! wait_for_ports "$WARREN_PID" Warren "$STARTUP_TIMEOUT" "$WARREN_PORT" "$WARREN_MGMT_PORT"; then
        tail -n 30 "$WARREN_LOG" >&2
        die "Warren did not start (ports $WARREN_PORT and $WARREN_MGMT_PORT)"
    fi
    info "Warren is up (pid $WARREN_PID)"
}

# ---------------------------------------------------------------------------------------------------
# HTTP API

MGMT_URL=""   # the current broker's

# One request (in this shell, no subshell); $1 method, $2 path, $3 optional JSON body. Sets API_STATUS (000 when
# there was no answer) and API_BODY.
api() {
    local out
    out=$(mktemp "${TMPDIR:-/tmp}/policy-bench-api.XXXXXX")
    local -a body=()
    [[ -n ${3:-} ]] && body=(-H 'content-type: application/json' --data-binary "$3")
    API_STATUS=$(curl -sS -o "$out" -w '%{http_code}' -m 600 -u "$MGMT_USER:$MGMT_PASS" -X "$1" ${body[@]+"${body[@]}"} \
        "$MGMT_URL$2" 2>>"$LOG_DIR/curl.log") || API_STATUS=000
    API_BODY=$(cat "$out")
    rm -f "$out"
}

# Bulk requests through the helper; $1 label (the requests are in $LOG_DIR/$CUR-$1.tsv), then helper options.
# Sets BULK_OK, BULK_FAILED, BULK_SKIPPED, BULK_SECONDS, BULK_RATE; returns non-zero when a request failed.
bulk() {
    local label=$1 line
    shift
    local cmd=("$PYTHON" "$HELPER" requests --url "$MGMT_URL" --user "$MGMT_USER" --password "$MGMT_PASS" --label "$label" "$@")
    show_cmd "${cmd[@]}" "<" "$LOG_DIR/$CUR-$label.tsv"
    "${cmd[@]}" <"$LOG_DIR/$CUR-$label.tsv" >"$LOG_DIR/$CUR-$label.out" 2>"$LOG_DIR/$CUR-$label.err" || true
    line=$(tail -n 1 "$LOG_DIR/$CUR-$label.out")
    BULK_OK=$(sed -n 's/.*ok=\([0-9]*\).*/\1/p' <<<"$line")
    BULK_FAILED=$(sed -n 's/.*failed=\([0-9]*\).*/\1/p' <<<"$line")
    BULK_SKIPPED=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' <<<"$line")
    BULK_SECONDS=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")
    BULK_RATE=$(sed -n 's/.*rate=\([0-9.]*\).*/\1/p' <<<"$line")
    echo "  -> $label: ${line:-no result}"
    if [[ -s $LOG_DIR/$CUR-$label.err ]]; then
        sed 's/^/     | /' "$LOG_DIR/$CUR-$label.err" | head -n 5
    fi
    [[ -n $BULK_OK && ${BULK_FAILED:-1} == 0 ]]
}

policy_body() { # $1 pattern (a regex, JSON-escaped by the caller), $2 definition
    printf '{"pattern":"%s","definition":%s,"priority":0,"apply-to":"queues"}' "$1" "$2"
}
idle_policy_line() { # $1 group, $2 definition
    printf 'PUT\t/api/policies/%s/%s%d\t%s\n' "$VHOST_ENC" "$IDLE_POLICY_PREFIX" "$1" \
        "$(policy_body "^bench\\\\.policy\\\\.idle\\\\.$1\\\\." "$2")"
}

# ---------------------------------------------------------------------------------------------------
# PerfTest runs

# One PerfTest run on the current broker; $1 variant (plain, args, policies, args-after), $2 run name. Records
# <name>.send, .recv, .cpu_us, .policy, .load, .others.
perf_run() {
    local variant=$1 name=$2 base="$CUR-$2" prefix=$PERF_PREFIX
    local -a extra=()
    if [[ $variant == args || $variant == args-after ]]; then
        prefix=$ARGS_PREFIX
        extra=(--queue-args "x-max-length=$DEF_MAX_LENGTH,x-message-ttl=$DEF_TTL")
    fi
    local -a jopts=()
    [[ -n $PERFTEST_JAVA_OPTS ]] && read -r -a jopts <<<"$PERFTEST_JAVA_OPTS"
    local seconds=$DURATION
    [[ $name == warmup ]] && seconds=$WARMUP
    local cmd=(timeout -k 10 "$((seconds + 90))" "$JAVA" ${jopts[@]+"${jopts[@]}"} -cp "$PERFTEST_LIB/*"
        com.rabbitmq.perf.PerfTest --uri "amqp://$MGMT_USER:$MGMT_PASS@127.0.0.1:$CUR_PORT/$VHOST_ENC"
        --queue-pattern "$prefix%d" --queue-pattern-from 1 --queue-pattern-to "$PERF_QUEUES"
        --producers "$PERF_QUEUES" --consumers "$PERF_QUEUES" --size 16 --autoack --time "$seconds"
        --id "$base" --output-file "$LOG_DIR/$base.csv" ${extra[@]+"${extra[@]}"})
    local load others
    load=$(loadavg)
    # Other clients of this broker (a shared RabbitMQ): its AMQP connections outside VHOST, just before the run.
    api GET "/api/connections?columns=vhost"
    others=$("$PYTHON" -c 'import json, sys; print(sum(1 for c in json.load(sys.stdin) if c.get("vhost") != sys.argv[1]))' \
        "$VHOST" <<<"$API_BODY" 2>/dev/null || echo "?")
    echo
    info "[$CUR] $name: PerfTest $variant, ${seconds}s (load average $load; $others other AMQP connection(s) to the broker)"
    show_cmd "${cmd[@]}"
    local cpu0 cpu1 rc=0 policy=""
    cpu0=$(cpu_ticks "$CUR_OS_PID")
    "${cmd[@]}" >"$LOG_DIR/$base.log" 2>&1 </dev/null &
    PERFTEST_PID=$!
    # Which policy does the first PerfTest queue have while it exists? Asked from 2 s after the launch, every
    # second, until the expected answer or PerfTest's end: NA means the queue is not there (not declared yet, or
    # deleted already), and RabbitMQ shows a new queue's policy only with its first statistics (up to 5 s).
    local expect=""
    [[ $variant == policies ]] && expect=$PERF_POLICY
    local t_end=$((SECONDS + 2)) answer
    while [[ $SECONDS -lt $t_end ]] && kill -0 "$PERFTEST_PID" 2>/dev/null; do sleep 0.5; done
    while kill -0 "$PERFTEST_PID" 2>/dev/null; do
        answer=$("$PYTHON" "$HELPER" policy-of --url "$MGMT_URL" --user "$MGMT_USER" --password "$MGMT_PASS" \
            --vhost "$VHOST" --queue "${prefix}1" 2>>"$LOG_DIR/$base.policy-err" || echo "?")
        [[ $answer == NA && -n $policy ]] || policy=$answer   # (keep the last answer from while it existed)
        [[ $policy == "$expect" ]] && break
        sleep 1
    done
    wait "$PERFTEST_PID" || rc=$?
    PERFTEST_PID=""
    cpu1=$(cpu_ticks "$CUR_OS_PID")
    [[ $name == warmup ]] && return 0
    local send recv cpu_us=""
    send=$(sed -n 's/.*sending rate avg: \([0-9][0-9]*\) msg\/s.*/\1/p' "$LOG_DIR/$base.log" | tail -n 1)
    recv=$(sed -n 's/.*receiving rate avg: \([0-9][0-9]*\) msg\/s.*/\1/p' "$LOG_DIR/$base.log" | tail -n 1)
    if [[ $rc != 0 || -z $send || -z $recv || $recv == 0 ]]; then
        FAILED=1
        echo "  -> FAIL: PerfTest exit status $rc, send '${send}', receive '${recv}' (log $LOG_DIR/$base.log):"
        tail -n 15 "$LOG_DIR/$base.log" | sed 's/^/     | /'
    fi
    [[ -n $cpu0 && -n $cpu1 && -n $recv && $recv != 0 ]] && cpu_us=$(awk -v t="$((cpu1 - cpu0))" -v hz="$HZ" \
        -v r="$recv" -v d="$seconds" 'BEGIN { printf "%.2f", t * 1e6 / hz / (r * d) }')
    # The PerfTest queues must carry the perf policy exactly in the policies variant.
    if [[ $policy != "$expect" ]]; then
        FAILED=1
        echo "  -> FAIL: ${prefix}1 has policy '${policy}' during the run, expected '${expect:-none}'"
    fi
    rec "$CUR" "$name.send" "${send:-NA}"
    rec "$CUR" "$name.recv" "${recv:-NA}"
    rec "$CUR" "$name.cpu_us" "${cpu_us:-NA}"
    rec "$CUR" "$name.policy" "${policy:-none}"
    rec "$CUR" "$name.load" "$load"
    rec "$CUR" "$name.others" "$others"
    echo "  -> published ${send:-?} msg/s, consumed ${recv:-?} msg/s, broker CPU ${cpu_us:-?} µs/msg," \
        "${prefix}1 policy during the run: '${policy:-none}'"
}

# Idle CPU of the current broker over IDLE_SECONDS, in % of one core; $1 metric name.
idle_cpu() {
    [[ $IDLE_SECONDS -gt 0 ]] || return 0
    local c0 c1
    c0=$(cpu_ticks "$CUR_OS_PID")
    sleep "$IDLE_SECONDS"
    c1=$(cpu_ticks "$CUR_OS_PID")
    [[ -n $c0 && -n $c1 ]] || return 0
    rec "$CUR" "$1" "$(awk -v t="$((c1 - c0))" -v hz="$HZ" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.1f", 100 * t / hz / s }')"
    info "[$CUR] idle CPU over ${IDLE_SECONDS}s: $(get "$CUR" "$1")% of a core"
}

# ---------------------------------------------------------------------------------------------------
# One broker

run_broker() {
    CUR=$1
    echo
    echo "##### $CUR"
    case $CUR in
        warren)
            start_warren
            CUR_PORT=$WARREN_PORT
            MGMT_URL="http://127.0.0.1:$WARREN_MGMT_PORT"
            CUR_OS_PID=$(pgrep -g "$WARREN_PID" -x java | head -n 1 || true)
            CUR_OS_PID=${CUR_OS_PID:-$WARREN_PID}
            ;;
        rabbitmq)
            CUR_PORT=$RABBIT_PORT
            MGMT_URL=${RABBIT_MGMT_URL%/}
            port_open "$RABBIT_PORT" || { warn "nothing listens on port $RABBIT_PORT: no RabbitMQ to measure"; FAILED=1; return 0; }
            CUR_OS_PID=$RABBIT_OS_PID
            if [[ -z $CUR_OS_PID ]]; then
                CUR_OS_PID=$(ss -Hltnp "sport = :$RABBIT_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2 || true)
            fi
            [[ -z $CUR_OS_PID ]] && CUR_OS_PID=$(pgrep -x beam.smp | head -n 1 || true)
            [[ -n $CUR_OS_PID ]] || warn "RabbitMQ's beam.smp not found: no CPU or memory numbers (set RABBIT_OS_PID)"
            ;;
    esac
    local version
    api GET /api/overview
    [[ $API_STATUS == 200 ]] || { warn "$MGMT_URL/api/overview: HTTP $API_STATUS; skipping $CUR"; FAILED=1; return 0; }
    version=$("$PYTHON" -c 'import json, sys; o = json.load(sys.stdin)
print(o.get("product_version") or o.get("rabbitmq_version") or o.get("management_version") or "?")' <<<"$API_BODY" 2>/dev/null || true)
    rec "$CUR" version "${version:-?}"
    info "[$CUR] AMQP 127.0.0.1:$CUR_PORT, management $MGMT_URL (version ${version:-?}), broker process ${CUR_OS_PID:-?}"

    # The virtual host.
    api GET "/api/vhosts/$VHOST_ENC"
    if [[ $API_STATUS == 200 ]]; then
        [[ $FORCE_VHOST_DELETE == 1 ]] || die "virtual host '$VHOST' already exists at $MGMT_URL (a leftover?);" \
            "delete it, set VHOST, or FORCE_VHOST_DELETE=1"
        warn "deleting the existing virtual host '$VHOST' (FORCE_VHOST_DELETE=1)"
        api DELETE "/api/vhosts/$VHOST_ENC"
    fi
    show_cmd curl -X PUT "$MGMT_URL/api/vhosts/$VHOST_ENC"
    api PUT "/api/vhosts/$VHOST_ENC" '{}'
    [[ $API_STATUS == 20? ]] || die "could not create virtual host '$VHOST' (HTTP $API_STATUS)"
    # (Warren's is thrown away with its data directory; RabbitMQ's is deleted on any exit.)
    [[ $CUR == rabbitmq ]] && VHOST_URL_TO_DELETE=$MGMT_URL
    api PUT "/api/permissions/$VHOST_ENC/$MGMT_USER" '{"configure":".*","write":".*","read":".*"}'
    [[ $API_STATUS == 20? ]] || die "could not grant $MGMT_USER permissions on '$VHOST' (HTTP $API_STATUS)"

    local r rss0
    [[ $WARMUP -gt 0 ]] && perf_run plain warmup
    idle_cpu idle_cpu_before
    rec "$CUR" rss_start_kb "$(proc_kb "$CUR_OS_PID" VmRSS)"
    local v
    for ((r = 1; r <= PERF_RUNS; r++)); do
        for v in $PRE_VARIANTS; do perf_run "$v" "$v-$r"; done
    done

    # Setup.
    echo
    info "[$CUR] setup: $POLICIES + 1 policies, then $IDLE_QUEUES idle queues (load average $(loadavg))"
    sleep 2   # let PerfTest's auto-delete queues go
    rss0=$(proc_kb "$CUR_OS_PID" VmRSS)
    rec "$CUR" rss_before_setup_kb "$rss0"
    local i j
    {
        printf 'PUT\t/api/policies/%s/%s\t%s\n' "$VHOST_ENC" "$PERF_POLICY" \
            "$(policy_body '^bench\\.policy\\.perf-' "$POLICY_DEFINITION")"
        for ((i = 0; i < POLICIES; i++)); do idle_policy_line "$i" "$POLICY_DEFINITION"; done
    } >"$LOG_DIR/$CUR-set-policies.tsv"
    bulk set-policies --parallel "$PARALLEL" || FAILED=1
    rec "$CUR" policies_set "$BULK_OK"
    rec "$CUR" policies_seconds "$BULK_SECONDS"
    rec "$CUR" policies_rate "$BULK_RATE"
    rec "$CUR" rss_after_policies_kb "$(proc_kb "$CUR_OS_PID" VmRSS)"

    local durable=true
    [[ $IDLE_DURABLE == 0 ]] && durable=false
    for ((i = 0; i < POLICIES; i++)); do
        for ((j = 0; j < QUEUES_PER_POLICY; j++)); do
            printf 'PUT\t/api/queues/%s/%s%d.%d\t{"durable":%s,"auto_delete":false,"arguments":{}}\n' \
                "$VHOST_ENC" "$IDLE_PREFIX" "$i" "$j" "$durable"
        done
    done >"$LOG_DIR/$CUR-declare-queues.tsv"
    bulk declare-queues --parallel "$PARALLEL" || FAILED=1
    rec "$CUR" queues_declared "$BULK_OK"
    rec "$CUR" queues_seconds "$BULK_SECONDS"
    rec "$CUR" queues_rate "$BULK_RATE"
    rec "$CUR" rss_after_queues_kb "$(proc_kb "$CUR_OS_PID" VmRSS)"

    # Every idle queue shows its policy over HTTP? (RabbitMQ's management view of a queue's policy comes with
    # the queue's statistics, every 5 s by default: polled until CHECK_TIMEOUT.)
    local check matched t_check
    t_check=$(now)
    show_cmd "$PYTHON" "$HELPER" check --url "$MGMT_URL" --vhost "$VHOST" --prefix "$IDLE_PREFIX" --policy-prefix "$IDLE_POLICY_PREFIX"
    while true; do
        check=$("$PYTHON" "$HELPER" check --url "$MGMT_URL" --user "$MGMT_USER" --password "$MGMT_PASS" --vhost "$VHOST" \
            --prefix "$IDLE_PREFIX" --policy-prefix "$IDLE_POLICY_PREFIX" 2>&1) || true
        matched=$(sed -n 's/.*idle_with_expected_policy=\([0-9]*\).*/\1/p' <<<"$check")
        [[ ${matched:-0} == "$IDLE_QUEUES" ]] && break
        (( $(secs_between "$(now)" "$t_check" | cut -d. -f1) >= CHECK_TIMEOUT )) && break
        sleep 1
    done
    echo "  -> check: $check (after $(secs_between "$(now)" "$t_check") s)"
    rec "$CUR" idle_queues_matched "${matched:-NA}"
    rec "$CUR" idle_queues_check_seconds "$(secs_between "$(now)" "$t_check")"
    local authoritative=${matched:-0}
    if [[ $CUR == rabbitmq && -n $RABBITMQCTL ]]; then
        # What the queue processes themselves hold (the HTTP view above is the statistics' copy).
        local ctl
        show_cmd "$RABBITMQCTL" -q list_queues -p "$VHOST" name policy
        ctl=$(timeout 300 "$RABBITMQCTL" -q list_queues -p "$VHOST" name policy 2>>"$LOG_DIR/rabbitmqctl.log" \
            | awk -F'\t' -v p="$IDLE_PREFIX" -v pp="$IDLE_POLICY_PREFIX" \
                'index($1, p) == 1 { g = substr($1, length(p) + 1); sub(/\..*/, "", g); if ($2 == pp g) n++ } END { print n + 0 }') || true
        rec "$CUR" idle_queues_matched_ctl "${ctl:-NA}"
        echo "  -> rabbitmqctl list_queues: ${ctl:-?} of $IDLE_QUEUES idle queues have their policy"
        authoritative=${ctl:-0}
        [[ ${matched:-0} == "$IDLE_QUEUES" ]] || warn "only ${matched:-?} of $IDLE_QUEUES idle queues show their policy over HTTP" \
            "after ${CHECK_TIMEOUT}s (RabbitMQ's HTTP view of a queue's policy comes from its statistics)"
    fi
    if [[ $authoritative != "$IDLE_QUEUES" ]]; then
        FAILED=1
        echo "  -> FAIL: ${authoritative} of $IDLE_QUEUES idle queues have their policy"
    fi

    if [[ $CHANGES -gt 0 && $CHANGE_BUDGET -gt 0 ]]; then
        local n=$((CHANGES < POLICIES ? CHANGES : POLICIES))
        for ((i = 0; i < n; i++)); do idle_policy_line "$i" "$CHANGED_DEFINITION"; done >"$LOG_DIR/$CUR-change-policies.tsv"
        bulk change-policies --parallel 1 --budget "$CHANGE_BUDGET" --timeout 900 || FAILED=1
        rec "$CUR" changes_done "$BULK_OK"
        rec "$CUR" changes_seconds "$BULK_SECONDS"
        [[ ${BULK_OK:-0} -gt 0 ]] && rec "$CUR" change_ms "$(awk -v s="$BULK_SECONDS" -v n="$BULK_OK" 'BEGIN { printf "%.1f", 1000 * s / n }')"
        # The changed max-length reached the queues? (the first group's first queue; polled, as above)
        local eff
        t_check=$(now)
        while true; do
            api GET "/api/queues/$VHOST_ENC/${IDLE_PREFIX}0.0"
            eff=$("$PYTHON" -c 'import json, sys
print((json.load(sys.stdin).get("effective_policy_definition") or {}).get("max-length", "?"))' <<<"$API_BODY" 2>/dev/null || echo "?")
            [[ $eff == "$MAX_LENGTH_CHANGED" ]] && break
            (( $(secs_between "$(now)" "$t_check" | cut -d. -f1) >= CHECK_TIMEOUT )) && break
            sleep 1
        done
        rec "$CUR" changed_max_length_seen "$eff"
        [[ $eff == "$MAX_LENGTH_CHANGED" ]] || { FAILED=1; echo "  -> FAIL: ${IDLE_PREFIX}0.0 effective max-length '$eff', expected $MAX_LENGTH_CHANGED"; }
    fi
    rec "$CUR" rss_after_setup_kb "$(proc_kb "$CUR_OS_PID" VmRSS)"
    if [[ $CUR == warren && $WARREN_HEAP_CHECK == 1 ]] && command -v jcmd >/dev/null; then
        # How much of that is live? A full GC, then the heap's used size (and VmRSS after it).
        local used
        jcmd "$CUR_OS_PID" GC.run >/dev/null 2>&1 || true
        used=$(jcmd "$CUR_OS_PID" GC.heap_info 2>/dev/null | sed -n 's/.*heap *total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -n 1)
        rec "$CUR" heap_used_after_gc_kb "${used:-NA}"
        rec "$CUR" rss_after_gc_kb "$(proc_kb "$CUR_OS_PID" VmRSS)"
        info "[$CUR] after a full GC (jcmd GC.run): heap used $(kb_mib "$used") MiB, VmRSS $(kb_mib "$(get "$CUR" rss_after_gc_kb)") MiB"
    fi
    idle_cpu idle_cpu_after

    for ((r = 1; r <= PERF_RUNS; r++)); do
        for v in $POST_VARIANTS; do perf_run "$v" "$v-$r"; done
    done
    rec "$CUR" rss_end_kb "$(proc_kb "$CUR_OS_PID" VmRSS)"

    # Clean-up.
    echo
    info "[$CUR] deleting virtual host '$VHOST' ($IDLE_QUEUES queues, $((POLICIES + 1)) policies)"
    show_cmd curl -X DELETE "$MGMT_URL/api/vhosts/$VHOST_ENC"
    local t0
    t0=$(now)
    api DELETE "/api/vhosts/$VHOST_ENC"
    rec "$CUR" vhost_delete_seconds "$(secs_between "$(now)" "$t0")"
    if [[ $API_STATUS == 20? ]]; then
        VHOST_URL_TO_DELETE=""
        local left
        local vh_status
        api GET "/api/vhosts/$VHOST_ENC"
        vh_status=$API_STATUS
        api GET /api/policies
        left=$("$PYTHON" -c 'import json, sys; print(sum(1 for p in json.load(sys.stdin) if p.get("vhost") == sys.argv[1]))' \
            "$VHOST" <<<"$API_BODY" 2>/dev/null || echo "?")
        info "[$CUR] virtual host deleted in $(get "$CUR" vhost_delete_seconds) s; GET it now: HTTP $vh_status;" \
            "policies left in it: $left"
        [[ $vh_status == 404 && $left == 0 ]] || { FAILED=1; warn "the virtual host or its policies are still there"; }
    else
        FAILED=1
        warn "DELETE /api/vhosts/$VHOST: HTTP $API_STATUS"
    fi
    [[ $CUR == warren ]] && stop_warren
    return 0
}

# ---------------------------------------------------------------------------------------------------
# Report

mean_of() { # $1 broker, $2 variant, $3 field: the mean over the runs, and the runs in brackets
    local b=$1 v=$2 f=$3 r vals=() x
    for ((r = 1; r <= PERF_RUNS; r++)); do
        x=$(get "$b" "$v-$r.$f")
        [[ -n $x && $x != NA ]] && vals+=("$x")
    done
    [[ ${#vals[@]} -gt 0 ]] || { echo "-"; return; }
    if [[ ${#vals[@]} == 1 ]]; then echo "${vals[0]}"; return; fi
    awk -v f="$f" 'BEGIN { n = ARGC - 1; s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]
        fmt = (f == "cpu_us") ? "%.2f" : "%.0f"; printf fmt, s / n; printf " ("
        for (i = 1; i < ARGC; i++) { printf fmt, ARGV[i]; if (i < n) printf " / " } printf ")" }' "${vals[@]}"
}
mean_only() { mean_of "$@" | cut -d' ' -f1; }
pct_diff() { # $1 new, $2 old
    [[ $1 =~ ^[0-9.]+$ && $2 =~ ^[0-9.]+$ ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.1f%%", 100 * (a - b) / b }' || echo "-"
}

print_report() {
    local -a bs=()
    local b
    for b in $BROKERS; do [[ -n $(get "$b" version) ]] && bs+=("$b"); done
    [[ ${#bs[@]} -gt 0 ]] || { echo "(no results)"; return 0; }
    echo
    echo "################ Policies: $POLICIES policies + 1, $IDLE_QUEUES idle queues matched ($QUEUES_PER_POLICY each)"
    echo "PerfTest $PERFTEST_VERSION, $PERF_QUEUES queues / producers / consumers, 16 B, auto-ack, ${DURATION}s per run," \
        "$PERF_RUNS run(s) per variant: mean (runs); $(nproc) CPUs shared by broker and PerfTest."
    echo "Before the setup (no policies): plain = plain queues; args = queues declared with x-max-length=$DEF_MAX_LENGTH,"
    echo "x-message-ttl=$DEF_TTL. After it ($((POLICIES + 1)) policies, $IDLE_QUEUES queues matched): policies = the plain queues, which now"
    echo "take the same settings from $PERF_POLICY; args-after = the args queues (no policy), alternating with policies."
    echo "CPU = broker µs per consumed message."
    local f='%-52s'
    printf "$f" metric; for b in "${bs[@]}"; do printf ' %-34s' "$b ($(get "$b" version))"; done; echo
    row() { # $1 label, then one value per broker (computed by the caller)
        local label=$1; shift
        printf "$f" "$label"; local v; for v in "$@"; do printf ' %-34s' "$v"; done; echo
    }
    local -a vals
    local v fld lab
    for v in $PRE_VARIANTS $POST_VARIANTS; do
        for fld in send recv cpu_us; do
            case $fld in send) lab="publish msg/s";; recv) lab="consume msg/s";; cpu_us) lab="broker CPU µs/msg";; esac
            vals=(); for b in "${bs[@]}"; do vals+=("$(mean_of "$b" "$v" "$fld")"); done
            row "$v: $lab" "${vals[@]}"
        done
    done
    local other
    for other in args-after plain args; do
        [[ " $PRE_VARIANTS $POST_VARIANTS " == *" policies "* && " $PRE_VARIANTS $POST_VARIANTS " == *" $other "* ]] || continue
        vals=(); for b in "${bs[@]}"; do vals+=("$(pct_diff "$(mean_only "$b" policies send)" "$(mean_only "$b" "$other" send)") / $(pct_diff "$(mean_only "$b" policies cpu_us)" "$(mean_only "$b" "$other" cpu_us)")"); done
        row "policies vs $other: publish rate / CPU per msg" "${vals[@]}"
    done
    if [[ " $POST_VARIANTS " == *" policies "* ]]; then
        vals=(); for b in "${bs[@]}"; do vals+=("$(get "$b" policies-1.policy)"); done
        row "PerfTest queue's policy during the run (policies)" "${vals[@]}"
    fi
    vals=(); for b in "${bs[@]}"; do vals+=("$(get "$b" policies_seconds) s, $(get "$b" policies_rate)/s"); done
    row "set $((POLICIES + 1)) policies (no queues yet)" "${vals[@]}"
    vals=(); for b in "${bs[@]}"; do vals+=("$(get "$b" queues_seconds) s, $(get "$b" queues_rate)/s"); done
    row "declare $IDLE_QUEUES $([[ $IDLE_DURABLE == 1 ]] && echo durable || echo transient) queues (each matched)" "${vals[@]}"
    vals=(); for b in "${bs[@]}"; do vals+=("$(get "$b" idle_queues_matched) / $IDLE_QUEUES (after $(get "$b" idle_queues_check_seconds) s)"); done
    row "idle queues showing their policy over HTTP" "${vals[@]}"
    if [[ -n $(get rabbitmq idle_queues_matched_ctl) ]]; then
        vals=(); for b in "${bs[@]}"; do
            if [[ $b == rabbitmq ]]; then vals+=("$(get "$b" idle_queues_matched_ctl) / $IDLE_QUEUES"); else vals+=("-"); fi
        done
        row "idle queues with their policy (rabbitmqctl)" "${vals[@]}"
    fi
    vals=(); for b in "${bs[@]}"; do vals+=("$(get "$b" change_ms) ms ($(get "$b" changes_done) in $(get "$b" changes_seconds) s)"); done
    row "change one policy, all queues there (one at a time)" "${vals[@]}"
    vals=(); for b in "${bs[@]}"; do vals+=("$(kb_mib "$(get "$b" rss_before_setup_kb)") -> $(kb_mib "$(get "$b" rss_after_policies_kb)") -> $(kb_mib "$(get "$b" rss_after_queues_kb)")"); done
    row "RSS MiB: before setup -> +policies -> +queues" "${vals[@]}"
    vals=(); for b in "${bs[@]}"; do vals+=("$(kb_mib "$(get "$b" rss_start_kb)") / $(kb_mib "$(get "$b" rss_after_setup_kb)") / $(kb_mib "$(get "$b" rss_end_kb)")"); done
    row "RSS MiB: first run / after setup / end" "${vals[@]}"
    if [[ -n $(get warren heap_used_after_gc_kb) ]]; then
        vals=(); for b in "${bs[@]}"; do
            if [[ $b == warren ]]; then vals+=("$(kb_mib "$(get "$b" heap_used_after_gc_kb)") / $(kb_mib "$(get "$b" rss_after_gc_kb)")"); else vals+=("-"); fi
        done
        row "Warren after setup + full GC: heap used / RSS MiB" "${vals[@]}"
    fi
    vals=(); for b in "${bs[@]}"; do vals+=("$(get "$b" idle_cpu_before)% -> $(get "$b" idle_cpu_after)%"); done
    row "idle CPU (% of a core), before -> after setup" "${vals[@]}"
    vals=(); for b in "${bs[@]}"; do vals+=("$(get "$b" vhost_delete_seconds) s"); done
    row "delete the vhost (queues + policies)" "${vals[@]}"
    echo "load average at the start of each run, and the broker's AMQP connections from other clients (outside $VHOST):"
    for b in "${bs[@]}"; do
        printf '  %s:' "$b"
        local n
        for ((r = 1; r <= PERF_RUNS; r++)); do
            for n in $PRE_VARIANTS; do printf ' %s-%d [%s; %s]' "$n" "$r" "$(get "$b" "$n-$r.load")" "$(get "$b" "$n-$r.others")"; done
        done
        for ((r = 1; r <= PERF_RUNS; r++)); do
            for n in $POST_VARIANTS; do printf ' %s-%d [%s; %s]' "$n" "$r" "$(get "$b" "$n-$r.load")" "$(get "$b" "$n-$r.others")"; done
        done
        echo
    done
}

# ---------------------------------------------------------------------------------------------------
# Main (in a function called on the last line, so editing the script cannot break a run in progress)

main() {
    local t_start=$SECONDS
    info "logs: $LOG_DIR"
    info "repo: $REPO_ROOT ($(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(
        [[ -n $(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] && echo ', uncommitted changes'))"
    info "$(nproc) CPUs, load average $(loadavg); DURATION=${DURATION}s PERF_RUNS=$PERF_RUNS POLICIES=$POLICIES" \
        "QUEUES_PER_POLICY=$QUEUES_PER_POLICY PERF_QUEUES=$PERF_QUEUES PRE_VARIANTS='$PRE_VARIANTS'" \
        "POST_VARIANTS='$POST_VARIANTS' BROKERS='$BROKERS' VHOST='$VHOST'"
    command -v "$JAVA" >/dev/null || die "java not found"
    fetch_perftest
    [[ " $BROKERS " == *" warren "* ]] && build_warren
    FAILED=0
    local b
    for b in $BROKERS; do
        run_broker "$b"
    done
    print_report
    echo
    echo "Raw results: $RESULTS (total time $((SECONDS - t_start)) s)"
    [[ $FAILED == 0 ]] || { echo "policy-bench: some steps FAILED (see above and $LOG_DIR)" >&2; exit 1; }
}

main; exit
