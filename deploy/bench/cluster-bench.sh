#!/usr/bin/env bash
# cluster-bench.sh — three-node clusters on this machine: replicated (quorum) queue throughput, failover time,
# and a randomized chaos run with a checker that no confirmed message is lost (issue 19).
#
# Usage:
#   deploy/bench/cluster-bench.sh                                   # every scenario, BROKERS below
#   SCENARIOS=chaos CHAOS_SECONDS=300 deploy/bench/cluster-bench.sh
#
# Brokers (BROKERS, one cluster at a time, each started on empty data directories and stopped at the end):
#   rabbitmq   three nodes of Debian's rabbitmq-server (cb1..cb3@localhost) on 127.0.0.1:RABBIT_PORT_BASE+1..3,
#              distribution ports 25700+i, a private epmd on RABBIT_EPMD_PORT, no plugins; nodes 2 and 3 join
#              node 1 with rabbitmqctl join_cluster
#   warren     three Warren nodes (warren1..3@127.0.0.1) from deploy/bin/warren-server on 127.0.0.1:WARREN_PORT_BASE+1..3,
#              inter-node ports 25780+i, management on WARREN_MGMT_BASE+i (to ask a queue's leader), each with a
#              config file listing the three
#              (cluster_formation.classic_config), so they form the cluster themselves; the server jar is built
#              first when it is missing (mvn -o -q -pl deploy -am package -DskipTests)
#
# Scenarios (SCENARIOS, in this order):
#   durable-declares  DurableDeclares.java declares DECLARES durable queues one after another on one channel through
#                     node 1 (each declare-ok waits until the cluster has the definition: Warren's metadata Raft
#                     group, RabbitMQ's Mnesia) and deletes them: declares and deletes per second
#   quorum-confirms   PerfTest -x 1 -y 1 -s 1024 -c 1000 --quorum-queue for DURATION s, publisher and consumer on
#                     node 1 (where the queue is declared, so its first leader): confirmed publish rate, consumer
#                     and confirm latency, and the cluster's CPU per message (all three nodes' user + system time)
#   classic-forwarded a durable classic queue declared (and bound to PerfTest's "direct" exchange) on
#                     node 1; PerfTest publishes persistent 1 KiB messages with confirms (-c 1000) through node 2 and
#                     another consumes them (auto-ack off, -q 1000) through node 3 for DURATION s: both sides go through
#                     the queue's home node (Warren forwards over its node link, RabbitMQ over Erlang distribution)
#   failover          QueueChecker (below) at FAILOVER_RATE msg/s; after 10 s the queue's leader gets SIGKILL and is
#                     started again 10 s later: the longest time without a confirm is the failover time as a
#                     publisher sees it (it includes noticing the dead connection and reconnecting)
#   chaos             QueueChecker at CHAOS_RATE msg/s for CHAOS_SECONDS while a seeded nemesis (CHAOS_SEED) picks,
#                     every 5-15 s, one of: SIGKILL a node and start it again 5 s later; SIGKILL the queue's leader
#                     likewise; SIGSTOP a node for 10 s; stop a node cleanly and start it again. One node at a time
#                     (a majority always stays); every node runs again before the checker drains the queue.
#                     With PARTITIONS=1 also: cut one node off from the other two for 15 s, or cut the link between
#                     two nodes for 15 s (each still reaches the third); clients reach every node all along.
#
# Partitions (PARTITIONS=1, Warren only, needs root and `ip netns`): each Warren node runs in its own network
# namespace (wcb1..3) with the address 10.77.N.2, which clients (the checker, curl) in this namespace reach over a
# veth link of its own (10.77.N.1 here); the nodes reach each other over a veth link per pair (10.78.IJ.0/24) with a
# host route to the other's 10.77.N.2. A cut replaces both ends' queueing discipline of a pair's link with a
# zero-length FIFO, so every packet between the two is dropped silently (no error comes back: as a failed switch,
# TCP retransmits until it gives up); healing removes it. The namespaces are removed at the end. Only the failover
# and chaos scenarios run this way (the others address the nodes at 127.0.0.1).
#
# QueueChecker.java publishes numbered persistent messages with confirms (each number once) through the nodes,
# consumes with manual acks through another node, both reconnecting to the next node on failure, and prints
# RESULT (published, confirmed, unknown, received, lost = confirmed but never consumed, duplicates, duplicates
# without the redelivered flag) and VERDICT ok / FAILED.
#
# Environment (defaults in brackets): BROKERS [rabbitmq warren]  SCENARIOS [durable-declares quorum-confirms failover chaos]
#   DECLARES [2000]  WARREN_PORT_BASE [5780]  WARREN_MGMT_BASE [15780]
#   DURATION [30]  FAILOVER_RATE [200]  CHAOS_SECONDS [120]  CHAOS_RATE [100]  CHAOS_SEED [$RANDOM]
#   RABBIT_PORT_BASE [5760]  RABBIT_DIST_BASE [25760]  RABBIT_EPMD_PORT [4397]  PERFTEST_VERSION [2.22.1]
#   PARTITIONS [0]
# Output: the results on stdout; logs in deploy/bench/.cache/logs/cluster-<timestamp>/. Exit status 0 when every
# scenario ran and every checker said ok, else 1. Needs PerfTest in deploy/bench/.cache (run-bench.sh fetches it)
# and rabbitmq-server for BROKERS=rabbitmq. Only loopback addresses are used.

