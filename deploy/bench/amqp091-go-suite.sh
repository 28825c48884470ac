#!/usr/bin/env bash
# amqp091-go-suite.sh — Go's RabbitMQ client, amqp091-go, runs its own integration test suite against Warren
# (`go test -tags integration`: connections, channels, confirms, consumers, returns, errors; over a hundred tests
# and subtests, with goleak checking that no goroutine outlives them). Not a benchmark, and not in `mvn verify`:
# many of the suite's tests wait 100-250 ms for a message, which a loaded 2-core machine misses now and then.
#
#   deploy/bench/amqp091-go-suite.sh                 # Warren from deploy/bin/warren-server (build it first)
#   AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ deploy/bench/amqp091-go-suite.sh   # a running broker instead
#   RUN=Issue43 deploy/bench/amqp091-go-suite.sh     # only the tests whose names match (go test -run)
#
# Needs Debian's golang-go and golang-github-rabbitmq-amqp091-go-dev (apt-get install ...; the suite is read from
# /usr/share/gocode). The suite is copied to a temporary GOPATH first: three of its tests skip their checks, and
# leak their connection (which goleak then reports), unless the server's product is "RabbitMQ"; the copy runs
# them against any server. Environment: AMQP_URL (unset: start Warren on AMQP_PORT [5698] with an empty data
# directory), RUN [.], SUITE_TIMEOUT seconds [300].
# Exit status: go test's (0: every test passed); 2 setup.

set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
fi

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
SUITE=/usr/share/gocode/src/github.com/rabbitmq/amqp091-go
AMQP_PORT=${AMQP_PORT:-5698}
RUN=${RUN:-.}
SUITE_TIMEOUT=${SUITE_TIMEOUT:-300}

die() { echo "amqp091-go-suite: $*" >&2; exit 2; }
[[ -x /usr/bin/go ]] || die "no Go toolchain (apt-get install golang-go)"
[[ -f $SUITE/integration_test.go ]] || die "no amqp091-go sources in $SUITE (apt-get install golang-github-rabbitmq-amqp091-go-dev)"

work=$(mktemp -d "${TMPDIR:-/tmp}/amqp091-go-suite.XXXXXX")
warren=""
cleanup() {
    [[ -n $warren ]] && kill -TERM -- "-$warren" 2>/dev/null && wait "$warren" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

copy=$work/gopath/src/github.com/rabbitmq/amqp091-go
mkdir -p "$(dirname "$copy")"
cp -r "$SUITE" "$copy"
sed -i 's/product.(string) == "RabbitMQ"/product.(string) != ""/; s/server == "RabbitMQ"/server != ""/' "$copy/integration_test.go"
grep -q '== "RabbitMQ"' "$copy/integration_test.go" && die "the suite's product checks are not what they were in 1.5.0"

if [[ -z ${AMQP_URL:-} ]]; then
    launcher=$REPO_ROOT/deploy/bin/warren-server
    [[ -x $launcher ]] || die "$launcher missing"
    echo "starting Warren on 127.0.0.1:$AMQP_PORT (log: $work/warren.log)"
    setsid "$launcher" --amqp-port "$AMQP_PORT" --mgmt-port 0 --data-dir "$work/data" >"$work/warren.log" 2>&1 </dev/null &
    warren=$!
    for _ in $(seq 1 120); do
        timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$AMQP_PORT" 2>/dev/null && break
        kill -0 "$warren" 2>/dev/null || { cat "$work/warren.log" >&2; die "Warren exited"; }
        sleep 0.5
    done
    AMQP_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT/
fi

echo "+ AMQP_URL=$AMQP_URL go test -tags integration -count=1 -v -run '$RUN' ."
cd "$copy"
rc=0
GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" AMQP_URL=$AMQP_URL \
    go test -tags integration -count=1 -v -timeout "${SUITE_TIMEOUT}s" -run "$RUN" . >"$work/go-test.log" 2>&1 || rc=$?
grep -E '^\s*--- FAIL' -A4 "$work/go-test.log" || true
tail -n 3 "$work/go-test.log"
echo "passed: $(grep -cE '^\s*--- PASS' "$work/go-test.log"), failed: $(grep -cE '^\s*--- FAIL' "$work/go-test.log")"
exit "$rc"
