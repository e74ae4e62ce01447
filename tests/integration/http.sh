#!/bin/bash
# The HTTP gateway end to end with curl: every endpoint, status codes for
# bad input, oversize bodies, unknown paths and wrong methods, and the
# token that writes need.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

PORT=$((20000 + $$ % 20000))
URL="http://127.0.0.1:$PORT"
TOKEN="t0ken-$$"
cat >"$TMP/aivetd.yaml" <<YAML
http:
  enabled: true
  listen: $URL
  token: $TOKEN
  max_body: 65536
YAML
MANIFEST="$SRC/examples/manifests/phi-2.yaml"

# code METHOD PATH [CURL ARGS...]: prints the status code; the body goes to $TMP/body.
code() {
	local m=$1 p=$2
	shift 2
	curl -s -o "$TMP/body" -w '%{http_code}' -X "$m" "$@" "$URL$p"
}

body() { cat "$TMP/body"; }

setup_once() {
	start_daemon -c "$TMP/aivetd.yaml" || exit 1
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "$URL/v1/health" && return 0
		sleep 0.1
	done
	echo "the gateway did not answer" >&2
	exit 1
}

test_health_is_the_ipc_reply() {
	[ "$(code GET /v1/health)" = 200 ] || fail "status $(code GET /v1/health)"
	expect_contains "$(body)" '"ok":true'
	expect_contains "$(body)" '"status":"ok"'
	expect_contains "$(body)" '"protocol":1'
}

test_evaluate_yaml_body_stores_a_verdict() {
	c=$(code POST /v1/evaluate --data-binary @"$MANIFEST" -H 'Content-Type: application/yaml')
	expect_rc 200 "$c"
	expect_contains "$(body)" '"name":"microsoft/phi-2"'
	expect_contains "$(body)" '"decision":'
	c=$(code GET '/v1/verdicts/microsoft/phi-2?version=2.0')
	expect_rc 200 "$c"
	expect_contains "$(body)" '"version":"2.0"'
}

test_evaluate_json_body_and_profile() {
	json='{"apiVersion":"aivet/v1","kind":"model","name":"http-json","version":"1","licenses":{"code":"MIT","weights":"MIT"}}'
	c=$(code POST '/v1/evaluate?profile=research' --data-binary "$json" -H 'Content-Type: application/json')
	expect_rc 200 "$c"
	expect_contains "$(body)" '"profile":"research"'
	c=$(code POST '/v1/evaluate?profile=no-such-profile' --data-binary "$json")
	expect_rc 400 "$c"
	expect_contains "$(body)" "unknown profile"
}

test_verdict_name_with_escapes_and_unknown_component() {
	code POST /v1/evaluate --data-binary @"$MANIFEST" >/dev/null
	expect_rc 200 "$(code GET /v1/verdicts/microsoft%2Fphi-2)"
	expect_rc 404 "$(code GET /v1/verdicts/no-such-component)"
	expect_contains "$(body)" '"code":"not_found"'
	expect_rc 404 "$(code GET '/v1/verdicts/microsoft/phi-2?version=9.9')"
	expect_rc 400 "$(code GET '/v1/verdicts/x?version=%zz')"
}

test_components_lists_what_was_evaluated() {
	code POST /v1/evaluate --data-binary @"$MANIFEST" >/dev/null
	expect_rc 200 "$(code GET /v1/components)"
	expect_contains "$(body)" '"components":['
	expect_contains "$(body)" 'microsoft/phi-2'
}

test_bad_bodies_are_400() {
	expect_rc 400 "$(code POST /v1/evaluate --data-binary 'a: [')"
	expect_contains "$(body)" '<http>:'
	expect_rc 400 "$(code POST /v1/evaluate --data-binary 'apiVersion: aivet/v1')"
	expect_rc 400 "$(code POST /v1/evaluate)"
	printf 'name: \xff\xfe\n' >"$TMP/bin"
	expect_rc 400 "$(code POST /v1/evaluate --data-binary @"$TMP/bin")"
	expect_rc 400 "$(code GET '/v1/health?unknown=1')"
}

test_oversize_body_is_413() {
	head -c 100000 /dev/zero | tr '\0' 'x' >"$TMP/big"
	expect_rc 413 "$(code POST /v1/evaluate --data-binary @"$TMP/big")"
	expect_contains "$(body)" '"code":"too_large"'
	# The connection's next request still works.
	expect_rc 200 "$(code GET /v1/health)"
}

test_reviews_as_json_and_calendar() {
	expect_rc 200 "$(code POST /v1/evaluate --data-binary @"$MANIFEST")"
	expect_rc 200 "$(code GET '/v1/reviews?due_within=3650d')"
	expect_contains "$(body)" '"reviews":['
	expect_contains "$(body)" 'microsoft/phi-2'
	expect_rc 200 "$(code GET '/v1/reviews?due_within=3650d&format=ics')"
	expect_contains "$(body)" "BEGIN:VCALENDAR"
	expect_contains "$(body)" "BEGIN:VEVENT"
	expect_contains "$(body)" "UID:microsoft/phi-2@"
	expect_contains "$(body)" "END:VCALENDAR"
	expect_rc 400 "$(code GET '/v1/reviews?format=pdf')"
	expect_rc 400 "$(code GET '/v1/reviews?due_within=soon')"
	expect_rc 400 "$(code GET '/v1/reviews?colour=red')"
}