set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR="$SCRIPT_DIR/.cache"
PERFTEST_VERSION=${PERFTEST_VERSION:-2.22.1}
PERFTEST_LIB="$CACHE_DIR/perftest-$PERFTEST_VERSION/lib"
BROKERS=${BROKERS:-"rabbitmq warren"}
SCENARIOS=${SCENARIOS:-"durable-declares quorum-confirms failover chaos"}
DECLARES=${DECLARES:-2000}
WARREN_PORT_BASE=${WARREN_PORT_BASE:-5780}
WARREN_CLUSTER_BASE=${WARREN_CLUSTER_BASE:-25780}
WARREN_MGMT_BASE=${WARREN_MGMT_BASE:-15780}
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
DURATION=${DURATION:-30}
FAILOVER_RATE=${FAILOVER_RATE:-200}
CHAOS_SECONDS=${CHAOS_SECONDS:-120}
CHAOS_RATE=${CHAOS_RATE:-100}
CHAOS_SEED=${CHAOS_SEED:-$RANDOM}
RABBIT_PORT_BASE=${RABBIT_PORT_BASE:-5760}
RABBIT_DIST_BASE=${RABBIT_DIST_BASE:-25760}
RABBIT_EPMD_PORT=${RABBIT_EPMD_PORT:-4397}
RABBIT_SBIN=/usr/lib/rabbitmq/bin
PARTITIONS=${PARTITIONS:-0}
LOG_DIR="$CACHE_DIR/logs/cluster-$(date +%Y%m%d-%H%M%S)"
DATA_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/warren-cluster-bench.XXXXXX")
NODES=(1 2 3)
FAILED=0

mkdir -p "$LOG_DIR"
info() { echo "cluster-bench: $*"; }
die() { echo "cluster-bench: ERROR: $*" >&2; exit 2; }
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }

[[ -d $PERFTEST_LIB ]] || die "no PerfTest in $PERFTEST_LIB: run deploy/bench/run-bench.sh once to fetch it"

# ---- RabbitMQ nodes ----------------------------------------------------------------------------------------

