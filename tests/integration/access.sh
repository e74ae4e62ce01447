#!/bin/bash
# access.sh - who may reach aivetd and what a request may make it do: the
# modes of the state folder and sockets, write authorisation by the peer's
# uid and group, the HTTP token where http.sh leaves off, manifest
# references that point outside their folder, and oversized or malformed
# HTTP sent raw.
#
#   bash tests/integration/access.sh BUILDDIR SRCDIR
#
# As root the CLI is also run as the user nobody (setpriv), to be refused
# and, once configured as a writer by name or by group, let through;
# elsewhere those cases are skipped with a message.  The raw HTTP tests need
# socat.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

PORT=$((20000 + ($$ + 7919) % 20000))
URL="http://127.0.0.1:$PORT"
TOKEN="access-t0ken-$$"

mode() { stat -c %a "$1"; }

# start_at STATE CONFIG: a second aivetd on its own state folder; sets PID.
start_at() {
	AIVET_STATE_DIR="$1" "$AIVETD" --workers 1 -c "$2" 2>>"$TMP/other.log" &
	PID=$!
	for _ in $(seq 1 100); do
		AIVET_STATE_DIR="$1" "$AIVET" --timeout 2000 health >/dev/null 2>&1 && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "aivetd on $1 did not start: $(tail -3 "$TMP/other.log")"
}

stop_at() {
	kill -TERM "$PID"
	wait "$PID"
}

manifest() { # NAME
	printf 'apiVersion: aivet/v1\nkind: model\nname: %s\nversion: "1"\n' "$1"
}

# as_nobody CMD...: runs CMD as the user nobody, or returns 2 when that is not possible.
as_nobody() {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 || return 2
	setpriv --reuid=nobody --regid="$(id -g nobody)" --init-groups "$@"
}
can_switch() {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1
}

# ---- modes -----------------------------------------------------------------

test_state_folder_is_0700_and_sockets_0660() {
	[ "$(mode "$AIVET_STATE_DIR")" = 700 ] || fail "state folder mode $(mode "$AIVET_STATE_DIR")"
	[ "$(mode "$AIVET_STATE_DIR/aivetd.sock")" = 660 ] ||
		fail "socket mode $(mode "$AIVET_STATE_DIR/aivetd.sock")"
	[ "$(mode "$AIVET_STATE_DIR/aivetd-events.sock")" = 660 ] ||
		fail "event socket mode $(mode "$AIVET_STATE_DIR/aivetd-events.sock")"
	[ "$(mode "$AIVET_STATE_DIR/aivet.db")" != 666 ] || fail "the database is world-writable"
}

test_configured_socket_mode_and_an_existing_folder_are_respected() {
	local state="$TMP/modes"
	mkdir -m 0750 "$state"
	printf 'socket_mode: "0600"\n' >"$TMP/modes.yaml"
	start_at "$state" "$TMP/modes.yaml"
	m_sock=$(mode "$state/aivetd.sock")
	m_ev=$(mode "$state/aivetd-events.sock")
	m_dir=$(mode "$state")
	stop_at
	[ "$m_sock" = 600 ] || fail "socket mode $m_sock, configured 0600"
	[ "$m_ev" = 600 ] || fail "event socket mode $m_ev, configured 0600"
	# A folder the administrator made is left as it is (e.g. shared with a group).
	[ "$m_dir" = 750 ] || fail "existing state folder changed to $m_dir"
	printf 'socket_mode: "0999"\n' >"$TMP/bad-mode.yaml"
	rc=0
	out=$("$AIVETD" -n -c "$TMP/bad-mode.yaml" 2>&1) || rc=$?
	expect_rc 78 "$rc"
	expect_contains "$out" "bad-mode.yaml:1:"
	expect_contains "$out" "not an octal mode"
}

# ---- write authorisation by peer uid and group -----------------------------

