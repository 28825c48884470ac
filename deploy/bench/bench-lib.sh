# bench-lib.sh — what run-bench.sh, tls-bench.sh and policy-bench.sh share: messages, the command log,
# ports and process groups, /proc readings, PerfTest from Maven Central, a private RabbitMQ node, and stopping
# the brokers. Sourced, not run. The sourcing script sets first:
#   BENCH_NAME                the prefix of its messages
#   CACHE_DIR, PERFTEST_VERSION
# and, before it calls these functions, LOG_DIR and COMMANDS_LOG, and WARREN_PID / RABBIT_PID (the
# process-group leaders of the brokers it started, empty when none); the RabbitMQ node's functions want the
# RABBIT_* settings their section names.

die() { echo "$BENCH_NAME: ERROR: $*" >&2; exit 2; }
warn() { echo "$BENCH_NAME: WARNING: $*" >&2; }
info() { echo "$BENCH_NAME: $*"; }

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# Dies unless each named variable holds a non-negative integer (require_uint) or one of at least 1 (require_positive).
require_uint() {
    local v
    for v in "$@"; do is_uint "${!v}" || die "$v must be a non-negative integer, got '${!v}'"; done
}
require_positive() {
    local v
    for v in "$@"; do is_uint "${!v}" && [[ ${!v} -ge 1 ]] || die "$v must be a positive integer, got '${!v}'"; done
}

# Prints a command exactly (shell-quoted) and records it in the run's commands.txt.
show_cmd() {
    local line
    line=$(printf '%q ' "$@")
    line=${line% }
    echo "+ $line"
    echo "$line" >>"$COMMANDS_LOG"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Kills a process group: TERM, up to $2 seconds of grace, then KILL.
kill_group() {
    local pgid=$1 grace=$2 deadline
    kill -TERM -- "-$pgid" 2>/dev/null || return 0
    deadline=$((SECONDS + grace))
    while kill -0 -- "-$pgid" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.5; done
    if kill -0 -- "-$pgid" 2>/dev/null; then
        warn "process group $pgid still alive after ${grace}s; sending KILL"
        kill -KILL -- "-$pgid" 2>/dev/null
    fi
    wait "$pgid" 2>/dev/null || true
}

# Waits until each of the ports $4... on 127.0.0.1 accepts connections while process $1 lives, at most $3
# seconds in all; $2 names the broker. Says why on stderr and fails otherwise.
wait_for_ports() {
    local pid=$1 what=$2 limit=$3 port deadline
    shift 3
    deadline=$((SECONDS + limit))
    for port in "$@"; do
        until port_open "$port"; do
            kill -0 "$pid" 2>/dev/null || { echo "$BENCH_NAME: $what exited before listening on port $port" >&2; return 1; }
            [[ $SECONDS -lt $deadline ]] \
                || { echo "$BENCH_NAME: $what did not listen on port $port within ${limit}s" >&2; return 1; }
            sleep 0.5
        done
    done
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

now() { date +%s.%N; }
# $1 - $2 (seconds, 2 decimals); "NA" when either is missing or NA.
secs_between() {
    [[ -n ${1:-} && -n ${2:-} && $1 != NA && $2 != NA ]] || { echo NA; return; }
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'
}

# The broker's OS process whose CPU and memory are measured: Warren's JVM, RabbitMQ's beam.smp.
broker_os_pid() {
    case $1 in
        warren) [[ -n $WARREN_PID ]] && pgrep -g "$WARREN_PID" -x java | head -n 1 ;;
        rabbitmq) [[ -n $RABBIT_PID ]] && pgrep -g "$RABBIT_PID" -x beam.smp | head -n 1 ;;
    esac
    return 0
}

# User + system CPU time of process $1 (all its threads), in clock ticks of HZ a second; empty when unknown.
HZ=$(getconf CLK_TCK)
cpu_ticks() {
    [[ -n ${1:-} && -r /proc/$1/stat ]] || return 0
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || true
}

# Field $2 (VmRSS, VmHWM, ...; in kB) of /proc/$1/status; empty when unknown.
proc_kb() {
    [[ -n ${1:-} ]] || return 0
    awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true
}