rabbit_node() { echo "cb$1@localhost"; }
rabbitmq_port() { echo $((RABBIT_PORT_BASE + $1)); }
rabbitmq_host() { echo 127.0.0.1; }
rabbit_dir() { echo "$DATA_ROOT/rabbit$1"; }
rabbit_env() {
    local i=$1
    shift
    local dir
    dir=$(rabbit_dir "$i")
    env HOME="$DATA_ROOT/rabbit-home" RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
        RABBITMQ_NODENAME="$(rabbit_node "$i")" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
        RABBITMQ_NODE_PORT="$(rabbitmq_port "$i")" RABBITMQ_DIST_PORT=$((RABBIT_DIST_BASE + i)) \
        RABBITMQ_MNESIA_BASE="$dir/mnesia" RABBITMQ_LOG_BASE="$LOG_DIR/rabbit$i" \
        RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
        RABBITMQ_PLUGINS_EXPAND_DIR="$dir/plugins-expand" RABBITMQ_PID_FILE="$dir/rabbitmq.pid" \
        ERL_EPMD_PORT="$RABBIT_EPMD_PORT" "$@"
}
rabbitmqctl() { local i=$1; shift; rabbit_env "$i" timeout 60 "$RABBIT_SBIN/rabbitmqctl" -q -n "$(rabbit_node "$i")" "$@"; }

rabbitmq_start_node() {
    local i=$1 dir
    dir=$(rabbit_dir "$i")
    mkdir -p "$dir/mnesia" "$LOG_DIR/rabbit$i" "$DATA_ROOT/rabbit-home"
    chmod 700 "$DATA_ROOT/rabbit-home"
    : >"$dir/rabbitmq-env.conf"
    echo '[].' >"$dir/enabled_plugins"
    printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n' "$(rabbitmq_port "$i")" >"$dir/rabbitmq.conf"
    rabbit_env "$i" setsid "$RABBIT_SBIN/rabbitmq-server" >>"$LOG_DIR/rabbit$i/stdout.log" 2>&1 </dev/null &
    disown
}
rabbitmq_pid() { cat "$(rabbit_dir "$1")/rabbitmq.pid" 2>/dev/null; }
rabbitmq_stop_node() { rabbitmqctl "$1" stop >/dev/null 2>&1 || kill -9 "$(rabbitmq_pid "$1")" 2>/dev/null || true; }
rabbitmq_form_cluster() {
    local i
    for i in 2 3; do
        rabbitmqctl "$i" stop_app && rabbitmqctl "$i" join_cluster "$(rabbit_node 1)" && rabbitmqctl "$i" start_app
    done >>"$LOG_DIR/cluster.log" 2>&1 || die "join_cluster failed (see $LOG_DIR/cluster.log)"
    info "cluster: $(rabbitmqctl 1 cluster_status --formatter json | sed -n 's/.*"running_nodes":\(\[[^]]*\]\).*/\1/p')"
}
# The node number (1-3) of the queue's leader, or empty when unknown.
rabbitmq_leader() {
    local i leader
    for i in "${NODES[@]}"; do
        leader=$(rabbitmqctl "$i" list_queues name leader 2>/dev/null | awk -v q="$1" '$1 == q { print $2 }') || continue
        [[ $leader =~ ^cb([0-9])@ ]] && { echo "${BASH_REMATCH[1]}"; return; }
    done
}
rabbitmq_stop_all() {
    local i
    for i in "${NODES[@]}"; do rabbitmq_stop_node "$i"; done
    ERL_EPMD_PORT="$RABBIT_EPMD_PORT" epmd -kill >/dev/null 2>&1 || true
}

# ---- Warren nodes ------------------------------------------------------------------------------------------

