#!/bin/bash
# Reviews and alerts through time: the daemon is restarted with a later
# AIVET_NOW to move its clock, with a one-second scheduler interval.  Alerts
# are counted on a SUB socket (nngcat) and in the store.
#
# The forbidden-writer test lists only a user that is not the one running
# the suite (root in CI) as a writer, so the test's own writes are refused.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

EVENTS="ipc://$AIVET_STATE_DIR/aivetd-events.sock"
CFG="$TMP/aivetd.yaml"
mkdir -p "$TMP/plugins"
cat >"$CFG" <<YAML
scheduler:
  interval: 1s
  overdue_repeat: 7d
reevaluate:
  rate: 50
plugin_dirs: [$TMP/plugins]
YAML
# gate: an organisation plugin whose one finding's severity the tests change.
gate_plugin() { # SEVERITY
	cat >"$TMP/plugins/gate.lua" <<LUA
--- gate: flags every component, at a severity the test sets.
local FLAG = "org.gate.flag"
return {
  name = "gate", area = "org", version = "1.0.0",
  description = "A test gate",
  evaluate = function(component, settings, report)
    report:finding{id = FLAG, severity = "$1", message = "Flagged by the gate.",
      evidence = "name", remedy = "Waive it."}
  end,
}
LUA
}
gate_plugin info
M="$TMP/m.yaml"
cat >"$M" <<'YAML'
apiVersion: aivet/v1
kind: model
name: rv-model
version: "1.0"
publisher: Example Lab
licenses:
  code: Apache-2.0
  weights: Apache-2.0
YAML
SUB_PID=

# at DATE: (re)starts the daemon with its clock at DATE and lets the
# scheduler run at least one pass.
at() {
	stop_daemon
	AIVET_NOW="$1" start_daemon --config "$CFG"
	sleep 3
}
sub_start() {
	nngcat --sub0 --connect "$EVENTS" --subscribe "" --ascii >>"$TMP/sub.txt" 2>/dev/null &
	SUB_PID=$!
}
sub_stop() {
	[ -n "$SUB_PID" ] && kill "$SUB_PID" 2>/dev/null
	wait "$SUB_PID" 2>/dev/null || true
}
stored() { # TOPIC: how many stored alerts have it
	req '{"v":1,"op":"alerts","since":0}' | grep -o "\"topic\":\"$1\"" | wc -l
}
on_sub() { # TOPIC
	# nngcat --ascii writes the messages without separators.
	grep -o "$1 {\"id\"" "$TMP/sub.txt" | wc -l
}
once() { # TOPIC
	[ "$(stored "$1")" = 1 ] || fail "$1 stored $(stored "$1") times"
	[ "$(on_sub "$1")" = 1 ] || fail "$1 published $(on_sub "$1") times: $(cat "$TMP/sub.txt")"
}
trap 'sub_stop; cleanup' EXIT

# The tests run in name order and share the store: time only moves forward.
test_1_due_soon_due_and_overdue_each_once() {
	trap 'stop_daemon KILL; sub_stop' EXIT
	: >"$TMP/sub.txt"
	at 2026-01-01
	sub_start # it redials by itself across restarts
	"$AIVET" check "$M" >/dev/null || true
	out=$("$AIVET" reviews)
	expect_contains "$out" "rv-model@1.0"
	expect_contains "$out" "2026-06-30"
	expect_contains "$out" "current"
	at 2026-06-10
	once review.due_soon
	expect_contains "$("$AIVET" reviews)" "due_soon"
	at 2026-06-10 # a restart repeats nothing
	at 2026-06-20
	once review.due_soon
	stop_daemon
	# Down across the due date: the missed alert comes at start.
	at 2026-07-02
	once review.due
	at 2026-07-08
	once review.overdue
	at 2026-07-08
	once review.due_soon
	once review.due
	once review.overdue
	expect_contains "$("$AIVET" reviews)" "overdue"
	# aivet watch reads the backlog from its cursor.
	out=$("$AIVET" watch --since 0 --count 3 --timeout 5000)
	expect_contains "$out" "review.due_soon rv-model@1.0 due 2026-06-30"
	expect_contains "$out" "review.overdue"
	stop_daemon
}

