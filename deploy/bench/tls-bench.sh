#!/usr/bin/env bash
# tls-bench.sh — Warren vs RabbitMQ over TLS (AMQPS), on this machine, in one run: PerfTest throughput
# through each broker's TLS listener, and how many new TLS connections per second each listener takes.
#
# Usage:
#   deploy/bench/tls-bench.sh            # from any directory
#   DURATION=10 HANDSHAKE_SECONDS=5 deploy/bench/tls-bench.sh
#   SCENARIOS="tls-16b tls-1k plain-16b plain-1k" deploy/bench/tls-bench.sh   # with plain-AMQP baselines
#   BROKERS=warren deploy/bench/tls-bench.sh
# A run with the defaults takes about 9 minutes (both brokers, four scenarios, two handshake modes).
#
# What it does:
#   1. Certificates, made in the run's temporary directory with openssl: a CA and a server certificate
#      for localhost / 127.0.0.1 (EC P-256 keys; TLS_KEY=rsa for RSA 2048), checked with `openssl verify`,
#      and a PKCS#12 trust store holding the CA made with keytool. Both brokers use the same certificate
#      and key, TLS 1.3 and 1.2 enabled (ssl_options.versions), no client certificates.
#   2. PerfTest (com.rabbitmq:perf-test, PERFTEST_VERSION) from Maven Central into
#      deploy/bench/.cache/perftest-<version>/lib, as run-bench.sh gets it (offline from ~/.m2 first).
#      PerfTest gets -Djavax.net.ssl.trustStore=<the trust store>: with a javax.net.ssl property set it
#      uses the JVM's default SSLContext, which verifies the server's certificate (without one it would
#      trust any certificate).
#   3. Warren, built when missing or older than its sources (`mvn -q -o package -DskipTests -pl deploy -am`:
#      no install, ~/.m2 is shared), started by deploy/bin/warren-server --config <file> with RabbitMQ's
#      keys (listeners.tcp.default, listeners.ssl.default, ssl_options.*; management off). Its log line
#      "TLS for ssl_options uses ..." names the TLS provider (OpenSSL/BoringSSL through netty-tcnative,
#      or the JDK's).
#      RabbitMQ (Debian's rabbitmq-server), a private node tlsbench@localhost as run-bench.sh starts its
#      node (own mnesia/log dirs, own epmd port, no plugins) with the same TLS keys in its rabbitmq.conf.
#      The system rabbitmq-server service, if one runs, is neither used nor stopped nor reconfigured.
#      One broker at a time; each gets a TLS probe (TlsHandshakeLoad.java --mode probe: the protocol and
#      cipher suite the Java client negotiates, as PerfTest's), a WARMUP-second warm-up, the scenarios,
#      then the handshake runs, and is stopped.
#   4. Prints a table per measurement and the Warren/RabbitMQ ratios.
#
# Scenarios (1 producer, 1 consumer, one fresh queue q-<scenario>-<broker>, DURATION seconds;
# the same PerfTest flags as run-bench.sh's auto-ack-16b, through amqps:// or amqp://):
#   tls-16b     --uri amqps://...:<TLS port> -x 1 -y 1 -s 16   -a
#   tls-1k      --uri amqps://...:<TLS port> -x 1 -y 1 -s 1024 -a
#   plain-16b   --uri amqp://...:<port>      -x 1 -y 1 -s 16   -a   (baseline; not in the default SCENARIOS)
#   plain-1k    --uri amqp://...:<port>      -x 1 -y 1 -s 1024 -a   (baseline; not in the default SCENARIOS)
#   <any of these>-prefetch, e.g. tls-1k-prefetch: the same with manual acks, --qos 1000 --multi-ack-every 100
#               (run-bench.sh's manual-ack-prefetch) instead of -a; tls-16b-prefetch and tls-1k-prefetch are in the
#               default SCENARIOS.
# Why -prefetch: with auto-ack and no prefetch limit the broker pushes as fast as it can; once the PerfTest
# consumer falls behind, its receive rate can drop to a steady ~280 msg/s (1 KiB messages; ~225 every 5th second)
# for the rest of the run, with either broker, over TLS or not (seen on the project's machine, 2026-12-05;
# a client-side effect, not understood yet: the consumer JVM's heap stays small). A prefetch limit keeps the
# backlog in the broker, so the consumer never falls behind that way.
# For each: send and receive rate (PerfTest's averages), consumer latency p50/p99, and the broker's CPU time
# (user + system of its java / beam.smp process, from /proc) per received message, as run-bench.sh
# measures it.
#
# Handshakes (deploy/bench/TlsHandshakeLoad.java, the RabbitMQ Java client from PerfTest's class path,
# HANDSHAKE_THREADS loops for HANDSHAKE_SECONDS after HANDSHAKE_WARMUP uncounted seconds in the same JVM;
# every connection a full handshake, no session resumption; the program reads the broker's CPU time from
# /proc/<pid>/stat at the start and end of the counted seconds):
#   tls         connect, TLS handshake, close: handshakes per second
#   amqps       connect, TLS handshake, AMQP connection open (guest), close: AMQPS connections per second
#   amqp        the same over plain AMQP (baseline; not in the default HANDSHAKE_MODES)
# with the broker's CPU time per connection.
#
# Environment (defaults in brackets):
#   DURATION [30]             seconds per scenario run (PerfTest -z)
#   WARMUP [5]                seconds of TLS auto-ack warm-up per broker before measuring; 0 = none
#   SCENARIOS ["tls-16b tls-1k tls-16b-prefetch tls-1k-prefetch"]   from the list above
#   HANDSHAKE_MODES ["tls amqps"]  from the list above; empty = no handshake runs
#   HANDSHAKE_SECONDS [15]    HANDSHAKE_THREADS [2]   HANDSHAKE_WARMUP [5] (seconds, same JVM, not counted)
#   BROKERS ["warren rabbitmq"]    which brokers, in this order
#   TLS_KEY [ec]              ec (P-256) or rsa (2048 bits) server key
#   WARREN_PORT [5693]  WARREN_TLS_PORT [5694]
#   RABBIT_PORT [5695]  RABBIT_TLS_PORT [5696]  RABBIT_EPMD_PORT [4409]
#   PERFTEST_VERSION [2.22.1]  PERFTEST_JAVA_OPTS []   WARREN_JAVA_OPTS [] (read by the launcher)
#   WARREN_BUILD [auto]       auto: build when missing or stale; 1: always; 0: never
#   STARTUP_TIMEOUT [90]      seconds to wait for a broker's ports
#   COOLDOWN [2]              seconds of pause between runs
#   KEEP_WORK [0]             1: keep the temporary directory (certificates, configs, broker data)
#
# Output: the tables on stdout; PerfTest and TlsHandshakeLoad output, broker logs, the configs, the commands
# run, results.tsv and handshakes.tsv in deploy/bench/.cache/logs/tls-<timestamp>/ (logs/tls-latest links
# to it). Exit status: 0 all runs passed; 1 some run failed (tables still printed); 2 setup error.
#
# Needs: bash, java 17+ (with keytool), mvn, openssl, procps (pgrep), rabbitmq-server (Debian package;
# installed with apt-get by run-bench.sh, not by this script). Only loopback addresses are used. Numbers
# mean something only on an otherwise idle machine: the load average is printed before each run, and
# other PerfTest processes found at the start are named in a warning.