test_tls_gateway_serves_https() {
	command -v openssl >/dev/null || fail "openssl is not installed"
	local state="$TMP/tls" port=$((PORT + 1)) pid
	mkdir -p "$state"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$state/key.pem" -out "$state/cert.pem" \
		-days 2 -subj "/CN=127.0.0.1" >/dev/null 2>&1
	printf 'http:\n  enabled: true\n  listen: https://127.0.0.1:%s\n  tls: {cert: %s, key: %s}\n' \
		"$port" "$state/cert.pem" "$state/key.pem" >"$state/c.yaml"
	AIVET_STATE_DIR="$state" "$AIVETD" -c "$state/c.yaml" 2>>"$TMP/tls.log" &
	pid=$!
	for _ in $(seq 1 100); do
		curl -s --cacert "$state/cert.pem" -o /dev/null "https://127.0.0.1:$port/v1/health" && break
		sleep 0.1
	done
	out=$(curl -s --cacert "$state/cert.pem" "https://127.0.0.1:$port/v1/health")
	plain=$(curl -s -m 2 "http://127.0.0.1:$port/v1/health" || true)
	kill -TERM "$pid"
	wait "$pid" || true
	expect_contains "$out" '"status":"ok"'
	case "$plain" in *'"ok":true'*) fail "plain HTTP was answered on the TLS port" ;; esac
}

test_unknown_paths_are_404() {
	expect_rc 404 "$(code GET /)"
	expect_rc 404 "$(code GET /v1/nothing)"
	expect_rc 404 "$(code GET /v1/healthz)"
	expect_contains "$(body)" '"ok":false'
}

test_wrong_methods_are_405() {
	expect_rc 405 "$(code POST /v1/health)"
	expect_rc 405 "$(code DELETE /v1/components)"
	expect_rc 405 "$(code GET /v1/evaluate)"
	expect_rc 405 "$(code PUT /metrics)"
	expect_rc 405 "$(code GET /v1/reload)"
}

test_writes_need_the_token() {
	expect_rc 401 "$(code POST /v1/reload)"
	expect_rc 401 "$(code POST /v1/reload -H 'Authorization: Bearer wrong')"
	expect_rc 401 "$(code POST /v1/reload -H "Authorization: Basic $TOKEN")"
	expect_rc 200 "$(code POST /v1/reload -H "Authorization: Bearer $TOKEN")"
	expect_contains "$(body)" '"policy_digest"'
}

test_metrics_are_prometheus_text() {
	code POST /v1/evaluate --data-binary @"$MANIFEST" >/dev/null
	code GET /v1/verdicts/nope >/dev/null
	expect_rc 200 "$(code GET /metrics)"
	m=$(body)
	expect_contains "$m" '# TYPE aivet_request_duration_seconds histogram'
	expect_contains "$m" 'aivet_request_duration_seconds_bucket{op="evaluate",le="+Inf"}'
	expect_contains "$m" 'aivet_verdicts_total{decision="needs_review"}'
	expect_contains "$m" 'aivet_reviews_overdue'
	expect_contains "$m" 'aivet_plugin_errors_total'
	expect_contains "$m" 'aivet_alerts_raised_total'
	# Every sample line is "name{labels} value" or "name value".
	bad=$(printf '%s\n' "$m" | grep -v '^#' | grep -Ev '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$' || true)
	[ -z "$bad" ] || fail "malformed metric lines: $bad"
	n=$(printf '%s\n' "$m" | awk '/^aivet_requests_total\{op="verdict"\}/ {print $2}')
	[ "${n:-0}" -ge 1 ] || fail "verdict requests not counted: $n"
}

test_metrics_count_the_alerts_raised() {
	# A review date already past: the scheduler's next pass raises review.due;
	# a reload makes that pass run now.
	printf 'apiVersion: aivet/v1\nkind: model\nname: alerted\nversion: "1"\ndecisions:\n  review_by: "2020-01-01"\n' >"$TMP/due.yaml"
	expect_rc 200 "$(code POST /v1/evaluate --data-binary @"$TMP/due.yaml")"
	expect_rc 200 "$(code POST /v1/reload -H "Authorization: Bearer $TOKEN")"
	for _ in $(seq 1 $((50 * SLOW))); do
		code GET /metrics >/dev/null
		n=$(body | awk '/^aivet_alerts_raised_total / {print $2}')
		[ "${n:-0}" -ge 1 ] && return 0
		sleep 0.1
	done
	fail "aivet_alerts_raised_total is ${n:-absent} after review.due was raised: $(req '{"v":1,"op":"alerts","since":0}' | head -c 300)"
}

test_gateway_off_by_default() {
	# A second daemon without the http section must not listen.
	mkdir -p "$TMP/s2"
	AIVET_STATE_DIR="$TMP/s2" "$AIVETD" --workers 1 2>"$TMP/d2.log" &
	pid=$!
	sleep 0.5
	rc=0
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:7450/v1/health" || rc=$?
	kill "$pid"
	wait "$pid" || true
	# 7 (refused) unless something else owns the default port.
	[ "$rc" -ne 0 ] || ss -ltn 2>/dev/null | grep -q ':7450 ' || fail "port 7450 answered"
}

test_bad_http_config_is_reported_with_position() {
	printf 'http:\n  enabled: yes\n  listen: ftp://x\n  colour: red\n' >"$TMP/bad.yaml"
	rc=0
	out=$("$AIVETD" -n -c "$TMP/bad.yaml" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "aivetd -n accepted a bad http section"
	expect_contains "$out" "bad.yaml:2:"
	expect_contains "$out" "bad.yaml:3:"
	expect_contains "$out" "http.colour"
}

test_example_curl_session_runs() {
	out=$(AIVET_HTTP="$URL" AIVET_HTTP_TOKEN="$TOKEN" sh "$SRC/examples/scripts/curl-session.sh" "$MANIFEST")
	expect_contains "$out" "== the stored verdict of microsoft/phi-2"
	expect_contains "$out" '"policy_digest"'
	expect_contains "$out" 'aivet_verdicts_total{decision="needs_review"}'
}

setup_once
run_tests