test_writes_refused_to_a_user_not_among_the_writers() {
	local state="$TMP/w1"
	mkdir -p "$state"
	manifest auth-a >"$TMP/auth-a.yaml"
	printf 'writers:\n  users: [someone-else]\n' >"$TMP/w1.yaml"
	start_at "$state" "$TMP/w1.yaml"
	AIVET_STATE_DIR="$state" "$AIVET" --fail-on none check "$TMP/auth-a.yaml" >/dev/null
	rc=0
	out=$(AIVET_STATE_DIR="$state" "$AIVET" review record auth-a@1 --decision approve 2>&1) || rc=$?
	rc2=0
	out2=$(AIVET_STATE_DIR="$state" "$AIVET" review schedule auth-a@1 --every 30d 2>&1) || rc2=$?
	rc3=0
	out3=$(AIVET_STATE_DIR="$state" "$AIVET" reload 2>&1) || rc3=$?
	stop_at
	[ "$rc" -ne 0 ] || fail "a review by $(id -un) was recorded: $out"
	expect_contains "$out" "may not"
	[ "$rc2" -ne 0 ] || fail "a schedule by $(id -un) was set: $out2"
	[ "$rc3" -ne 0 ] || fail "a reload by $(id -un) went through: $out3"
	n=$(sqlite3 "$state/aivet.db" "SELECT count(*) FROM reviews")
	[ "$n" = 0 ] || fail "$n reviews stored"
	# Each refusal is in the audit log, naming who tried.
	denied=$(sqlite3 "$state/aivet.db" "SELECT group_concat(actor || ' ' || action, ', ')
		FROM audit WHERE outcome = 'denied'")
	expect_contains "$denied" "$(id -un) review"
	expect_contains "$denied" "$(id -un) schedule"
	expect_contains "$denied" "$(id -un) reload"
}

# By default the daemon's own user and root may write; nobody may not, even
# with the socket open to everyone.  Named as a writer, or through its group,
# it may.
test_writes_by_another_uid_follow_the_writers_config() {
	can_switch || {
		echo "SKIP: needs root and setpriv to act as another user"
		return 0
	}
	local state="$TMP/w2" ng
	ng=$(id -gn nobody)
	chmod 0711 "$TMP"
	mkdir -m 0711 "$state"
	manifest auth-b >"$TMP/auth-b.yaml"
	for cfg in default user group; do
		case $cfg in
		default) printf 'socket_mode: "0666"\n' ;;
		user) printf 'socket_mode: "0666"\nwriters:\n  users: [nobody]\n' ;;
		group) printf 'socket_mode: "0666"\nwriters:\n  groups: [%s]\n' "$ng" ;;
		esac >"$TMP/w2-$cfg.yaml"
		start_at "$state" "$TMP/w2-$cfg.yaml"
		AIVET_STATE_DIR="$state" "$AIVET" --fail-on none check "$TMP/auth-b.yaml" >/dev/null
		rc=0
		out=$(AIVET_STATE_DIR="$state" as_nobody "$AIVET" review record auth-b@1 \
			--decision approve --note "$cfg" 2>&1) || rc=$?
		# Reads are open to anyone who can reach the socket.
		rd=$(AIVET_STATE_DIR="$state" as_nobody "$AIVET" --fail-on none verdict auth-b@1 2>&1 |
			sed -n 2p)
		stop_at
		expect_contains "$rd" "auth-b"
		case $cfg in
		default)
			[ "$rc" -ne 0 ] || fail "nobody recorded a review by default: $out"
			expect_contains "$out" "nobody may not"
			;;
		*)
			expect_rc 0 "$rc" || fail "($cfg) $out"
			expect_contains "$out" "by nobody"
			;;
		esac
	done
	n=$(sqlite3 "$state/aivet.db" "SELECT group_concat(note) FROM reviews")
	[ "$n" = "user,group" ] || fail "reviews stored: $n"
}

test_a_user_without_access_to_the_socket_is_turned_away() {
	can_switch || {
		echo "SKIP: needs root and setpriv to act as another user"
		return 0
	}
	rc=0
	out=$(as_nobody "$AIVET" --timeout 1000 health 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "nobody reached a 0700 state folder: $out"
	expect_contains "$out" "cannot reach aivetd"
}

# ---- the HTTP token (http.sh has missing, wrong and right) -----------------

code() { # METHOD PATH [CURL ARGS...]
	local m=$1 p=$2
	shift 2
	curl -s -o "$TMP/body" -w '%{http_code}' -X "$m" "$@" "$URL$p"
}

test_token_prefixes_and_extensions_are_refused() {
	expect_rc 401 "$(code POST /v1/reload -H "Authorization: Bearer ${TOKEN%?}")"
	expect_rc 401 "$(code POST /v1/reload -H "Authorization: Bearer ${TOKEN}x")"
	expect_rc 401 "$(code POST /v1/reload -H "Authorization: Bearer ")"
	expect_rc 401 "$(code POST /v1/reload -H "Authorization: bearer $TOKEN")"
	expect_rc 401 "$(code POST /v1/reload -H "Authorization: Bearer  $TOKEN")"
	expect_rc 200 "$(code POST /v1/reload -H "Authorization: Bearer $TOKEN")"
}

test_token_is_compared_in_constant_time() {
	# Not measurable reliably here: the code is checked instead.  The
	# comparison goes over fixed-size digests, so neither where the first
	# difference is nor the length of the guess changes its time.
	body=$(cat "$SRC"/ipc/http*.c | sed -n '/^same(/,/^}/p')
	expect_contains "$body" "av_sha256"
	case "$body" in *strcmp* | *memcmp* | *return\ false* | *break*) fail "early exit in same(): $body" ;; esac
}

