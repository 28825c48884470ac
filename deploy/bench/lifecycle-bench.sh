#!/usr/bin/env bash
# lifecycle-bench.sh — the message-lifecycle benchmarks (issue 13) on Warren and on RabbitMQ, in one run.
#
# The full run (under 10 minutes; on a quiet machine, nothing else using the 2 cores):
#   KEEP_SYSTEM_RABBITMQ=1 DURATION=30 WARMUP=5 TTL_DLX_MESSAGES=1000000 deploy/bench/lifecycle-bench.sh
# A quick check of the plumbing (about 4 minutes on a busy machine):
#   KEEP_SYSTEM_RABBITMQ=1 DURATION=10 WARMUP=0 TTL_DLX_MESSAGES=20000 deploy/bench/lifecycle-bench.sh
#
# A thin layer over run-bench.sh, which does the work: it starts each broker in turn (Warren, then a
# private RabbitMQ node on its own port; never both at once), fetches PerfTest, measures the broker's CPU
# from /proc/PID/stat and its memory from /proc/PID/status. This script picks the lifecycle scenarios,
# then prints one table for all of them and appends its rows to a results file that outlives the run.
#   (a) ttl-dlx-1m       TTL_DLX_MESSAGES 16-byte messages (PerfTest -x 1 -y 0 -C N -c 1000, predeclared
#                        queues) into a queue with x-message-ttl 5000 dead-lettering through the default
#                        exchange into a second queue, no consumer: seconds from the first publish (when
#                        PerfTest logs its producer's channel starting) until the second queue holds all N
#                        (polled with a passive queue.declare, which both brokers answer), RSS growth (peak
#                        VmRSS sampled while it runs - VmRSS before), CPU µs/msg
#   (b) priority-10      PerfTest 1 producer / 1 consumer, --queue-args x-max-priority=10, every message
#                        priority 5 (PerfTest has no random priorities), prefetch 1000, multi-ack 100
#       priority-random  the same with a random priority 0-10 per message, by deploy/bench/PriorityLoad.java
#                        (the RabbitMQ Java client from PerfTest's class path): rate and CPU µs/msg
#   (c) drop-head-1000   PerfTest unthrottled producer into x-max-length=1000 (drop-head), consumer at
#                        1000 msg/s: publish rate, CPU µs per published message, RSS growth
#
# Environment: everything run-bench.sh reads (see deploy/bench/run-bench.sh --help), with these defaults
# here:
#   SCENARIOS ["priority-10 priority-random drop-head-1000 ttl-dlx-1m"]
#   KEEP_SYSTEM_RABBITMQ [1]   leave a RabbitMQ that others run on 5672 alone (run-bench.sh's default, 0,
#                              stops the system service)
#   MVN_BUILD_ARGS ["-q -o -pl deploy -am package -DskipTests"]   builds Warren in the reactor when its
#                              jar is missing or stale; nothing is installed into ~/.m2
#   LIFECYCLE_RESULTS [deploy/bench/.cache/lifecycle-results.tsv]  where the rows are appended: one per
#                              scenario and broker, with the time, the commit and the sizes of the run
# and TTL_DLX_MESSAGES [1000000], TTL_DLX_TTL_MS [5000], TTL_DLX_TIMEOUT [600] from run-bench.sh.
#
# Exit status: run-bench.sh's (0 all runs passed; 1 some run failed, tables still printed; 2 setup error).

set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "lifecycle-bench.sh: no arguments expected (configure with environment variables; see --help)" >&2
    exit 2
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
export SCENARIOS=${SCENARIOS:-"priority-10 priority-random drop-head-1000 ttl-dlx-1m"}
export KEEP_SYSTEM_RABBITMQ=${KEEP_SYSTEM_RABBITMQ:-1}
export MVN_BUILD_ARGS=${MVN_BUILD_ARGS:-"-q -o -pl deploy -am package -DskipTests"}
LIFECYCLE_RESULTS=${LIFECYCLE_RESULTS:-$SCRIPT_DIR/.cache/lifecycle-results.tsv}
mkdir -p "$SCRIPT_DIR/.cache"