# kB -> MiB (1 decimal), "-" when empty or NA.
kb_mib() { [[ -n ${1:-} && $1 != NA ]] && awk -v v="$1" 'BEGIN { printf "%.1f", v / 1024 }' || echo "-"; }

# ---------------------------------------------------------------------------------------------------
# PerfTest: com.rabbitmq:perf-test and its runtime dependencies, copied by Maven into the cache once
# (offline from ~/.m2 first, then Maven Central); its class path is "$PERFTEST_LIB/*".

PERFTEST_LIB="$CACHE_DIR/perftest-$PERFTEST_VERSION/lib"

fetch_perftest() {
    if [[ -f $PERFTEST_LIB/perf-test-$PERFTEST_VERSION.jar ]]; then
        info "PerfTest $PERFTEST_VERSION: cached in $PERFTEST_LIB"
        return
    fi
    command -v mvn >/dev/null || die "mvn not found (needed to fetch PerfTest from Maven Central)"
    local tmp
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/perftest-fetch.XXXXXX")
    cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId>
  <artifactId>perftest-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>com.rabbitmq</groupId>
      <artifactId>perf-test</artifactId>
      <version>$PERFTEST_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
    local cmd=(mvn -B -q -f "$tmp/pom.xml" dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$tmp/lib")
    info "fetching PerfTest $PERFTEST_VERSION and its dependencies (offline from ~/.m2 first, then Maven Central)"
    show_cmd "${cmd[@]}" -o
    if ! "${cmd[@]}" -o >"$LOG_DIR/perftest-fetch.log" 2>&1; then
        show_cmd "${cmd[@]}"
        "${cmd[@]}" >>"$LOG_DIR/perftest-fetch.log" 2>&1 \
            || { cat "$LOG_DIR/perftest-fetch.log" >&2; rm -rf "$tmp"; die "could not fetch PerfTest $PERFTEST_VERSION"; }
    fi
    [[ -f $tmp/lib/perf-test-$PERFTEST_VERSION.jar ]] || die "perf-test-$PERFTEST_VERSION.jar missing after fetch"
    mkdir -p "$(dirname "$PERFTEST_LIB")"
    rm -rf "$PERFTEST_LIB"
    mv "$tmp/lib" "$PERFTEST_LIB"
    rm -rf "$tmp"
}

# ---------------------------------------------------------------------------------------------------
# A private RabbitMQ node (Debian's rabbitmq-server): its own HOME (the Erlang cookie), data, logs, config, no
# plugins and its own epmd port, so that a system rabbitmq-server, if one runs, is neither used nor reconfigured.
# Wants RABBIT_SBIN, RABBIT_NODE, RABBIT_PORT, RABBIT_EPMD_PORT, RABBIT_HOME (kept between runs, so that a
# leftover node can be stopped), RABBIT_DIR and RABBIT_LOG_DIR.

# Sets RABBIT_ENV, the node's environment as an `env` command line.
set_rabbit_env() {
    RABBIT_ENV=(env HOME="$RABBIT_HOME"
        RABBITMQ_CONF_ENV_FILE="$RABBIT_DIR/rabbitmq-env.conf"
        RABBITMQ_NODENAME="$RABBIT_NODE"
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        RABBITMQ_NODE_PORT="$RABBIT_PORT"
        RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia"
        RABBITMQ_LOG_BASE="$RABBIT_LOG_DIR"
        RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq.conf"
        RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins"
        RABBITMQ_PLUGINS_EXPAND_DIR="$RABBIT_DIR/plugins-expand"
        RABBITMQ_PID_FILE="$RABBIT_DIR/rabbitmq.pid"
        ERL_EPMD_PORT="$RABBIT_EPMD_PORT")
}

# Runs a command with the private node's environment.
rabbit_env() { "${RABBIT_ENV[@]}" "$@"; }

# The node's directories, an empty rabbitmq-env.conf (not /etc/rabbitmq's) and no plugins; the caller writes
# $RABBIT_DIR/rabbitmq.conf.
prepare_rabbit_dirs() {
    mkdir -p "$RABBIT_HOME" "$RABBIT_DIR/mnesia" "$RABBIT_LOG_DIR"
    chmod 700 "$RABBIT_HOME"
    : >"$RABBIT_DIR/rabbitmq-env.conf"
    echo '[].' >"$RABBIT_DIR/enabled_plugins"
}

# Starts the prepared node and waits, at most $1 seconds, until it listens on the ports $2... and
# rabbitmq-diagnostics finds them open; stops it and fails otherwise. A leftover node on those ports is
# shut down first. Sets RABBIT_PID (its process group), BROKER_LAUNCHED_AT (epoch seconds) and
# RABBIT_STARTED_EPMD (1 when the node will start the epmd it uses).
launch_rabbit() {
    local limit=$1 port
    shift
    [[ -x $RABBIT_SBIN/rabbitmq-server ]] || die "rabbitmq-server is not installed (Debian: apt-get install rabbitmq-server)"
    for port in "$@"; do
        if port_open "$port"; then
            warn "port $port in use; trying to stop a leftover $RABBIT_NODE"
            rabbit_env timeout 60 "$RABBIT_SBIN/rabbitmqctl" -q -n "$RABBIT_NODE" shutdown >/dev/null 2>&1 || true
            sleep 1
            port_open "$port" && die "port $port is already in use: $(ss -ltnp "sport = :$port" 2>/dev/null | tail -n +2)"
        fi
    done
    port_open "$RABBIT_EPMD_PORT" || RABBIT_STARTED_EPMD=1
    local cmd=("$RABBIT_SBIN/rabbitmq-server")
    info "starting RabbitMQ node $RABBIT_NODE on 127.0.0.1, port(s) $* (logs: $RABBIT_LOG_DIR)"
    echo "+ environment: $(rabbit_env env | grep -E '^(HOME|RABBITMQ_[A-Z_]+|ERL_EPMD_PORT)=' | sort | tr '\n' ' ')" \
        | tee -a "$COMMANDS_LOG"
    show_cmd "${cmd[@]}"
    # A simple command (no function) in the background, so $! is setsid's pid and its process group.
    BROKER_LAUNCHED_AT=$(date +%s.%N)
    "${RABBIT_ENV[@]}" setsid "${cmd[@]}" >>"$RABBIT_LOG_DIR/stdout.log" 2>&1 </dev/null &
    RABBIT_PID=$!
    if ! wait_for_ports "$RABBIT_PID" RabbitMQ "$limit" "$@"; then
        tail -n 30 "$RABBIT_LOG_DIR/stdout.log" >&2
        stop_rabbit
        return 1
    fi
    local check=("$RABBIT_SBIN/rabbitmq-diagnostics" -q -n "$RABBIT_NODE" check_port_connectivity)
    show_cmd "${check[@]}"
    if ! rabbit_env timeout 60 "${check[@]}"; then
        stop_rabbit
        return 1
    fi
    info "RabbitMQ is up (pid $RABBIT_PID)"
}

# ---------------------------------------------------------------------------------------------------
# Stopping the brokers the scripts start (each in a process group of its own, by setsid)

stop_warren() {
    [[ -n $WARREN_PID ]] || return 0
    info "stopping Warren (pid $WARREN_PID)"
    kill_group "$WARREN_PID" 20
    WARREN_PID=""
}

stop_rabbit() {
    [[ -n $RABBIT_PID ]] || return 0
    info "stopping RabbitMQ (pid $RABBIT_PID)"
    local cmd=("$RABBIT_SBIN/rabbitmqctl" -q -n "$RABBIT_NODE" stop)
    show_cmd "${cmd[@]}"
    rabbit_env timeout 60 "${cmd[@]}" >/dev/null 2>&1 || warn "rabbitmqctl stop failed; killing the node"
    local deadline=$((SECONDS + 30))
    while kill -0 -- "-$RABBIT_PID" 2>/dev/null && [[ $SECONDS -lt $deadline ]]; do sleep 0.5; done
    kill_group "$RABBIT_PID" 10
    RABBIT_PID=""
}
