#!/bin/bash
# One pipeline: the same manifest gives the same verdict object, byte for
# byte with the same clock, from the daemon's evaluate, from the scheduler's
# re-evaluation after a policy change (read back through verdict), and from
# `aivet check --local --database` on the daemon's record, with a waiver, a
# human review and a schedule in place.  Only "id" differs (each stored
# evaluation has its own; --local stores nothing) and the CLI adds "source".
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

export AIVET_NOW=2026-03-01
DB="$AIVET_STATE_DIR/aivet.db"
CFG="$TMP/aivetd.yaml"
mkdir -p "$TMP/plugins"
cat >"$CFG" <<YAML
scheduler:
  interval: 1s
reevaluate:
  rate: 50
plugin_dirs: [$TMP/plugins]
YAML
gate_plugin() { # COMMENT: a change of the file, not of what it finds
	cat >"$TMP/plugins/gate.lua" <<LUA
--- gate: flags every component for review ($1).
return {
  name = "gate", area = "org", version = "1.0.0",
  description = "A test gate",
  evaluate = function(component, settings, report)
    report:finding{id = "org.gate.flag", severity = "review",
      message = "Flagged by the \"gate\".", evidence = "name", remedy = "Waive it."}
  end,
}
LUA
}
M="$TMP/m.yaml"
cat >"$M" <<'YAML'
apiVersion: aivet/v1
kind: model
name: same-model
version: "2.1"
publisher: Example Lab
licenses:
  code: Apache-2.0
  weights: Apache-2.0
YAML
# The manifest as the CLI sends it (a JSON object).
MJSON='{"apiVersion":"aivet/v1","kind":"model","name":"same-model","version":"2.1","publisher":"Example Lab","licenses":{"code":"Apache-2.0","weights":"Apache-2.0"}}'

# The verdict object of a reply, compact, without its id.
norm() { jq -cj 'del(.id)'; }

test_daemon_scheduler_and_local_give_the_same_verdict() {
	trap 'stop_daemon KILL' EXIT
	gate_plugin one
	start_daemon --config "$CFG"
	"$AIVET" check "$M" >/dev/null || true
	"$AIVET" review waive same-model@2.1 org.gate.flag --justification mitigated \
		--note "isolated" --until 2027-01-01 >/dev/null
	"$AIVET" review record same-model@2.1 --decision reject --note "kept out" \
		--next 2026-12-01 >/dev/null
	"$AIVET" review schedule same-model@2.1 --every 30d --owner alice >/dev/null

	# Other policies: the stored verdict goes stale and the scheduler
	# evaluates it again.
	gate_plugin two
	"$AIVET" reload >/dev/null
	want=$(req '{"v":1,"op":"policies"}' | jq -r .policy.digest)
	for _ in $(seq 1 $((100 * SLOW))); do
		got=$(req '{"v":1,"op":"verdict","name":"same-model","version":"2.1"}' |
			jq -r .verdict.policy_digest)
		[ "$got" = "$want" ] && break
		sleep 0.1
	done
	[ "$got" = "$want" ] || fail "the scheduler did not re-evaluate: $got, loaded $want"
	expect_contains "$(req '{"v":1,"op":"history","name":"same-model"}')" '"who":"aivetd"'

	sched=$(req '{"v":1,"op":"verdict","name":"same-model","version":"2.1"}' | jq .verdict | norm)
	daemon=$(req "{\"v\":1,\"op\":\"evaluate\",\"refresh\":true,\"manifest\":$MJSON}" |
		jq .verdict | norm)
	local_=$("$AIVET" -f json --fail-on none check --local --plugin-dir "$TMP/plugins" \
		--database "$DB" "$M" | jq '.[0] | del(.source)' | norm)

	# What the record adds is really there.
	expect_contains "$sched" '"id":"org.gate.flag","severity":"review","message":"Flagged by the \"gate\".","evidence":"name","remedy":"Waive it.","plugin":"gate","waived":true'
	expect_contains "$sched" '"effective_decision":"rejected"'
	expect_contains "$sched" '"reviewer":"'"$(id -un)"'","at":"2026-03-01T00:00:00Z","note":"kept out","next_review":"2026-12-01","stands":true'
	expect_contains "$sched" '"next_due":"2026-03-31"'
	expect_contains "$sched" '"evaluated_at":"2026-03-01T00:00:00Z"'
	expect_contains "$sched" "\"policy_digest\":\"$want\""
	[ "$sched" = "$daemon" ] || fail "the scheduler's and the daemon's verdicts differ:
$sched
$daemon"
	[ "$sched" = "$local_" ] || fail "the scheduler's and --local's verdicts differ:
$sched
$local_"
	stop_daemon
}

test_local_without_a_record_has_nothing_waived_or_reviewed() {
	gate_plugin one
	out=$("$AIVET" -f json --fail-on none check --local --plugin-dir "$TMP/plugins" "$M" |
		jq -c '.[0]')
	case "$out" in *'"waived":true'*) fail "a finding was waived without a record: $out" ;; esac
	expect_contains "$out" '"effective_decision":"needs_review","review":null'
	rc=0
	out=$("$AIVET" check --database "$DB" "$M" 2>&1) || rc=$?
	expect_rc 64 "$rc"
	expect_contains "$out" "--database goes with --local"
}

run_tests