warren_host() { if ((PARTITIONS)); then echo "10.77.$1.2"; else echo 127.0.0.1; fi; }
warren_node() { echo "warren$1@$(warren_host "$1")"; }
warren_port() { echo $((WARREN_PORT_BASE + $1)); }
warren_dir() { echo "$DATA_ROOT/warren$1"; }
warren_start_node() {
    local i=$1 j dir
    dir=$(warren_dir "$i")
    mkdir -p "$dir/data"
    {
        echo "nodename = $(warren_node "$i")"
        echo "cluster.tcp.port = $((WARREN_CLUSTER_BASE + i))"
        echo "cluster_formation.peer_discovery_backend = classic_config"
        for j in "${NODES[@]}"; do
            echo "cluster_formation.classic_config.nodes.$j = $(warren_node "$j"):$((WARREN_CLUSTER_BASE + j))"
        done
        if ((PARTITIONS)); then echo "loopback_users = none"; fi # the checker is not on the node's loopback
    } >"$dir/warren.conf"
    local in_namespace=()
    if ((PARTITIONS)); then in_namespace=(ip netns exec "wcb$i"); fi
    setsid "${in_namespace[@]}" "$REPO_ROOT/deploy/bin/warren-server" --config "$dir/warren.conf" --amqp-port "$(warren_port "$i")" \
        --mgmt-port $((WARREN_MGMT_BASE + i)) --data-dir "$dir/data" >>"$LOG_DIR/warren$i.log" 2>&1 </dev/null &
    disown # the nemesis kills it: no "Killed" job report
}
# The node number (1-3) of the queue's leader as a running node's management API says, or empty when unknown.
warren_leader() {
    local i leader
    for i in "${NODES[@]}"; do
        leader=$(curl -fsS -u guest:guest "http://$(warren_host "$i"):$((WARREN_MGMT_BASE + i))/api/queues/%2F/$1" 2>/dev/null \
            | sed -n 's/.*"leader":"warren\([0-9]\)@.*/\1/p') || continue
        [[ -n $leader ]] && { echo "$leader"; return; }
    done
}
warren_pid() { pgrep -f -- "--data-dir $(warren_dir "$1")/data" | head -n 1; }
warren_stop_node() {
    local pid deadline=$((SECONDS + 60))
    pid=$(warren_pid "$1")
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
}
warren_form_cluster() { info "cluster: formed from each node's classic_config list"; }
warren_stop_all() { local i; for i in "${NODES[@]}"; do warren_stop_node "$i"; done; }
warren_build() {
    [[ -f $REPO_ROOT/deploy/target/warren-server.jar ]] && return 0
    info "building the server (mvn -o -q -pl deploy -am package -DskipTests)"
    (cd "$REPO_ROOT" && mvn -o -q -pl deploy -am package -DskipTests) >"$LOG_DIR/build.log" 2>&1 \
        || die "the build failed (see $LOG_DIR/build.log)"
}

# ---- network namespaces, for partitions (PARTITIONS=1) ------------------------------------------------------

netns_up() {
    local i j
    netns_down
    for i in "${NODES[@]}"; do
        ip netns add "wcb$i"
        ip -n "wcb$i" link set lo up
        ip link add "wcbr$i" type veth peer name eth0 netns "wcb$i"
        ip addr add "10.77.$i.1/24" dev "wcbr$i"
        ip link set "wcbr$i" up
        ip -n "wcb$i" addr add "10.77.$i.2/24" dev eth0
        ip -n "wcb$i" link set eth0 up
    done
    for i in "${NODES[@]}"; do
        for j in "${NODES[@]}"; do
            ((i < j)) || continue
            ip link add "m$j" netns "wcb$i" type veth peer name "m$i" netns "wcb$j"
            ip -n "wcb$i" addr add "10.78.$i$j.$i/24" dev "m$j"
            ip -n "wcb$j" addr add "10.78.$i$j.$j/24" dev "m$i"
            ip -n "wcb$i" link set "m$j" up
            ip -n "wcb$j" link set "m$i" up
            ip -n "wcb$i" route add "10.77.$j.2/32" via "10.78.$i$j.$j"
            ip -n "wcb$j" route add "10.77.$i.2/32" via "10.78.$i$j.$i"
        done
    done
    info "network namespaces wcb1..3 up: node N at 10.77.N.2, a link per pair of nodes"
}
netns_down() { local i; for i in "${NODES[@]}"; do ip netns del "wcb$i" 2>/dev/null || true; done; }
# Every packet between nodes i and j dropped, both ways; heal_link undoes it.
cut_link() {
    ip netns exec "wcb$1" tc qdisc replace dev "m$2" root pfifo limit 0
    ip netns exec "wcb$2" tc qdisc replace dev "m$1" root pfifo limit 0
}
heal_link() {
    ip netns exec "wcb$1" tc qdisc del dev "m$2" root 2>/dev/null || true
    ip netns exec "wcb$2" tc qdisc del dev "m$1" root 2>/dev/null || true
}