test_2_a_review_sets_the_next_date_and_stands() {
	trap 'stop_daemon KILL' EXIT
	at 2026-07-09
	out=$("$AIVET" review record rv-model@1.0 --decision reject --note "bad license" \
		--next 2026-09-01)
	expect_contains "$out" "next review 2026-09-01"
	out=$("$AIVET" reviews)
	expect_contains "$out" "rejected"
	expect_contains "$out" "2026-09-01"
	expect_contains "$out" "current"
	out=$(req '{"v":1,"op":"verdict","name":"rv-model","version":"1.0"}')
	expect_contains "$out" '"effective_decision":"rejected"'
	expect_contains "$out" "\"reviewer\":\"$(id -un)\""
	expect_contains "$out" '"decision":"needs_review"'
	expect_contains "$("$AIVET" history rv-model)" "by $(id -un): bad license"
	# The gate follows the human decision.
	rc=0
	"$AIVET" verdict rv-model@1.0 >/dev/null || rc=$?
	expect_rc 2 "$rc"
	# Recurring: a schedule makes the next review without --next.
	"$AIVET" review schedule rv-model@1.0 --every 30d --owner alice >/dev/null
	"$AIVET" review record rv-model@1.0 --decision approve --note ok >/dev/null
	out=$("$AIVET" reviews)
	expect_contains "$out" "2026-08-08"
	expect_contains "$out" "alice"
	at 2026-08-09
	[ "$(req '{"v":1,"op":"alerts","since":0}' | grep -o '"due":"2026-08-08"' | wc -l)" -ge 1 ] ||
		fail "no alert for the next review date"
	stop_daemon
}

test_3_a_waiver_changes_the_decision_until_it_expires() {
	trap 'stop_daemon KILL' EXIT
	gate_plugin block
	at 2026-08-10
	"$AIVET" -f json check "$SRC/examples/manifests/support-bot.yaml" >"$TMP/c.json" || true
	expect_contains "$(cat "$TMP/c.json")" '"decision":	"rejected"'
	out=$("$AIVET" review waive support-bot@2.3.0 org.gate.flag --justification mitigated \
		--note "isolated" --until 2026-09-01) || fail "waive failed: $out"
	out=$("$AIVET" -f json verdict support-bot@2.3.0 || true)
	expect_contains "$out" '"decision":	"approved"'
	expect_contains "$out" '"waived":	true'
	at 2026-09-02
	[ "$(stored waiver.expired)" = 1 ] || fail "waiver.expired stored $(stored waiver.expired) times"
	out=$("$AIVET" -f json verdict support-bot@2.3.0 || true)
	expect_contains "$out" '"decision":	"rejected"'
	stop_daemon
}

test_4_a_plugin_change_marks_stale_and_changes_the_verdict() {
	trap 'stop_daemon KILL' EXIT
	at 2026-09-03
	gate_plugin info
	"$AIVET" reload >/dev/null
	sleep 3
	[ "$(stored verdict.stale)" -ge 1 ] || fail "no verdict.stale"
	out=$(req '{"v":1,"op":"alerts","since":0}')
	expect_contains "$out" '"topic":"verdict.changed","name":"support-bot"'
	expect_contains "$out" '"from":"rejected","to":"approved"'
	at 2026-09-03 # a restart repeats nothing
	[ "$(req '{"v":1,"op":"alerts","since":0}' | grep -o '"topic":"verdict.changed","name":"support-bot"' | wc -l)" = 1 ] ||
		fail "verdict.changed repeated"
	stop_daemon
}

test_5_a_writer_not_listed_is_forbidden() {
	trap 'stop_daemon KILL' EXIT
	me=$(id -un)
	other=nobody
	[ "$me" != nobody ] || other=root
	cp "$CFG" "$TMP/w.yaml"
	printf 'writers:\n  users: [%s]\n' "$other" >>"$TMP/w.yaml"
	stop_daemon
	AIVET_NOW=2026-09-04 start_daemon --config "$TMP/w.yaml"
	rc=0
	out=$("$AIVET" review record rv-model@1.0 --decision approve 2>&1) || rc=$?
	expect_rc 77 "$rc"
	expect_contains "$out" "may not record a review"
	out=$(req '{"v":1,"op":"reload"}')
	expect_contains "$out" '"code":"forbidden"'
	# Reads stay open.
	"$AIVET" reviews >/dev/null
	stop_daemon
}

test_6_a_long_review_note_is_shown_whole() {
	trap 'stop_daemon KILL' EXIT
	at 2026-09-05
	note=$(printf 'n%.0s' $(seq 1 600))
	"$AIVET" review record rv-model@1.0 --decision approve --note "$note" >/dev/null
	out=$(req '{"v":1,"op":"verdict","name":"rv-model","version":"1.0"}')
	expect_contains "$out" "\"note\":\"$note\""
	stop_daemon
}

run_tests
