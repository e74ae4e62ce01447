#!/bin/bash
# The daemon end to end: check, verdict, list, health, caching, foreign
# clients (nngcat, nanocat), bad requests, signals and crash safety.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

MANIFEST="$TMP/m.yaml"
cat >"$MANIFEST" <<'YAML'
apiVersion: aivet/v1
kind: model
name: it-model
version: "1.0"
publisher: Example Lab
licenses:
  code: Apache-2.0
  weights: Apache-2.0
YAML

test_health_answers_with_status_ok() {
	out=$("$AIVET" health)
	expect_contains "$out" "status     ok"
	out=$("$AIVET" -f json health)
	expect_contains "$out" '"status":	"ok"'
}

test_check_stores_a_verdict_and_verdict_reads_it() {
	rc=0
	"$AIVET" check "$MANIFEST" >"$TMP/c.out" || rc=$?
	[ "$rc" -le 2 ] || fail "check exit $rc"
	expect_contains "$(cat "$TMP/c.out")" "it-model"
	rc2=0
	out=$("$AIVET" -f json verdict it-model@1.0) || rc2=$?
	expect_rc "$rc" "$rc2"
	expect_contains "$out" '"freshness":	"current"'
	expect_contains "$("$AIVET" list)" "it-model"
}

test_same_manifest_twice_is_served_from_the_store() {
	"$AIVET" check "$MANIFEST" >/dev/null || true
	out=$("$AIVET" -f json check "$MANIFEST" || true)
	expect_contains "$out" '"cached":	true'
}