# ---- the broker-neutral parts -------------------------------------------------------------------------------

wait_port() {
    local host=$1 port=$2 deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do port_open "$host" "$port" && return 0; sleep 0.5; done
    return 1
}
node_port() { "${BROKER}_port" "$1"; }
node_host() { "${BROKER}_host" "$1"; }
node_pid() { "${BROKER}_pid" "$1"; }
ports_csv() {
    local i out=()
    for i in "${NODES[@]}"; do out+=("$(node_host "$i"):$(node_port "$i")"); done
    (IFS=,; echo "${out[*]}")
}
cluster_cpu_ticks() {
    local i pid total=0 f
    for i in "${NODES[@]}"; do
        pid=$(node_pid "$i")
        [[ -n $pid && -r /proc/$pid/stat ]] || continue
        read -r -a f <<<"$(sed 's/.*) //' "/proc/$pid/stat")"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}
java_tool() {
    local limit=$1 log=$2
    shift 2
    timeout -k 10 "$limit" java -Dlogback.configurationFile=logback-perf-test.xml -cp "$PERFTEST_LIB/*" "$@" >"$log" 2>&1
}

start_and_wait() {
    "${BROKER}_start_node" "$1"
    wait_port "$(node_host "$1")" "$(node_port "$1")" 180 || die "$BROKER node $1 did not start (see $LOG_DIR)"
}

kill_and_restart() {
    local i=$1 after=$2
    info "nemesis: SIGKILL node $i (pid $(node_pid "$i")), start again in ${after}s"
    kill -9 "$(node_pid "$i")" 2>/dev/null || true
    sleep "$after"
    start_and_wait "$i"
    info "nemesis: node $i is back"
}

run_durable_declares() {
    local log="$LOG_DIR/$BROKER-durable-declares.log"
    java_tool 900 "$log" "$SCRIPT_DIR/DurableDeclares.java" --port "$(node_port 1)" --queues "$DECLARES" --delete true \
        || { FAILED=1; info "DurableDeclares failed ($log)"; }
    info "durable-declares $BROKER ($DECLARES queues through node 1, load $(cut -d' ' -f1-3 /proc/loadavg)):"
    grep -E "^RESULT" "$log" | sed "s/^/cluster-bench:   /"
}

run_quorum_confirms() {
    local port cpu0 cpu1 log="$LOG_DIR/$BROKER-quorum-confirms.log"
    port=$(node_port 1)
    cpu0=$(cluster_cpu_ticks)
    java_tool $((DURATION + 90)) "$log" com.rabbitmq.perf.PerfTest --uri "amqp://guest:guest@127.0.0.1:$port" \
        --quorum-queue --queue qq-bench -x 1 -y 1 -s 1024 -c 1000 -z "$DURATION" || { FAILED=1; info "PerfTest failed ($log)"; }
    cpu1=$(cluster_cpu_ticks)
    local sent recv
    sent=$(sed -n 's/.*sending rate avg: \([0-9]*\) msg\/s.*/\1/p' "$log" | tail -n 1)
    recv=$(sed -n 's/.*receiving rate avg: \([0-9]*\) msg\/s.*/\1/p' "$log" | tail -n 1)
    info "quorum-confirms $BROKER: sent ${sent:-?} msg/s, received ${recv:-?} msg/s, load $(cut -d' ' -f1-3 /proc/loadavg)"
    grep -E "latency" "$log" | tail -n 2 | sed "s/^/cluster-bench:   /"
    [[ -n $sent && $sent -gt 0 ]] && awk -v t=$((cpu1 - cpu0)) -v n=$((sent * DURATION)) \
        'BEGIN { printf "cluster-bench:   cluster CPU per published message: %.1f us\n", t * 1e6 / 100 / n }'
}