test_without_a_token_http_writes_are_403() {
	local state="$TMP/notoken" port=$((PORT + 1))
	mkdir -p "$state"
	printf 'http:\n  enabled: true\n  listen: http://127.0.0.1:%s\n' "$port" >"$TMP/notoken.yaml"
	start_at "$state" "$TMP/notoken.yaml"
	c=$(curl -s -o "$TMP/nt" -w '%{http_code}' -X POST "http://127.0.0.1:$port/v1/reload" \
		-H "Authorization: Bearer anything")
	r=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/health")
	stop_at
	expect_rc 403 "$c"
	expect_contains "$(cat "$TMP/nt")" "configure http.token"
	expect_rc 200 "$r"
}

# ---- manifest references outside their folder -------------------------------

setup_refs() {
	mkdir -p "$TMP/refs/in" "$TMP/refs/out"
	printf -- '---\nlicense: mit\n---\n# secret card\n' >"$TMP/refs/out/card.md"
	printf 'x' >"$TMP/refs/out/w.bin"
	cp "$SRC/tests/fixtures/boms/model.cdx.json" "$TMP/refs/out/bom.json"
	ln -sf ../out/card.md "$TMP/refs/in/card-link.md"
	ln -sf "$TMP/refs/out" "$TMP/refs/in/dir-link"
}

ref_manifest() { # FILE KIND REF
	{
		manifest "ref-$2"
		case $2 in
		card) printf 'model_card:\n  path: "%s"\n' "$3" ;;
		bom) printf 'bom:\n  path: "%s"\n' "$3" ;;
		artifact) printf 'artifacts:\n  - path: "%s"\n    format: gguf\n' "$3" ;;
		esac
	} >"$1"
}

test_references_outside_the_manifest_folder_are_refused() {
	setup_refs
	local m="$TMP/refs/in/m.yaml" kind ref n=0
	for kind in card bom artifact; do
		case $kind in
		card) f=card.md ;; bom) f=bom.json ;; artifact) f=w.bin ;;
		esac
		for ref in "../out/$f" "$TMP/refs/out/$f" "dir-link/$f" "./../in/../out/$f"; do
			ref_manifest "$m" "$kind" "$ref"
			for mode in --local daemon; do
				rc=0
				if [ $mode = --local ]; then
					out=$("$AIVET" --local --fail-on none check "$m" 2>&1) || rc=$?
				else
					out=$("$AIVET" --fail-on none check "$m" 2>&1) || rc=$?
				fi
				[ "$rc" -ne 0 ] || fail "$kind $ref ($mode) accepted: $out"
				expect_contains "$out" "outside the manifest's folder"
				n=$((n + 1))
			done
		done
		# Allowed when asked for.
		ref_manifest "$m" "$kind" "../out/$f"
		rc=0
		out=$("$AIVET" --local --allow-outside --fail-on none check "$m" 2>&1) || rc=$?
		expect_rc 0 "$rc" || fail "$kind with --allow-outside: $out"
	done
	# A symlink to a file outside.
	ref_manifest "$m" card card-link.md
	rc=0
	out=$("$AIVET" --fail-on none check "$m" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "a symlink out of the folder was followed: $out"
	expect_contains "$out" "outside the manifest's folder"
	echo "$((n + 1)) references outside the folder refused"
}

# The daemon reads no file a request names: a path in a manifest sent over
# IPC or HTTP is a label, never opened.
test_the_daemon_opens_no_path_a_request_names() {
	local j
	j='{"apiVersion":"aivet/v1","kind":"model","name":"ref-daemon","version":"1","model_card":{"path":"/etc/passwd"},"bom":{"path":"/etc/shadow"},"artifacts":[{"path":"../../../../etc/passwd","format":"gguf"}]}'
	out=$(req "{\"v\":1,\"op\":\"evaluate\",\"manifest\":$j}")
	expect_contains "$out" '"ok":true'
	case "$out" in *root:x:0* | *root:\$*) fail "the daemon read a file: $out" ;; esac
	c=$(code POST /v1/evaluate --data-binary "$j")
	expect_rc 200 "$c"
	case "$(cat "$TMP/body")" in *root:x:0*) fail "the gateway read a file" ;; esac
}

# ---- oversized and malformed HTTP, sent raw ---------------------------------

need_socat() {
	command -v socat >/dev/null || { echo "SKIP: socat not installed"; return 1; }
}