# run-bench.sh prints its log directory first; its stdout is copied to find it.
transcript=$(mktemp "${TMPDIR:-/tmp}/lifecycle-bench.XXXXXX")
trap 'rm -f "$transcript"' EXIT
rc=0
"$SCRIPT_DIR/run-bench.sh" | tee "$transcript" || rc=${PIPESTATUS[0]}
log_dir=$(sed -n 's/^run-bench: logs and raw PerfTest output: //p' "$transcript" | head -n 1)
if [[ -z $log_dir || ! -f $log_dir/results.tsv ]]; then
    echo "lifecycle-bench: no results from run-bench.sh (exit status $rc)" >&2
    exit "$((rc == 0 ? 2 : rc))"
fi

# One row per scenario and broker: rate msg/s (received; published for drop-head-1000), CPU µs/msg,
# RSS before and peak (kB), and for ttl-dlx-1m the publish and all-dead-lettered times.
rows=$(mktemp "${TMPDIR:-/tmp}/lifecycle-rows.XXXXXX")
trap 'rm -f "$transcript" "$rows"' EXIT
awk -F'\t' -v OFS='\t' 'NR > 1 && $1 != "backlog-10m" {
        rate = ($1 == "drop-head-1000") ? $4 : $5
        print $1, $2, $3, rate, $16, $17, $18, "", "", $15
    }' "$log_dir/results.tsv" >"$rows"
if [[ -f $log_dir/ttl-dlx.tsv ]]; then
    # broker status messages publish_s all_dead_lettered_s rss_start_kb rss_peak_kb cpu_us_per_msg note
    # broker status messages publish_s all_dead_lettered_s rss_start_kb rss_peak_kb cpu_us_per_msg
    # first_publish_s note (the times from PerfTest's launch); here the times count from the first
    # publish. No rate: the time until all are dead-lettered is mostly the TTL.
    awk -F'\t' -v OFS='\t' '
        function since(t) { return (t == "NA" || $9 == "NA" || $9 == "") ? "NA" : sprintf("%.2f", t - $9) }
        NR > 1 { print "ttl-dlx-1m", $1, $2, "", $8, $6, $7, since($4), since($5), $10 }' \
        "$log_dir/ttl-dlx.tsv" >>"$rows"
fi

echo
echo "################ Message lifecycle: Warren and RabbitMQ (DURATION=${DURATION:-30}s; ttl-dlx-1m: ${TTL_DLX_MESSAGES:-1000000} messages)"
echo "rate = received msg/s (drop-head-1000: published msg/s); cpu = broker CPU per received (drop-head-1000: published;"
echo "ttl-dlx-1m: per) message; RSS = broker VmRSS before the run, +peak = sampled peak - that; ttl-dlx-1m times are"
echo "seconds from the first publish until PerfTest is done publishing (confirms in) / all are dead-lettered"
# (awk, not `read`: read would merge the empty fields between tabs)
awk -F'\t' '
    function orNone(v) { return (v == "" || v == "NA") ? "-" : v }
    function mib(kb) { return (kb == "" || kb == "NA") ? "-" : sprintf("%.1f", kb / 1024) }
    BEGIN { f = "%-16s %-9s %-6s %11s %11s %10s %10s %10s %12s\n"
            printf f, "scenario", "broker", "status", "rate msg/s", "cpu us/msg", "RSS MiB", "+peak MiB", "publish s", "all dead s" }
    { printf f, $1, $2, $3, orNone($4), orNone($5), mib($6), ($6 == "" || $7 == "" || $6 == "NA" || $7 == "NA") ? "-" : mib($7 - $6),
          orNone($8), orNone($9)
      if ($10 != "") notes = notes "note (" $1 ", " $2 "): " $10 "\n" }
    END { printf "%s", notes }' "$rows"

# The results file: a header once, then this run's rows with when, what and how big.
if [[ ! -s $LIFECYCLE_RESULTS ]]; then
    printf 'time\tcommit\tduration_s\tttl_dlx_messages\tscenario\tbroker\tstatus\trate_msg_s\tcpu_us_per_msg\trss_start_kb\trss_peak_kb\tpublish_s\tall_dead_lettered_s\tnote\n' \
        >"$LIFECYCLE_RESULTS"
fi
commit=$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
[[ -n $(git -C "$REPO_ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] && commit+="+dirty"
awk -F'\t' -v OFS='\t' -v t="$(date -u +%FT%TZ)" -v c="$commit" -v d="${DURATION:-30}" -v n="${TTL_DLX_MESSAGES:-1000000}" \
    '{ print t, c, d, n, $0 }' "$rows" >>"$LIFECYCLE_RESULTS"
echo
echo "Rows appended to $LIFECYCLE_RESULTS; raw output in $log_dir"
exit "$rc"