set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "tls-bench.sh: no arguments expected (configure with environment variables; see --help)" >&2
    exit 2
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
CACHE_DIR="$SCRIPT_DIR/.cache"

DURATION=${DURATION:-30}
WARMUP=${WARMUP:-5}
SCENARIOS=${SCENARIOS-"tls-16b tls-1k tls-16b-prefetch tls-1k-prefetch"}
HANDSHAKE_MODES=${HANDSHAKE_MODES-"tls amqps"}
HANDSHAKE_SECONDS=${HANDSHAKE_SECONDS:-15}
HANDSHAKE_THREADS=${HANDSHAKE_THREADS:-2}
HANDSHAKE_WARMUP=${HANDSHAKE_WARMUP:-5}
BROKERS=${BROKERS:-"warren rabbitmq"}
TLS_KEY=${TLS_KEY:-ec}
WARREN_PORT=${WARREN_PORT:-5693}
WARREN_TLS_PORT=${WARREN_TLS_PORT:-5694}
RABBIT_PORT=${RABBIT_PORT:-5695}
RABBIT_TLS_PORT=${RABBIT_TLS_PORT:-5696}
RABBIT_EPMD_PORT=${RABBIT_EPMD_PORT:-4409}
RABBIT_NODE=tlsbench@localhost
PERFTEST_VERSION=${PERFTEST_VERSION:-2.22.1}
PERFTEST_JAVA_OPTS=${PERFTEST_JAVA_OPTS:-}
WARREN_BUILD=${WARREN_BUILD:-auto}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-90}
COOLDOWN=${COOLDOWN:-2}
KEEP_WORK=${KEEP_WORK:-0}
STORE_PASS=changeit

RABBIT_SBIN=/usr/lib/rabbitmq/bin
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
KEYTOOL=${JAVA_HOME:+$JAVA_HOME/bin/}keytool
HANDSHAKE_LOAD="$SCRIPT_DIR/TlsHandshakeLoad.java"

BENCH_NAME=tls-bench
# shellcheck source=deploy/bench/bench-lib.sh
source "$SCRIPT_DIR/bench-lib.sh"

require_uint WARMUP HANDSHAKE_WARMUP WARREN_PORT WARREN_TLS_PORT RABBIT_PORT RABBIT_TLS_PORT RABBIT_EPMD_PORT \
    STARTUP_TIMEOUT COOLDOWN
require_positive DURATION HANDSHAKE_SECONDS HANDSHAKE_THREADS
for s in $SCENARIOS; do
    [[ $s =~ ^(tls|plain)-(16b|1k)(-prefetch)?$ ]] \
        || die "unknown scenario '$s' ((tls|plain)-(16b|1k), optionally with -prefetch: tls-16b, plain-1k-prefetch, ...)"
done
for m in $HANDSHAKE_MODES; do
    case $m in tls|amqps|amqp) ;; *) die "unknown handshake mode '$m' (tls amqps amqp)" ;; esac
done
for b in $BROKERS; do
    case $b in warren|rabbitmq) ;; *) die "unknown broker '$b' (warren, rabbitmq)" ;; esac
done
case $TLS_KEY in ec|rsa) ;; *) die "TLS_KEY must be ec or rsa" ;; esac
case $WARREN_BUILD in auto|0|1) ;; *) die "WARREN_BUILD must be auto, 0 or 1" ;; esac

