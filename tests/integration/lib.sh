# lib.sh - helpers for the integration suite: a real aivetd on a temporary
# state directory (socket and database), talked to as clients would.
#
# Each test script sources this file with BUILD and SRC set, defines
# test_* functions and ends with run_tests.  The closing line is
# "N passed, N failed".

set -u
# AIVET_TEST_SLOW (default 1) multiplies the waits for a daemon to start or
# answer: 10 or more when the programs run under Valgrind (tests/valgrind.sh).
SLOW=${AIVET_TEST_SLOW:-1}
AIVETD="$BUILD/ipc/aivetd"
AIVET="$BUILD/ipc/aivet"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/aivet-it.XXXXXX")
export AIVET_STATE_DIR="$TMP/state"
export AIVET_DATA_DIR="$SRC"
unset AIVET_SOCKET AIVET_NOW
SOCK="ipc://$AIVET_STATE_DIR/aivetd.sock"
DAEMON_PID=
PASSED=0
FAILED=0

cleanup() {
	stop_daemon KILL
	rm -rf "$TMP"
}
trap cleanup EXIT

# start_daemon [ARGS...]: starts aivetd and waits until it answers.
start_daemon() {
	"$AIVETD" --workers 2 "$@" 2>>"$TMP/daemon.log" &
	DAEMON_PID=$!
	for _ in $(seq 1 $((100 * SLOW))); do
		if "$AIVET" --timeout $((2000 * SLOW)) health >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "aivetd did not start; its log:" >&2
	tail -20 "$TMP/daemon.log" >&2
	return 1
}

# stop_daemon [SIGNAL]: stops it (TERM by default) and returns its exit code.
stop_daemon() {
	local sig=${1:-TERM} rc=0
	[ -n "$DAEMON_PID" ] || return 0
	kill -"$sig" "$DAEMON_PID" 2>/dev/null
	wait "$DAEMON_PID" 2>/dev/null || rc=$?
	DAEMON_PID=
	return $rc
}

# req JSON: one raw request through nngcat; prints the reply.
req() {
	nngcat --req0 --connect "$SOCK" --recv-timeout $((10 * SLOW)) --ascii --data "$1" 2>&1
}

fail() {
	echo "    $*" >&2
	return 1
}

expect_contains() { # haystack needle
	case "$1" in
	*"$2"*) return 0 ;;
	*) fail "expected to find '$2' in: ${1:0:400}" ;;
	esac
}

expect_rc() { # want got
	[ "$1" = "$2" ] || fail "expected exit code $1, got $2"
}

run_tests() {
	local t
	for t in $(declare -F | awk '{print $3}' | grep '^test_'); do
		if [ -n "${TEST_FILTER:-}" ] && ! [[ $t == *$TEST_FILTER* ]]; then
			continue
		fi
		# Not inside "if": set -e would be ignored there.
		( set -e; $t ) >"$TMP/out.$t" 2>&1
		if [ $? -eq 0 ]; then
			PASSED=$((PASSED + 1))
			echo "PASS $t"
		else
			FAILED=$((FAILED + 1))
			echo "FAIL $t"
			sed 's/^/    /' "$TMP/out.$t" | tail -30
		fi
	done
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