test_examples_give_each_decision() {
	out=$("$AIVET" -f json check "$SRC"/examples/manifests/*.yaml || true)
	expect_contains "$out" '"decision":	"approved"'
	expect_contains "$out" '"decision":	"needs_review"'
	expect_contains "$out" '"decision":	"rejected"'
}

test_exit_code_is_the_worst_outcome() {
	rc=0
	"$AIVET" check "$SRC"/examples/manifests/*.yaml >/dev/null || rc=$?
	expect_rc 2 "$rc"
	rc=0
	"$AIVET" --fail-on none check "$SRC"/examples/manifests/*.yaml >/dev/null || rc=$?
	expect_rc 0 "$rc"
}

test_unknown_component_is_not_found() {
	rc=0
	out=$("$AIVET" verdict no-such-thing@1 2>&1) || rc=$?
	expect_rc 64 "$rc"
	expect_contains "$out" "no verdict for no-such-thing@1"
}

test_nngcat_speaks_the_protocol() {
	out=$(req '{"v":1,"op":"health"}')
	expect_contains "$out" '"ok":true'
	out=$(req '{"v":1,"op":"verdict","name":"it-model"}')
	expect_contains "$out" '"ok":true'
}

test_nanocat_speaks_the_protocol() {
	command -v nanocat >/dev/null || fail "nanocat is not installed"
	out=$(nanocat --req --connect "$SOCK" --recv-timeout 10 -A -D '{"v":1,"op":"health"}' 2>&1)
	expect_contains "$out" '"ok":true'
}

test_bad_requests_get_clear_errors() {
	expect_contains "$(req 'this is not json')" '"code":"bad_request"'
	expect_contains "$(req '[1,2]')" 'must be a JSON object'
	expect_contains "$(req '{"op":"health"}')" "field 'v' must be 1"
	expect_contains "$(req '{"v":1,"op":"frobnicate"}')" "unknown op 'frobnicate'"
	expect_contains "$(req '{"v":1,"op":"evaluate"}')" "field 'manifest'"
	expect_contains "$(req '{"v":1,"op":"evaluate","manifest":"a: [b"}')" '"ok":false'
	expect_contains "$(req '{"v":1,"op":"evaluate","manifest":{"apiVersion":"aivet/v9","kind":"model","name":"x","version":"1"}}')" 'apiVersion'
	expect_contains "$(req '{"v":1,"op":"evaluate","manifest":{"apiVersion":"aivet/v1","kind":"model","version":"1"}}')" 'name'
	expect_contains "$(req '{"v":1,"op":"verdict","name":7}')" "field 'name' must be a string"
	expect_contains "$(req '{"v":1,"op":"evaluate","profile":"nope","manifest":"x: 1"}')" "unknown profile 'nope'"
	expect_contains "$(req '{"v":1,"op":"health"}')" '"ok":true'
}

test_oversized_and_hostile_manifests_are_refused() {
	# 10 MB request
	head -c 10000000 /dev/zero | tr '\0' 'a' >"$TMP/big"
	printf '{"v":1,"op":"evaluate","manifest":"%s"}' "$(cat "$TMP/big")" >"$TMP/big.json"
	out=$(nngcat --req0 --connect "$SOCK" --recv-timeout 20 --ascii --file "$TMP/big.json" 2>&1)
	expect_contains "$out" '"code":"too_large"'
	# nesting 10,000 deep
	deep=$(printf '%.0s[' $(seq 1 10000))
	out=$(req "{\"v\":1,\"op\":\"evaluate\",\"manifest\":\"x: $deep\"}")
	expect_contains "$out" '"ok":false'
	# alias bomb
	bomb='a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]'
	out=$(req "{\"v\":1,\"op\":\"evaluate\",\"manifest\":\"$bomb\"}")
	expect_contains "$out" '"ok":false'
	# invalid UTF-8 inside the manifest text
	printf '{"v":1,"op":"evaluate","manifest":"name: \xff\xfe"}' >"$TMP/utf8.json"
	out=$(nngcat --req0 --connect "$SOCK" --recv-timeout 10 --ascii --file "$TMP/utf8.json" 2>&1)
	expect_contains "$out" '"ok":false'
	expect_contains "$(req '{"v":1,"op":"health"}')" '"ok":true'
}

test_bad_manifest_file_exits_65_with_position() {
	printf 'apiVersion: aivet/v1\nkind: model\nname: x\nversion: "1"\nlicences:\n  code: MIT\n' >"$TMP/bad.yaml"
	rc=0
	out=$("$AIVET" check "$TMP/bad.yaml" 2>&1) || rc=$?
	expect_rc 65 "$rc"
	expect_contains "$out" "bad.yaml:5:1"
	expect_contains "$out" "licenses"
}

test_client_that_disconnects_mid_request_does_not_hurt() {
	for _ in 1 2 3 4 5; do
		timeout 0.05 nngcat --req0 --connect "$SOCK" --ascii --delay 0 \
		    --file "$MANIFEST" >/dev/null 2>&1 || true
	done
	expect_contains "$(req '{"v":1,"op":"health"}')" '"ok":true'
}

test_unreachable_daemon_exits_69_and_says_how_to_start_it() {
	rc=0
	out=$("$AIVET" --socket "ipc://$TMP/nobody.sock" health 2>&1) || rc=$?
	expect_rc 69 "$rc"
	expect_contains "$out" "aivetd &"
}

test_sigkill_under_load_loses_no_acknowledged_evaluation() {
	local state="$TMP/kill" acked="$TMP/acked" pid loader
	mkdir -p "$state"
	: >"$acked"
	for round in 1 2 3; do
		AIVET_STATE_DIR="$state" "$AIVETD" --workers 2 2>>"$TMP/kill.log" &
		pid=$!
		for _ in $(seq 1 $((100 * SLOW))); do
			AIVET_STATE_DIR="$state" "$AIVET" health >/dev/null 2>&1 && break
			sleep 0.05
		done
		(
			for i in $(seq 1 100000); do
				n="kill-$round-$i"
				printf 'apiVersion: aivet/v1\nkind: model\nname: %s\nversion: "1"\n' "$n" >"$TMP/k-$round.yaml"
				rc=0
				AIVET_STATE_DIR="$state" "$AIVET" --fail-on none check "$TMP/k-$round.yaml" >/dev/null 2>&1 || rc=$?
				[ $rc -eq 0 ] && echo "$n" >>"$acked"
				[ $rc -eq 69 ] && break
			done
		) &
		loader=$!
		sleep "$((SLOW - 1)).$((RANDOM % 7 + 3))"
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null || true
		wait "$loader" 2>/dev/null || true
	done
	[ -s "$acked" ] || fail "no evaluation was acknowledged"
	AIVET_STATE_DIR="$state" "$AIVETD" --workers 2 2>>"$TMP/kill.log" &
	pid=$!
	for _ in $(seq 1 $((100 * SLOW))); do
		AIVET_STATE_DIR="$state" "$AIVET" health >/dev/null 2>&1 && break
		sleep 0.05
	done
	missing=0
	while read -r n; do
		AIVET_STATE_DIR="$state" "$AIVET" --fail-on none verdict "$n@1" >/dev/null 2>&1 || {
			echo "missing $n"
			missing=$((missing + 1))
		}
	done <"$acked"
	kill -TERM "$pid"
	wait "$pid"
	[ "$missing" -eq 0 ] || fail "$missing acknowledged evaluations lost"
	ic=$(sqlite3 "$state/aivet.db" 'PRAGMA integrity_check')
	[ "$ic" = ok ] || fail "integrity_check: $ic"
	echo "$(wc -l <"$acked") acknowledged evaluations all present"
}

# health reads the store's figures, not every page: a page that no count or
# lookup reads can be broken and health still answers ok, with the figures.
test_health_reports_the_store_without_scanning_it() {
	local page size out
	export AIVET_STATE_DIR="$TMP/noscan" # its own daemon and database
	trap 'stop_daemon KILL' EXIT
	start_daemon
	"$AIVET" --fail-on none check "$MANIFEST" >/dev/null
	stop_daemon
	read -r page size < <(sqlite3 -separator ' ' "$AIVET_STATE_DIR/aivet.db" \
		"SELECT rootpage, (SELECT page_size FROM pragma_page_size) FROM sqlite_schema WHERE name = 'audit'")
	printf 'U' | dd of="$AIVET_STATE_DIR/aivet.db" bs=1 seek=$(((page - 1) * size)) conv=notrunc status=none
	[ "$(sqlite3 "$AIVET_STATE_DIR/aivet.db" 'PRAGMA quick_check' 2>&1)" != ok ] || fail "the page is not broken"
	start_daemon
	out=$("$AIVET" -f json health | tr -d '\n\t ')
	stop_daemon
	expect_contains "$out" '"status":"ok"'
	expect_contains "$out" '"evaluations":1'
	expect_contains "$out" '"backend":"sqlite"'
	expect_contains "$out" '"committer":{"batches":'
}

test_sigterm_exits_zero() {
	local state="$TMP/term" pid rc=0
	AIVET_STATE_DIR="$state" "$AIVETD" 2>>"$TMP/term.log" &
	pid=$!
	for _ in $(seq 1 100); do
		AIVET_STATE_DIR="$state" "$AIVET" health >/dev/null 2>&1 && break
		sleep 0.05
	done
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	expect_rc 0 "$rc"
}

test_config_unknown_key_is_named_with_line_and_column() {
	printf 'workers: 2\nsockett: ipc:///tmp/x\n' >"$TMP/bad.conf"
	rc=0
	out=$("$AIVETD" -n -c "$TMP/bad.conf" 2>&1) || rc=$?
	expect_rc 78 "$rc"
	expect_contains "$out" "bad.conf:2:1: unknown key 'sockett'"
}

test_state_dir_is_private_and_socket_0660() {
	[ "$(stat -c %a "$AIVET_STATE_DIR")" = 700 ] || fail "state dir mode $(stat -c %a "$AIVET_STATE_DIR")"
	[ "$(stat -c %a "$AIVET_STATE_DIR/aivetd.sock")" = 660 ] || fail "socket mode $(stat -c %a "$AIVET_STATE_DIR/aivetd.sock")"
}

start_daemon || exit 1
run_tests
rc=$?
stop_daemon TERM || { echo "aivetd did not exit 0 on SIGTERM"; rc=1; }
exit $rc