scenario_size() { case $1 in *-16b|*-16b-prefetch) echo 16 ;; *-1k|*-1k-prefetch) echo 1024 ;; esac; }
scenario_prefetch() { [[ $1 == *-prefetch ]]; }
scenario_tls() { [[ $1 == tls-* ]]; }
scenario_title() {
    local t="plain AMQP"
    scenario_tls "$1" && t="TLS (amqps)"
    local ack="auto-ack"
    scenario_prefetch "$1" && ack="manual ack, prefetch 1000, multi-ack every 100"
    echo "1 producer / 1 consumer, $(scenario_size "$1") B, $ack, $t"
}
mode_title() {
    case $1 in
        tls) echo "TLS handshakes/s (connect, full handshake, close; no AMQP)" ;;
        amqps) echo "AMQPS connections/s (full TLS handshake + AMQP open as guest + close)" ;;
        amqp) echo "plain AMQP connections/s (AMQP open as guest + close)" ;;
    esac
}

STAMP=$(date +%Y%m%d-%H%M%S)
LOG_DIR="$CACHE_DIR/logs/tls-$STAMP"
mkdir -p "$LOG_DIR"
ln -sfn "tls-$STAMP" "$CACHE_DIR/logs/tls-latest"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/warren-tls-bench.XXXXXX")
PKI="$WORK/pki"
TRUSTSTORE="$PKI/truststore.p12"
OTHER_TRUSTSTORE="$PKI/other-truststore.p12"
CLIENT_TRUSTSTORE=$TRUSTSTORE   # the trust store client_exec gives the client JVM
COMMANDS_LOG="$LOG_DIR/commands.txt"
RESULTS="$LOG_DIR/results.tsv"
HANDSHAKES="$LOG_DIR/handshakes.tsv"
PROBES="$LOG_DIR/probes.tsv"
printf 'scenario\tbroker\tstatus\tsend_msg_s\trecv_msg_s\tlat_p50_us\tlat_p99_us\tcpu_us_per_msg\tnote\n' >"$RESULTS"
printf 'mode\tbroker\tstatus\tconn_per_s\tconnections\terrors\tcpu_us_per_conn\tnote\n' >"$HANDSHAKES"
printf 'broker\tnegotiated\tserver\n' >"$PROBES"

WARREN_PID=""        # process-group leader of the running Warren
RABBIT_PID=""        # process-group leader of the running RabbitMQ
RABBIT_STARTED_EPMD=0
CLIENT_PID=""        # the running PerfTest / TlsHandshakeLoad (its `timeout` wrapper)

# shellcheck disable=SC2317  # (run by the EXIT trap)
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n $CLIENT_PID ]]; then
        kill -TERM "$CLIENT_PID" 2>/dev/null
        wait "$CLIENT_PID" 2>/dev/null
    fi
    [[ -n $WARREN_PID ]] && stop_warren
    [[ -n $RABBIT_PID ]] && stop_rabbit
    [[ $RABBIT_STARTED_EPMD == 1 ]] && epmd -port "$RABBIT_EPMD_PORT" -kill >/dev/null 2>&1
    if [[ $KEEP_WORK == 1 ]]; then
        info "kept $WORK"
    else
        rm -rf "$WORK"
    fi
    info "logs: $LOG_DIR"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "tls-bench: interrupted" >&2; exit 130' INT
trap 'echo "tls-bench: terminated" >&2; exit 143' TERM

# ---------------------------------------------------------------------------------------------------
# Certificates

pki_step() {
    show_cmd "$@"
    "$@" >>"$LOG_DIR/pki.log" 2>&1 || { cat "$LOG_DIR/pki.log" >&2; die "$1 failed"; }
}

make_pki() {
    mkdir -p "$PKI"
    local newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    [[ $TLS_KEY == rsa ]] && newkey=(-newkey rsa:2048)
    info "making a CA and a server certificate for localhost/127.0.0.1 ($TLS_KEY key) in $PKI"
    local ca=(openssl req -x509 "${newkey[@]}" -nodes -keyout "$PKI/ca-key.pem" -out "$PKI/ca.pem" -days 2
        -subj "/O=Warren Bench/CN=tls-bench CA" -addext "basicConstraints=critical,CA:true"
        -addext "keyUsage=critical,keyCertSign,cRLSign")
    local csr=(openssl req -new "${newkey[@]}" -nodes -keyout "$PKI/server-key.pem" -out "$PKI/server.csr"
        -subj "/O=Warren Bench/CN=localhost")
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "extendedKeyUsage=serverAuth" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "basicConstraints=CA:false" >"$PKI/server-ext.cnf"
    local sign=(openssl x509 -req -in "$PKI/server.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca-key.pem" -CAcreateserial
        -days 1 -sha256 -out "$PKI/server.pem" -extfile "$PKI/server-ext.cnf")
    pki_step "${ca[@]}"
    pki_step "${csr[@]}"
    pki_step "${sign[@]}"
    show_cmd openssl verify -CAfile "$PKI/ca.pem" "$PKI/server.pem"
    openssl verify -CAfile "$PKI/ca.pem" "$PKI/server.pem" >>"$LOG_DIR/pki.log" 2>&1 \
        || { cat "$LOG_DIR/pki.log" >&2; die "the server certificate does not verify"; }
    local ks=("$KEYTOOL" -importcert -noprompt -alias tls-bench-ca -file "$PKI/ca.pem" -keystore "$TRUSTSTORE"
        -storetype PKCS12 -storepass "$STORE_PASS")
    show_cmd "${ks[@]}"
    "${ks[@]}" >>"$LOG_DIR/pki.log" 2>&1 || { cat "$LOG_DIR/pki.log" >&2; die "keytool failed"; }
    # A trust store with another CA only: PerfTest must refuse the brokers with it (check_perftest_verifies).
    pki_step openssl req -x509 "${newkey[@]}" -nodes -keyout "$PKI/other-ca-key.pem" -out "$PKI/other-ca.pem" -days 2 \
        -subj "/O=Warren Bench/CN=some other CA"
    pki_step "$KEYTOOL" -importcert -noprompt -alias other-ca -file "$PKI/other-ca.pem" -keystore "$OTHER_TRUSTSTORE" \
        -storetype PKCS12 -storepass "$STORE_PASS"
    cp "$PKI/ca.pem" "$PKI/server.pem" "$LOG_DIR/"   # public parts only, for the record
}

