#!/bin/bash
# The examples in the documentation really work: every nngcat and nanocat
# command in docs/protocol.md is run against a real daemon (its socket in
# place of the per-user default) and must get an "ok": true reply.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

# Prints each nngcat/nanocat command of a Markdown file on one line.
commands() {
	awk '
		/^```/ { inblock = !inblock; next }
		inblock && cont { line = line " " $0; sub(/\\$/, "", line); cont = ($0 ~ /\\$/); if (!cont) { print line; line = "" }; next }
		inblock && /^(nngcat|nanocat) / { line = $0; sub(/\\$/, "", line); cont = ($0 ~ /\\$/); if (!cont) { print line; line = "" } }
	' "$1"
}

test_protocol_examples_work() {
	n=0
	while read -r cmd; do
		cmd=${cmd//ipc:\/\/\$HOME\/.local\/state\/aivet\/aivetd.sock/$SOCK}
		out=$(eval "$cmd --recv-timeout 10" 2>&1) || fail "failed: $cmd: $out"
		expect_contains "$out" '"ok":true' || fail "in: $cmd"
		n=$((n + 1))
	done < <(commands "$SRC/docs/protocol.md")
	[ "$n" -ge 4 ] || fail "only $n examples found in docs/protocol.md"
	echo "$n examples ran"
}

test_operations_config_example_is_valid() {
	awk '/^```yaml/{f=1;next} /^```/{if(f){exit}} f' "$SRC/docs/operations.md" >"$TMP/ops.yaml"
	[ -s "$TMP/ops.yaml" ] || fail "no YAML example in docs/operations.md"
	mkdir -p "$TMP/opsstate" "$TMP/opspol"
	sed -i "s|/var/lib/aivet|$TMP/opsstate|; s|ipc:///run/aivet/|ipc://$TMP/opsstate/|; s|/etc/aivet/plugins|$TMP|; s|/etc/aivet/policies|$TMP/opspol|" "$TMP/ops.yaml"
	out=$("$AIVETD" -n -c "$TMP/ops.yaml" 2>&1) || fail "aivetd -n refused the example: $out"
	expect_contains "$out" "configuration ok"
}

start_daemon || exit 1
run_tests
rc=$?
stop_daemon TERM || rc=1
exit $rc