# raw FILE: sends the bytes of FILE on one connection; prints the status code
# of the answer ("none" when the connection was closed without one).
raw() {
	local s
	s=$(socat -t 3 -T 5 - "TCP:127.0.0.1:$PORT" <"$1" 2>/dev/null | head -1 | tr -d '\r')
	case "$s" in
	HTTP/1.?\ [0-9][0-9][0-9]*) echo "$s" | cut -d' ' -f2 ;;
	*) echo none ;;
	esac
}

still_serving() {
	[ "$(code GET /v1/health)" = 200 ] || fail "the gateway stopped answering after $1"
	"$AIVET" --timeout 2000 health >/dev/null || fail "the daemon stopped answering after $1"
}

# expect_4xx WHAT STATUS...: the raw answer is one of the statuses, or (for
# garbage nng's parser drops) the connection closes with none; then the
# gateway still answers.
expect_status() { # WHAT GOT WANT...
	local what=$1 got=$2 w
	shift 2
	for w in "$@"; do [ "$got" = "$w" ] && { still_serving "$what"; return 0; }; done
	fail "$what: status $got, expected $*"
}

test_raw_malformed_requests_get_4xx_and_the_daemon_carries_on() {
	need_socat || return 0
	local f="$TMP/raw"
	printf 'GARBAGE\r\n\r\n' >"$f"
	expect_status "a bad request line" "$(raw "$f")" 400 none
	printf 'GET /v1/health HTTP/9.9\r\nHost: x\r\n\r\n' >"$f"
	expect_status "an unknown HTTP version" "$(raw "$f")" 400 505 none
	printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}' >"$f"
	expect_status "a non-numeric Content-Length" "$(raw "$f")" 400 none
	printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}' >"$f"
	expect_status "a negative Content-Length" "$(raw "$f")" 400 none
	printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\n{}' >"$f"
	expect_status "a signed Content-Length" "$(raw "$f")" 400 none
	printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n' >"$f"
	expect_status "an overflowing Content-Length" "$(raw "$f")" 400 none
	printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\ngarbage\r\n0\r\n\r\n' >"$f"
	expect_status "chunked garbage" "$(raw "$f")" 400 411 501 none
	printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\nnot json {{{' >"$f"
	expect_status "a body that is not a manifest" "$(raw "$f")" 400
	printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"a":[1,' >"$f"
	expect_status "truncated JSON" "$(raw "$f")" 400
	printf 'BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n' >"$f"
	expect_status "an unknown method" "$(raw "$f")" 405 400 501
	printf 'GET /v1/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n' >"$f"
	expect_status "a path with .." "$(raw "$f")" 404 400
	printf 'GET /v1/verdicts/%%00 HTTP/1.1\r\nHost: x\r\n\r\n' >"$f"
	expect_status "a NUL in the path" "$(raw "$f")" 400 404
}

test_raw_oversized_requests_get_4xx_and_the_daemon_carries_on() {
	need_socat || return 0
	local f="$TMP/raw"
	# A body over max_body (64 KiB here), announced honestly.
	{
		printf 'POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n'
		head -c 200000 /dev/zero | tr '\0' 'a'
	} >"$f"
	expect_status "a 200 kB body" "$(raw "$f")" 413
	# A very long URI.
	{
		printf 'GET /v1/verdicts/'
		head -c 100000 /dev/zero | tr '\0' 'a'
		printf ' HTTP/1.1\r\nHost: x\r\n\r\n'
	} >"$f"
	expect_status "a 100 kB URI" "$(raw "$f")" 414 431 400 404 none
	# A huge header, and very many headers.
	{
		printf 'GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: '
		head -c 200000 /dev/zero | tr '\0' 'b'
		printf '\r\n\r\n'
	} >"$f"
	expect_status "a 200 kB header" "$(raw "$f")" 431 400 none
	{
		printf 'GET /v1/health HTTP/1.1\r\nHost: x\r\n'
		for i in $(seq 1 5000); do printf 'X-H%d: v\r\n' "$i"; done
		printf '\r\n'
	} >"$f"
	expect_status "5000 headers" "$(raw "$f")" 431 400 none
	# Memory stays bounded after all that.
	rss=$(awk '/^VmRSS/ {print $2}' "/proc/$DAEMON_PID/status")
	echo "VmRSS after the oversized requests: $rss kB"
}

cat >"$TMP/aivetd.yaml" <<YAML
http:
  enabled: true
  listen: $URL
  token: $TOKEN
  max_body: 65536
YAML
start_daemon -c "$TMP/aivetd.yaml" || exit 1
for _ in $(seq 1 50); do
	curl -s -o /dev/null "$URL/v1/health" && break
	sleep 0.1
done
run_tests
rc=$?
stop_daemon TERM || { echo "aivetd did not exit 0 on SIGTERM"; rc=1; }
exit $rc