# The ssl_options.* lines both brokers get (RabbitMQ's keys).
ssl_options() {
    cat <<EOF
ssl_options.cacertfile = $PKI/ca.pem
ssl_options.certfile = $PKI/server.pem
ssl_options.keyfile = $PKI/server-key.pem
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
ssl_options.versions.1 = tlsv1.3
ssl_options.versions.2 = tlsv1.2
EOF
}

# ---------------------------------------------------------------------------------------------------
# Clients

# Runs a client JVM (class path PerfTest's) with arguments $3..., killed after $1 seconds, output in
# $LOG_DIR/$2.log; returns its exit status (124 when killed). It trusts the bench CA.
client_exec() {
    local limit=$1 base=$2
    shift 2
    local -a jopts=()
    [[ -n $PERFTEST_JAVA_OPTS ]] && read -r -a jopts <<<"$PERFTEST_JAVA_OPTS"
    # (no javax.net.ssl properties for plain AMQP: with one set, PerfTest uses TLS whatever the URI says)
    local -a trust=()
    [[ -n $CLIENT_TRUSTSTORE ]] && trust=("-Djavax.net.ssl.trustStore=$CLIENT_TRUSTSTORE"
        "-Djavax.net.ssl.trustStorePassword=$STORE_PASS" -Djavax.net.ssl.trustStoreType=PKCS12)
    local cmd=(timeout -k 10 "$limit" "$JAVA" ${jopts[@]+"${jopts[@]}"} ${trust[@]+"${trust[@]}"}
        -Dlogback.configurationFile=logback-perf-test.xml -cp "$PERFTEST_LIB/*" "$@")
    show_cmd "${cmd[@]}"
    local rc=0
    "${cmd[@]}" >"$LOG_DIR/$base.log" 2>&1 </dev/null &
    CLIENT_PID=$!
    wait "$CLIENT_PID" || rc=$?
    CLIENT_PID=""
    return "$rc"
}

# PerfTest: $1 scenario (or warmup), $2 broker, $3 seconds, $4 output base name.
run_perftest() {
    local scenario=$1 broker=$2 seconds=$3 base=$4 uri
    if [[ $scenario == warmup || $scenario == verify ]] || scenario_tls "$scenario"; then
        uri="amqps://guest:guest@127.0.0.1:$(tls_port "$broker")"
    else
        uri="amqp://guest:guest@127.0.0.1:$(plain_port "$broker")"
    fi
    local size=16 tls=() ack=(--autoack)
    [[ $scenario != warmup && $scenario != verify ]] && size=$(scenario_size "$scenario")
    if scenario_prefetch "$scenario"; then ack=(--qos 1000 --multi-ack-every 100); fi
    local saved=$CLIENT_TRUSTSTORE rc=0
    if [[ $uri == amqps:* ]]; then tls=(--use-default-ssl-context); else CLIENT_TRUSTSTORE=""; fi
    client_exec "$((seconds + 90))" "$base" com.rabbitmq.perf.PerfTest --uri "$uri" ${tls[@]+"${tls[@]}"} \
        --producers 1 --consumers 1 --size "$size" --time "$seconds" "${ack[@]}" \
        --queue "q-$scenario-$broker" --id "$scenario-$broker" --output-file "$LOG_DIR/$base.csv" || rc=$?
    CLIENT_TRUSTSTORE=$saved
    return "$rc"
}

tls_port() { case $1 in warren) echo "$WARREN_TLS_PORT" ;; rabbitmq) echo "$RABBIT_TLS_PORT" ;; esac; }
plain_port() { case $1 in warren) echo "$WARREN_PORT" ;; rabbitmq) echo "$RABBIT_PORT" ;; esac; }

# ---------------------------------------------------------------------------------------------------
# Warren

WARREN_LAUNCHER="$REPO_ROOT/deploy/bin/warren-server"
WARREN_JAR="$REPO_ROOT/deploy/target/warren-server.jar"
WARREN_LOG="$LOG_DIR/warren.log"

