#!/bin/bash
# Reloading plugins and profiles: under load without a failed request, by
# the reload op, SIGHUP and --watch; a broken plugin is refused and the old
# set keeps serving; verdicts made by other policies become stale.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

BENCH="$BUILD/ipc/aivet-bench"
PLUG="$TMP/plugins"
mkdir -p "$PLUG"
write_plugin() { # severity
	cat >"$PLUG/house.lua" <<LUA
-- A house rule used by the reload tests.
return {
  name = "house", area = "house", version = "1.0",
  description = "Every component gets one house finding.",
  evaluate = function(component, settings, report)
    report:finding{id = "house.rule", severity = "$1", message = "house rule applied",
                   remedy = "none needed"}
  end,
}
LUA
}
write_plugin info
# Background re-evaluation off, so that a verdict made under the old
# policies stays stale until checked again (reviews.sh covers re-evaluation).
printf 'plugin_dirs: [%s]\nworkers: 2\nreevaluate: {rate: 0}\n' "$PLUG" >"$TMP/aivetd.yaml"
M="$TMP/m.yaml"
printf 'apiVersion: aivet/v1\nkind: model\nname: reloaded\nversion: "1"\n' >"$M"

digest() { "$AIVET" -f json health | sed -n 's/.*"digest":[[:space:]]*"\([0-9a-f]*\)".*/\1/p' | head -1; }

test_reload_under_load_fails_no_request() {
	"$BENCH" --socket "$SOCK" --mix evaluate --clients 4 --count 150 --no-baseline >"$TMP/bench.out" 2>&1 &
	bench=$!
	for i in 1 2 3 4 5; do
		write_plugin "$([ $((i % 2)) -eq 0 ] && echo info || echo warn)"
		"$AIVET" reload >/dev/null
		kill -HUP "$DAEMON_PID"
		sleep 0.1
	done
	rc=0
	wait "$bench" || rc=$?
	cat "$TMP/bench.out"
	expect_rc 0 "$rc"
	expect_contains "$(cat "$TMP/bench.out")" "failures 0"
}

test_changed_plugin_makes_old_verdicts_stale() {
	write_plugin info
	"$AIVET" reload >/dev/null
	# Several times, so that every worker has seen these exact request bytes
	# (and remembers their digest) before the policy changes.
	for _ in 1 2 3 4 5 6; do "$AIVET" --fail-on none check "$M" >/dev/null; done
	expect_contains "$("$AIVET" -f json --fail-on none check "$M")" '"cached":	true'
	expect_contains "$("$AIVET" -f json --fail-on none verdict reloaded@1)" '"current"'
	write_plugin warn
	"$AIVET" reload >/dev/null
	rc=0
	out=$("$AIVET" -f json --fail-on stale verdict reloaded@1) || rc=$?
	expect_contains "$out" '"stale"'
	expect_rc 3 "$rc"
	out=$("$AIVET" -f json --fail-on none check "$M")
	expect_contains "$out" '"current"'
	expect_contains "$out" '"cached":	false'
	expect_contains "$out" '"severity":	"warn"'
	for _ in 1 2 3 4; do
		out=$("$AIVET" -f json --fail-on none check "$M")
		expect_contains "$out" '"cached":	true'
		expect_contains "$out" '"severity":	"warn"'
	done
}

test_broken_plugin_is_refused_and_old_set_keeps_serving() {
	before=$(digest)
	printf 'return { name = "bad", area = "bad", version = "1",\n  evaluate = function( }\n' >"$PLUG/bad.lua"
	rc=0
	out=$("$AIVET" reload 2>&1) || rc=$?
	rm -f "$PLUG/bad.lua"
	[ "$rc" -ne 0 ] || fail "a broken plugin was accepted"
	expect_contains "$out" "bad.lua:2"
	[ "$(digest)" = "$before" ] || fail "the policy set changed although the reload was refused"
	"$AIVET" --fail-on none check "$M" >/dev/null
}

test_watch_reloads_on_file_change() {
	local state="$TMP/watch" pid
	AIVET_STATE_DIR="$state" "$AIVETD" --watch -c "$TMP/aivetd.yaml" 2>>"$TMP/watch.log" &
	pid=$!
	for _ in $(seq 1 200); do
		AIVET_STATE_DIR="$state" "$AIVET" health >/dev/null 2>&1 && break
		sleep 0.05
	done
	d1=$(AIVET_STATE_DIR="$state" digest)
	[ -n "$d1" ] || fail "the watching daemon did not start"
	write_plugin review
	# A loaded machine may take a while to load the new set: up to 20 s.
	for _ in $(seq 1 200); do
		d2=$(AIVET_STATE_DIR="$state" digest)
		[ "$d2" != "$d1" ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid" || true
	[ "$d2" != "$d1" ] || fail "--watch did not reload after a plugin file changed"
}

start_daemon -c "$TMP/aivetd.yaml" || exit 1
run_tests
rc=$?
stop_daemon TERM || rc=1
exit $rc
