#!/bin/bash
# on_alert hooks: a command gets each alert as JSON on stdin; a failing
# hook is retried; a hook that hangs is killed at its timeout and never
# holds up requests.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

OUT="$TMP/hook.out"
cat >"$TMP/aivetd.yaml" <<YAML
scheduler:
  interval: 1s
hooks:
  on_alert:
    - command: [sh, -c, "cat >> $OUT; echo >> $OUT"]
      timeout: 5s
      topics: [review.due_soon]
    - command: [sh, -c, "test -f $TMP/failed-once || { touch $TMP/failed-once; exit 3; }; cat > $TMP/retried.out"]
      timeout: 5s
      topics: [review.due_soon]
    - command: [sleep, "60"]
      timeout: 1s
      topics: [review.due_soon]
YAML
printf 'apiVersion: aivet/v1\nkind: model\nname: hooked\nversion: "1"\n' >"$TMP/m.yaml"

wait_for() { # FILE PATTERN SECONDS
	for _ in $(seq 1 $(($3 * 10 * SLOW))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

test_hooks_get_alerts_are_retried_and_time_out() {
	AIVET_NOW=2026-01-01 start_daemon -c "$TMP/aivetd.yaml"
	"$AIVET" --fail-on none -f json check "$TMP/m.yaml" >"$TMP/v.json"
	due=$(sed -n 's/.*"review_by":[[:space:]]*"\([0-9-]*\)".*/\1/p' "$TMP/v.json" | head -1)
	[ -n "$due" ] || fail "no review date"
	stop_daemon
	# Ten days before the review is due: within every profile's due_soon lead.
	soon=$(date -u -d "$due - 10 days" +%F)
	AIVET_NOW="$soon" start_daemon -c "$TMP/aivetd.yaml"
	wait_for "$OUT" '"topic":"review.due_soon"' 10 || fail "the hook got no alert: $(cat "$OUT" 2>/dev/null)"
	expect_contains "$(cat "$OUT")" '"name":"hooked"'
	wait_for "$TMP/retried.out" "review.due_soon" 15 || fail "the failing hook was not retried"
	# The hanging hook does not hold up requests.
	start=$(date +%s%N)
	"$AIVET" health >/dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -lt $((2000 * SLOW)) ] || fail "health took $ms ms while a hook hung"
	wait_for "$TMP/daemon.log" "hook sleep: killed after its timeout" 10 ||
		fail "the hanging hook was not killed: $(tail -5 "$TMP/daemon.log")"
	stop_daemon
}

run_tests