warren_build_needed() {
    [[ -f $WARREN_JAR && -d $REPO_ROOT/deploy/target/lib ]] || return 0
    [[ -n $(find "$REPO_ROOT" -maxdepth 2 -name pom.xml -newer "$WARREN_JAR" -print -quit) ]] && return 0
    [[ -n $(find "$REPO_ROOT"/*/src/main -type f -newer "$WARREN_JAR" -print -quit 2>/dev/null) ]] && return 0
    return 1
}

build_warren() {
    if [[ $WARREN_BUILD == 0 ]]; then
        info "WARREN_BUILD=0: not building"
    elif [[ $WARREN_BUILD == 1 ]] || warren_build_needed; then
        local cmd=(mvn -q -o package -DskipTests -pl deploy -am)
        info "building Warren in $REPO_ROOT (log: $LOG_DIR/warren-build.log)"
        show_cmd "${cmd[@]}"
        (cd "$REPO_ROOT" && "${cmd[@]}") >"$LOG_DIR/warren-build.log" 2>&1 \
            || { tail -n 30 "$LOG_DIR/warren-build.log" >&2; die "the Warren build failed"; }
    else
        info "Warren build is up to date ($WARREN_JAR)"
    fi
    [[ -f $WARREN_JAR && -x $WARREN_LAUNCHER ]] || die "no Warren build at $WARREN_JAR"
}

start_warren() {
    local conf="$WORK/warren.conf"
    {
        echo "# tls-bench.sh: RabbitMQ's keys"
        echo "listeners.tcp.default = 127.0.0.1:$WARREN_PORT"
        echo "listeners.ssl.default = 127.0.0.1:$WARREN_TLS_PORT"
        echo "management.tcp.port = 0"
        echo "log.file = false"
        ssl_options
    } >"$conf"
    cp "$conf" "$LOG_DIR/warren.conf"
    local p
    for p in "$WARREN_PORT" "$WARREN_TLS_PORT"; do
        port_open "$p" && die "port $p is already in use: $(ss -ltnp "sport = :$p" 2>/dev/null | tail -n +2)"
    done
    local cmd=("$WARREN_LAUNCHER" --config "$conf" --data-dir "$WORK/warren-data")
    info "starting Warren on 127.0.0.1:$WARREN_PORT (AMQP) and :$WARREN_TLS_PORT (AMQPS) (log: $WARREN_LOG)"
    show_cmd "${cmd[@]}"
    setsid "${cmd[@]}" >>"$WARREN_LOG" 2>&1 </dev/null &
    WARREN_PID=$!
    if ! wait_for_ports "$WARREN_PID" Warren "$STARTUP_TIMEOUT" "$WARREN_PORT" "$WARREN_TLS_PORT"; then
        tail -n 30 "$WARREN_LOG" >&2
        stop_warren
        return 1
    fi
    WARREN_TLS_PROVIDER=$(sed -n 's/.*TLS for ssl_options uses \(.*\) (certificate.*/\1/p' "$WARREN_LOG" | tail -n 1)
    info "Warren is up (pid $WARREN_PID); TLS provider: ${WARREN_TLS_PROVIDER:-? (no 'TLS for ssl_options uses' line in its log)}"
}

warren_alive() { [[ -n $WARREN_PID ]] && kill -0 "$WARREN_PID" 2>/dev/null && port_open "$WARREN_TLS_PORT"; }

# ---------------------------------------------------------------------------------------------------
# RabbitMQ (a private node, as run-bench.sh runs it, with a TLS listener)

RABBIT_HOME="$CACHE_DIR/rabbitmq-home-tls"   # the Erlang cookie; kept so a leftover node can be stopped
RABBIT_DIR="$WORK/rabbitmq"
RABBIT_LOG_DIR="$LOG_DIR/rabbitmq"
set_rabbit_env

start_rabbit() {
    prepare_rabbit_dirs
    {
        echo "listeners.tcp.default = 127.0.0.1:$RABBIT_PORT"
        echo "listeners.ssl.default = 127.0.0.1:$RABBIT_TLS_PORT"
        echo "loopback_users.guest = true"
        ssl_options
    } >"$RABBIT_DIR/rabbitmq.conf"
    cp "$RABBIT_DIR/rabbitmq.conf" "$LOG_DIR/rabbitmq.conf"
    launch_rabbit "$STARTUP_TIMEOUT" "$RABBIT_PORT" "$RABBIT_TLS_PORT"
}

rabbit_alive() { [[ -n $RABBIT_PID ]] && kill -0 "$RABBIT_PID" 2>/dev/null && port_open "$RABBIT_TLS_PORT"; }

broker_alive() { case $1 in warren) warren_alive ;; rabbitmq) rabbit_alive ;; esac; }

# ---------------------------------------------------------------------------------------------------
# Runs and results

# The TLS parameters a Java client (PerfTest's JVM) negotiates with broker $1.
probe_tls() {
    local broker=$1 rc=0
    client_exec 60 "probe-$broker" "$HANDSHAKE_LOAD" --port "$(tls_port "$broker")" --truststore "$TRUSTSTORE" \
        --password "$STORE_PASS" --mode probe || rc=$?
    local negotiated server
    negotiated=$(sed -n 's/^negotiated \([^,]*\),.*/\1/p' "$LOG_DIR/probe-$broker.log" | head -n 1)
    server=$(sed -n 's/^AMQPS connection open: server //p' "$LOG_DIR/probe-$broker.log" | head -n 1)
    if [[ $rc != 0 || -z $negotiated ]]; then
        warn "the TLS probe of $broker failed (exit $rc):"
        tail -n 20 "$LOG_DIR/probe-$broker.log" >&2
        return 1
    fi
    printf '%s\t%s\t%s\n' "$broker" "$negotiated" "$server" >>"$PROBES"
    info "[$broker] a Java client negotiates $negotiated; server $server"
}

# PerfTest with --use-default-ssl-context and a trust store without the bench CA must fail to connect to
# broker $1: then the runs' PerfTest verified the broker's certificate.
check_perftest_verifies() {
    local broker=$1 rc=0 log="$LOG_DIR/verify-$1.log"
    info "[$broker] PerfTest with a trust store of another CA must be refused (certificate verification check)"
    CLIENT_TRUSTSTORE=$OTHER_TRUSTSTORE
    run_perftest verify "$broker" 2 "verify-$broker" || rc=$?
    CLIENT_TRUSTSTORE=$TRUSTSTORE
    if grep -qE 'PKIX path|unable to find valid certification path|SSLHandshakeException|certificate_unknown' "$log" \
            && ! grep -q 'receiving rate avg' "$log"; then
        info "  -> refused as it should be: $(grep -oE 'SSLHandshakeException[^ ]*|PKIX path [a-z ]*' "$log" | head -n 1)"
    else
        warn "PerfTest connected to $broker (exit $rc) while trusting another CA: it does not verify certificates" \
            "here, so the runs measured TLS without verification (log $log)"
        PERFTEST_VERIFIES=no
    fi
}

run_scenario() {
    local scenario=$1 broker=$2 base="$1-$2" rc=0 pid cpu0 cpu1
    echo
    info "[$broker] $scenario: $(scenario_title "$scenario"), ${DURATION}s (load average $(loadavg))"
    pid=$(broker_os_pid "$broker")
    cpu0=$(cpu_ticks "$pid")
    run_perftest "$scenario" "$broker" "$DURATION" "$base" || rc=$?
    cpu1=$(cpu_ticks "$pid")
    local log="$LOG_DIR/$base.log" status=ok note="" send recv lat p50 p99 cpu=""
    send=$(sed -n 's/.*sending rate avg: \([0-9][0-9]*\) msg\/s.*/\1/p' "$log" | tail -n 1)
    recv=$(sed -n 's/.*receiving rate avg: \([0-9][0-9]*\) msg\/s.*/\1/p' "$log" | tail -n 1)
    lat=$(sed -n 's/.*consumer latency min\/median\/75th\/95th\/99th \([0-9][0-9/]*\).*/\1/p' "$log" | tail -n 1)
    IFS=/ read -r _ p50 _ _ p99 <<<"${lat:-////}"
    if [[ $rc == 124 || $rc == 137 ]]; then status=FAIL; note="PerfTest timed out and was killed"
    elif [[ $rc != 0 ]]; then status=FAIL; note="PerfTest exit status $rc"
    elif [[ -z $send || -z $recv || $recv == 0 ]]; then status=FAIL; note="no summary (or nothing received) in PerfTest output"
    fi
    local errs
    # (PerfTest's ConnectionFactory.setUri("amqps://...") warns about a trust-everything manager; the
    # --use-default-ssl-context given after it replaces that, as check_perftest_verifies shows)
    errs=$(grep -E 'Exception|ERROR|WARN|refused|timed out' "$log" | grep -v 'TrustEverythingTrustManager' \
        | head -n 2 | tr '\n' ' ' | cut -c1-200 || true)
    if [[ -n $errs ]]; then
        [[ $status == ok ]] && status=WARN
        note="${note:+$note; }PerfTest: $errs"
    fi
    broker_alive "$broker" || { status=FAIL; note="${note:+$note; }$broker died"; }
    [[ -n $cpu0 && -n $cpu1 && -n $recv && $recv != 0 ]] && cpu=$(awk -v t="$((cpu1 - cpu0))" \
        -v hz="$HZ" -v r="$recv" -v d="$DURATION" 'BEGIN { printf "%.2f", t * 1e6 / hz / (r * d) }')
    if [[ $status == FAIL ]]; then
        echo "  -> FAIL: $note"
        tail -n 15 "$log" | sed 's/^/       | /'
    else
        echo "  -> $status: sent ${send} msg/s, received ${recv} msg/s, latency p50/p99 ${p50:-?}/${p99:-?} µs," \
            "broker CPU ${cpu:-?} µs/msg${note:+; $note}"
    fi
    note=${note//$'\t'/ }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$broker" "$status" "$send" "$recv" "$p50" "$p99" \
        "$cpu" "$note" >>"$RESULTS"
    [[ $status != FAIL ]]
}

run_handshakes() {
    local mode=$1 broker=$2 base="handshake-$1-$2" port rc=0
    port=$(tls_port "$broker")
    [[ $mode == amqp ]] && port=$(plain_port "$broker")
    echo
    info "[$broker] $mode: $(mode_title "$mode"), $HANDSHAKE_THREADS threads, ${HANDSHAKE_SECONDS}s after a" \
        "${HANDSHAKE_WARMUP}s warm-up (load average $(loadavg))"
    client_exec "$((HANDSHAKE_WARMUP + HANDSHAKE_SECONDS + 90))" "$base" "$HANDSHAKE_LOAD" --port "$port" \
        --truststore "$TRUSTSTORE" --password "$STORE_PASS" --mode "$mode" --threads "$HANDSHAKE_THREADS" \
        --warmup "$HANDSHAKE_WARMUP" --seconds "$HANDSHAKE_SECONDS" --broker-pid "$(broker_os_pid "$broker")" \
        --clk-tck "$HZ" || rc=$?
    local log="$LOG_DIR/$base.log" line status=ok note="" rate n errors cpu
    line=$(grep '^RESULT ' "$log" | tail -n 1 || true)
    rate=$(sed -n 's/.* rate=\([0-9.]*\).*/\1/p' <<<"$line")
    n=$(sed -n 's/.* connections=\([0-9]*\).*/\1/p' <<<"$line")
    errors=$(sed -n 's/.* errors=\([0-9]*\).*/\1/p' <<<"$line")
    cpu=$(sed -n 's/.* broker_cpu_us_per_conn=\([0-9.]*\).*/\1/p' <<<"$line")
    if [[ $rc != 0 || -z $rate ]]; then status=FAIL; note="TlsHandshakeLoad exit status $rc"
    elif [[ $errors != 0 ]]; then status=WARN; note="$errors failed: $(sed -n 's/^first error: //p' "$log" | cut -c1-200)"
    fi
    broker_alive "$broker" || { status=FAIL; note="${note:+$note; }$broker died"; }
    echo "  -> $status: ${rate:-?} connections/s (${n:-?} in ${HANDSHAKE_SECONDS}s, ${errors:-?} errors)," \
        "broker CPU ${cpu:-?} µs/connection${note:+; $note}"
    if [[ $status == FAIL ]]; then tail -n 15 "$log" | sed 's/^/       | /'; fi
    note=${note//$'\t'/ }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$broker" "$status" "$rate" "$n" "$errors" "$cpu" "$note" >>"$HANDSHAKES"
    [[ $status != FAIL ]]
}

run_broker() {
    local broker=$1 s m
    case $broker in
        warren) start_warren || return 1 ;;
        rabbitmq) start_rabbit || return 1 ;;
    esac
    probe_tls "$broker" || FAILED=1
    [[ -n $SCENARIOS ]] && check_perftest_verifies "$broker"
    if [[ $WARMUP -gt 0 && -n $SCENARIOS ]]; then
        info "[$broker] warm-up: ${WARMUP}s over TLS, 16 B auto-ack (not reported; log $LOG_DIR/warmup-$broker.log)"
        run_perftest warmup "$broker" "$WARMUP" "warmup-$broker" || warn "warm-up on $broker failed (exit $?)"
        sleep "$COOLDOWN"
    fi
    for s in $SCENARIOS; do
        broker_alive "$broker" || { warn "$broker is down; skipping the rest of its runs"; FAILED=1; break; }
        run_scenario "$s" "$broker" || FAILED=1
        sleep "$COOLDOWN"
    done
    for m in $HANDSHAKE_MODES; do
        broker_alive "$broker" || { warn "$broker is down; skipping the rest of its runs"; FAILED=1; break; }
        run_handshakes "$m" "$broker" || FAILED=1
        sleep "$COOLDOWN"
    done
    case $broker in
        warren) stop_warren ;;
        rabbitmq) stop_rabbit ;;
    esac
}