run_classic_forwarded() {
    local cpu0 cpu1 log="$LOG_DIR/$BROKER-classic-forwarded"
    local uri="amqp://guest:guest@127.0.0.1"
    # declares the durable queue fwd-bench on node 1 and binds it to PerfTest's exchange, consuming nothing
    java_tool 90 "$log-declare.log" com.rabbitmq.perf.PerfTest --uri "$uri:$(node_port 1)" -x 0 -y 1 -u fwd-bench \
        -f persistent --auto-delete false -z 3 || { FAILED=1; info "PerfTest (declare) failed ($log-declare.log)"; }
    sleep 3 # the definitions reach the other nodes
    cpu0=$(cluster_cpu_ticks)
    java_tool $((DURATION + 90)) "$log-consumer.log" com.rabbitmq.perf.PerfTest --uri "$uri:$(node_port 3)" -x 0 -y 1 \
        -u fwd-bench --predeclared -q 1000 -z $((DURATION + 5)) &
    local consumer=$!
    java_tool $((DURATION + 90)) "$log-producer.log" com.rabbitmq.perf.PerfTest --uri "$uri:$(node_port 2)" -x 1 -y 0 \
        -u fwd-bench --predeclared -f persistent -s 1024 -c 1000 -z "$DURATION" \
        || { FAILED=1; info "PerfTest (producer) failed ($log-producer.log)"; }
    wait "$consumer" || { FAILED=1; info "PerfTest (consumer) failed ($log-consumer.log)"; }
    cpu1=$(cluster_cpu_ticks)
    local sent recv
    sent=$(sed -n 's/.*sending rate avg: \([0-9]*\) msg\/s.*/\1/p' "$log-producer.log" | tail -n 1)
    recv=$(sed -n 's/.*receiving rate avg: \([0-9]*\) msg\/s.*/\1/p' "$log-consumer.log" | tail -n 1)
    info "classic-forwarded $BROKER (queue on node 1, publishing through node 2, consuming through node 3): sent ${sent:-?} msg/s, received ${recv:-?} msg/s, load $(cut -d' ' -f1-3 /proc/loadavg)"
    grep -E "confirm latency" "$log-producer.log" | tail -n 1 | sed "s/^/cluster-bench:   /"
    grep -E "consumer latency" "$log-consumer.log" | tail -n 1 | sed "s/^/cluster-bench:   /"
    [[ -n $sent && $sent -gt 0 ]] && awk -v t=$((cpu1 - cpu0)) -v n=$((sent * DURATION)) \
        'BEGIN { printf "cluster-bench:   cluster CPU per published message: %.1f us\n", t * 1e6 / 100 / n }'
}

run_checker() {
    local name=$1 queue=$2 messages=$3 rate=$4 log="$LOG_DIR/$BROKER-$1.log"
    java_tool $((messages / rate + 400)) "$log" "$SCRIPT_DIR/QueueChecker.java" --ports "$(ports_csv)" \
        --queue "$queue" --messages "$messages" --rate "$rate" --drain-seconds 180 &
    CHECKER_PID=$!
}
finish_checker() {
    local name=$1 log="$LOG_DIR/$BROKER-$1.log"
    wait "$CHECKER_PID" || FAILED=1
    grep -E "^(RESULT|VERDICT)" "$log" | sed "s/^/cluster-bench: $name $BROKER: /"
    grep -q "^VERDICT ok" "$log" || FAILED=1
}

run_failover() {
    run_checker failover failover-q $((FAILOVER_RATE * 40)) "$FAILOVER_RATE"
    sleep 10
    local leader
    leader=$("${BROKER}_leader" failover-q)
    kill_and_restart "${leader:-1}" 10
    finish_checker failover
}