col() { awk -F'\t' -v k="$2" -v b="$3" -v c="$4" '$1 == k && $2 == b { v = $c } END { print v }' "$1"; }
ratio() {
    [[ -n ${1:-} && -n ${2:-} ]] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }' \
        || echo "n/a"
}
ms() { [[ -n ${1:-} ]] && awk -v v="$1" 'BEGIN { printf "%.1f", v / 1000 }' || echo "-"; }

print_results() {
    echo
    echo "################ Results (PerfTest $PERFTEST_VERSION; $(nproc) CPUs shared by the broker and its clients)"
    echo "TLS: $TLS_KEY server key, TLS 1.3 and 1.2 enabled on both brokers, no client certificates; PerfTest" \
        "verifies the server certificate: ${PERFTEST_VERIFIES:-yes}."
    local b
    for b in $BROKERS; do
        local neg server
        neg=$(awk -F'\t' -v b="$b" '$1 == b { print $2 }' "$PROBES" | tail -n 1)
        server=$(awk -F'\t' -v b="$b" '$1 == b { print $3 }' "$PROBES" | tail -n 1)
        local provider=""
        [[ $b == warren ]] && provider="; TLS provider ${WARREN_TLS_PROVIDER:-?}"
        echo "  $b: negotiated ${neg:-?}, server ${server:-?}$provider"
    done
    if [[ -n $SCENARIOS ]]; then
        echo
        echo "=== Throughput, ${DURATION}s per run (cpu us/msg = broker CPU time per received message)"
        printf '%-17s %-9s %-5s %11s %11s %10s %10s %11s\n' scenario broker status "send msg/s" "recv msg/s" "p50 ms" "p99 ms" "cpu us/msg"
        local s
        for s in $SCENARIOS; do
            for b in $BROKERS; do
                [[ -n $(col "$RESULTS" "$s" "$b" 3) ]] || continue
                printf '%-17s %-9s %-5s %11s %11s %10s %10s %11s\n' "$s" "$b" "$(col "$RESULTS" "$s" "$b" 3)" \
                    "$(col "$RESULTS" "$s" "$b" 4)" "$(col "$RESULTS" "$s" "$b" 5)" "$(ms "$(col "$RESULTS" "$s" "$b" 6)")" \
                    "$(ms "$(col "$RESULTS" "$s" "$b" 7)")" "$(col "$RESULTS" "$s" "$b" 8)"
                local n
                n=$(col "$RESULTS" "$s" "$b" 9)
                [[ -n $n ]] && echo "    note: $n"
            done
        done
    fi
    if [[ -n $HANDSHAKE_MODES ]]; then
        echo
        echo "=== New connections, $HANDSHAKE_THREADS client threads, ${HANDSHAKE_SECONDS}s per run (cpu = broker CPU time per connection)"
        printf '%-6s %-9s %-5s %11s %12s %7s %12s\n' mode broker status "conn/s" connections errors "cpu us/conn"
        local m
        for m in $HANDSHAKE_MODES; do
            for b in $BROKERS; do
                [[ -n $(col "$HANDSHAKES" "$m" "$b" 3) ]] || continue
                printf '%-6s %-9s %-5s %11s %12s %7s %12s\n' "$m" "$b" "$(col "$HANDSHAKES" "$m" "$b" 3)" \
                    "$(col "$HANDSHAKES" "$m" "$b" 4)" "$(col "$HANDSHAKES" "$m" "$b" 5)" "$(col "$HANDSHAKES" "$m" "$b" 6)" \
                    "$(col "$HANDSHAKES" "$m" "$b" 7)"
                local n
                n=$(col "$HANDSHAKES" "$m" "$b" 8)
                [[ -n $n ]] && echo "    note: $n"
            done
        done
    fi
    if [[ " $BROKERS " == *" warren "* && " $BROKERS " == *" rabbitmq "* ]]; then
        echo
        echo "=== Summary: Warren / RabbitMQ (the issue's target: TLS receive rate at least 2x)"
        local s m wr rr
        for s in $SCENARIOS; do
            wr=$(col "$RESULTS" "$s" warren 5); rr=$(col "$RESULTS" "$s" rabbitmq 5)
            local verdict=""
            scenario_tls "$s" && [[ -n $wr && -n $rr ]] && verdict=$(awk -v a="$wr" -v b="$rr" \
                'BEGIN { if (b > 0 && a >= 2 * b) print "(>= 2x: met)"; else print "(>= 2x: NOT met)" }')
            printf '%-17s receive rate %8s vs %8s = %7s %-18s cpu us/msg %6s vs %6s = %s\n' "$s" "${wr:--}" "${rr:--}" \
                "$(ratio "$wr" "$rr")" "$verdict" "$(col "$RESULTS" "$s" warren 8)" "$(col "$RESULTS" "$s" rabbitmq 8)" \
                "$(ratio "$(col "$RESULTS" "$s" warren 8)" "$(col "$RESULTS" "$s" rabbitmq 8)")"
        done
        for m in $HANDSHAKE_MODES; do
            wr=$(col "$HANDSHAKES" "$m" warren 4); rr=$(col "$HANDSHAKES" "$m" rabbitmq 4)
            printf '%-17s conn/s       %8s vs %8s = %7s %-18s cpu us/conn %5s vs %6s = %s\n' "$m" "${wr:--}" "${rr:--}" \
                "$(ratio "$wr" "$rr")" "" "$(col "$HANDSHAKES" "$m" warren 7)" "$(col "$HANDSHAKES" "$m" rabbitmq 7)" \
                "$(ratio "$(col "$HANDSHAKES" "$m" warren 7)" "$(col "$HANDSHAKES" "$m" rabbitmq 7)")"
        done
    fi
    echo
    echo "Raw results: $RESULTS, $HANDSHAKES"
}

# ---------------------------------------------------------------------------------------------------
# Main (a function called on the last line: bash reads the whole file before running any of it)

main() {
    command -v "$JAVA" >/dev/null || die "java not found"
    command -v "$KEYTOOL" >/dev/null || die "keytool not found (it comes with the JDK)"
    command -v openssl >/dev/null || die "openssl not found (Debian: apt-get install openssl)"
    command -v pgrep >/dev/null || die "pgrep not found (Debian: apt-get install procps)"
    info "logs: $LOG_DIR"
    info "repo: $REPO_ROOT ($(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(
        [[ -n $(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] && echo ', uncommitted changes'))"
    info "$(nproc) CPUs, load average $(loadavg); DURATION=${DURATION}s SCENARIOS='$SCENARIOS'" \
        "HANDSHAKE_MODES='$HANDSHAKE_MODES' (${HANDSHAKE_SECONDS}s, $HANDSHAKE_THREADS threads) BROKERS='$BROKERS'"
    local others
    others=$(pgrep -af 'com\.rabbitmq\.perf\.PerfTest|run-bench\.sh|policy-bench\.sh|delayed-bench\.sh|lifecycle-bench\.sh' \
        | grep -v "^$$ " | cut -c1-160 || true)
    [[ -n $others ]] && warn "other benchmark processes are running; the numbers will be noisy:"$'\n'"$others"
    info "java: $("$JAVA" -version 2>&1 | head -n 1); $(openssl version)"
    [[ " $BROKERS " == *" rabbitmq "* ]] && info "rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo '?')," \
        "Erlang/OTP $(cat /usr/lib/erlang/releases/*/OTP_VERSION 2>/dev/null | head -n 1 || echo '?')"

    make_pki
    fetch_perftest
    [[ " $BROKERS " == *" warren "* ]] && build_warren

    FAILED=0
    local broker
    for broker in $BROKERS; do
        echo
        echo "##### $broker"
        run_broker "$broker" || FAILED=1
    done
    print_results
    [[ $FAILED == 0 ]] || { echo "tls-bench: some runs FAILED (see the notes above and $LOG_DIR)" >&2; exit 1; }
}

main; exit