run_chaos() {
    RANDOM=$CHAOS_SEED
    info "chaos: seed $CHAOS_SEED, ${CHAOS_SECONDS}s"
    run_checker chaos chaos-q $((CHAOS_SECONDS * CHAOS_RATE)) "$CHAOS_RATE"
    local end=$((SECONDS + CHAOS_SECONDS - 10)) i j k action leader actions=4
    if ((PARTITIONS)); then actions=6; fi
    sleep 5
    while ((SECONDS < end)); do
        i=$((RANDOM % 3 + 1))
        j=$((i % 3 + 1))
        k=$((j % 3 + 1))
        action=$((RANDOM % actions))
        case $action in
            0) kill_and_restart "$i" 5 ;;
            1) leader=$("${BROKER}_leader" chaos-q); kill_and_restart "${leader:-$i}" 5 ;;
            2) info "nemesis: SIGSTOP node $i for 10s"; kill -STOP "$(node_pid "$i")"; sleep 10; kill -CONT "$(node_pid "$i")" ;;
            3) info "nemesis: stop node $i cleanly, start it again"; "${BROKER}_stop_node" "$i"; start_and_wait "$i" ;;
            4) info "nemesis: cut node $i off from nodes $j and $k for 15s"
               cut_link "$i" "$j"; cut_link "$i" "$k"; sleep 15; heal_link "$i" "$j"; heal_link "$i" "$k"
               info "nemesis: partition healed" ;;
            5) info "nemesis: cut the link between nodes $i and $j for 15s (both reach node $k)"
               cut_link "$i" "$j"; sleep 15; heal_link "$i" "$j"
               info "nemesis: partition healed" ;;
        esac
        sleep $((RANDOM % 11 + 5))
    done
    finish_checker chaos
}

cleanup() {
    # `|| true` and no `a && b` lists: under set -e a failing last command of a list (the finished checker's kill)
    # made the script exit 1 after every verdict was ok
    if [[ -n ${CHECKER_PID:-} ]]; then kill "$CHECKER_PID" 2>/dev/null || true; fi
    if [[ -n ${BROKER:-} ]]; then "${BROKER}_stop_all"; fi
    if ((PARTITIONS)); then netns_down; fi
    rm -rf "$DATA_ROOT"
}
trap cleanup EXIT

if ((PARTITIONS)); then
    [[ $BROKERS == warren ]] || die "PARTITIONS=1 runs Warren's nodes in network namespaces: set BROKERS=warren"
    for scenario in $SCENARIOS; do
        [[ $scenario == chaos || $scenario == failover ]] || die "PARTITIONS=1 runs the failover and chaos scenarios only"
    done
    ((EUID == 0)) || die "PARTITIONS=1 needs root (ip netns)"
    netns_up
fi

for BROKER in $BROKERS; do
    case $BROKER in
        rabbitmq) [[ -x $RABBIT_SBIN/rabbitmq-server ]] || die "rabbitmq-server is not installed (apt-get install rabbitmq-server)" ;;
        warren) warren_build ;;
        *) die "unknown broker '$BROKER' (rabbitmq, warren)" ;;
    esac
    info "starting a three-node $BROKER cluster (logs: $LOG_DIR)"
    # all at once: a Warren node waits for a majority before it listens
    for i in "${NODES[@]}"; do "${BROKER}_start_node" "$i"; done
    for i in "${NODES[@]}"; do
        wait_port "$(node_host "$i")" "$(node_port "$i")" 180 || die "$BROKER node $i did not start (see $LOG_DIR)"
    done
    "${BROKER}_form_cluster"
    for scenario in $SCENARIOS; do
        case $scenario in
            durable-declares) run_durable_declares ;;
            quorum-confirms|classic-forwarded|failover|chaos) "run_${scenario//-/_}" ;;
            *) die "unknown scenario '$scenario'" ;;
        esac
    done
    "${BROKER}_stop_all"
done
BROKER=""
exit "$FAILED"
