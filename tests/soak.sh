#!/bin/bash
# soak.sh - a long run of aivetd under mixed load with its resident memory
# sampled, to show that memory stops growing once the daemon is warm.
#
#   bash tests/soak.sh BUILDDIR [SECONDS [OUTDIR]]
#
# Builds nothing: BUILDDIR is a built tree (a release build for figures
# worth quoting).  aivetd runs on a fresh temporary state directory; for
# SECONDS (default 600) aivet-bench drives it with 4 clients of uncached and
# cached evaluations, verdict lookups and record_review writes, while the
# aivet CLI evaluates an example manifest, waives one of its findings and the
# waiver is revoked again, in a loop.  Every 5 s VmRSS (from
# /proc/PID/status) and the daemon's own request and error counters (the
# stats op) go to OUTDIR/soak.csv (default: a temporary folder, kept).
#
# Fails (exit 1) when any request failed, when the daemon's RSS after the
# warm-up (SOAK_WARMUP seconds, default 60) rises more than SOAK_MAX_GROWTH_KB
# (default 4096) above its value at the end of the warm-up, when aivetd does
# not stop cleanly on SIGTERM, or when PRAGMA integrity_check is not ok.
# Run it niced on a shared machine: nice -n 19 bash tests/soak.sh build-rel.
set -u
BUILD=$(cd "${1:?usage: soak.sh BUILDDIR [SECONDS [OUTDIR]]}" && pwd)
DURATION=${2:-600}
OUT=${3:-$(mktemp -d "${TMPDIR:-/tmp}/aivet-soak.XXXXXX")}
SRC=$(cd "$(dirname "$0")/.." && pwd)
WARMUP=${SOAK_WARMUP:-60}
MAX_GROWTH_KB=${SOAK_MAX_GROWTH_KB:-4096}
MIX=${SOAK_MIX:-evaluate=2,cached=3,verdict=4,review=1}
INTERVAL=5

mkdir -p "$OUT"
STATE=$(mktemp -d "${TMPDIR:-/tmp}/aivet-soak-state.XXXXXX")
export AIVET_STATE_DIR="$STATE" AIVET_DATA_DIR="$SRC"
unset AIVET_SOCKET AIVET_NOW
SOCK="ipc://$STATE/aivetd.sock"
AIVET="$BUILD/ipc/aivet"
CSV="$OUT/soak.csv"
PID= BENCH= SIDE=
cleanup() {
	for p in $SIDE $BENCH $PID; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$STATE"
}
trap cleanup EXIT

"$BUILD/ipc/aivetd" --log-level warn 2>"$OUT/aivetd.log" &
PID=$!
for _ in $(seq 1 100); do
	"$AIVET" --timeout 2000 health >/dev/null 2>&1 && break
	sleep 0.1
done
"$AIVET" --timeout 2000 health >/dev/null 2>&1 || { echo "soak: aivetd did not start" >&2; exit 1; }

# stats: prints "requests errors" from the daemon's counters.
stats() {
	nngcat --req0 --connect "$SOCK" --recv-timeout 10 --ascii --data '{"v":1,"op":"stats"}' 2>/dev/null |
		jq -r '"\(.requests) \(.errors)"' 2>/dev/null || echo "? ?"
}
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status" 2>/dev/null; }

# The CLI side: one example manifest checked (cached after the first time),
# a finding of it waived and the waiver revoked.  Failures go to side.err.
M="$SRC/examples/manifests/support-bot.yaml"
side() {
	local n=0 comp finding id out
	out=$("$AIVET" -f json --fail-on none check "$M") || { echo "check: $out" >>"$OUT/side.err"; return; }
	comp=$(jq -r '.[0].component | "\(.name)@\(.version)"' <<<"$out")
	finding=$(jq -r '[.[0].findings[].id] | first' <<<"$out")
	while :; do
		n=$((n + 1))
		"$AIVET" --fail-on none check "$M" >/dev/null 2>>"$OUT/side.err" ||
			echo "check $n failed" >>"$OUT/side.err"
		out=$("$AIVET" -f json review waive "$comp" "$finding" --justification accepted_risk \
			--note "soak $n" 2>&1) || { echo "waive $n: $out" >>"$OUT/side.err"; continue; }
		id=$(jq -r '.waiver.id // .id' <<<"$out" 2>/dev/null)
		out=$(nngcat --req0 --connect "$SOCK" --recv-timeout 10 --ascii --data \
			"{\"v\":1,\"op\":\"waive\",\"name\":\"${comp%@*}\",\"version\":\"${comp#*@}\",\"revoke\":$id}" 2>&1)
		case "$out" in *'"ok":true'*) ;; *) echo "revoke $n ($id): $out" >>"$OUT/side.err" ;; esac
		echo "$n" >"$OUT/side.count"
		sleep 0.5
	done
}
: >"$OUT/side.err"
echo 0 >"$OUT/side.count"

"$BUILD/ipc/aivet-bench" --socket "$SOCK" --no-baseline --clients 4 --mix "$MIX" \
	--duration "$DURATION" >"$OUT/bench.out" 2>&1 &
BENCH=$!
side &
SIDE=$!

START=$(date +%s)
echo "seconds,rss_kb,requests,errors" >"$CSV"
while :; do
	t=$(($(date +%s) - START))
	echo "$t,$(rss),$(stats | tr ' ' ',')" >>"$CSV"
	kill -0 "$BENCH" 2>/dev/null || break
	sleep "$INTERVAL"
done
BENCH_RC=0
wait "$BENCH" || BENCH_RC=$?
BENCH=
kill "$SIDE" 2>/dev/null
wait "$SIDE" 2>/dev/null
SIDE=
t=$(($(date +%s) - START))
echo "$t,$(rss),$(stats | tr ' ' ',')" >>"$CSV"

DAEMON_RC=0
kill -TERM "$PID"
wait "$PID" || DAEMON_RC=$?
PID=
INTEGRITY=$(sqlite3 "$STATE/aivet.db" 'PRAGMA integrity_check' 2>&1)

fail=0
cat "$OUT/bench.out"
echo "CLI side: $(cat "$OUT/side.count") rounds of check + waive + revoke, $(wc -l <"$OUT/side.err") failures"
# The curve: RSS at the end of the warm-up, at the end, the maximum after
# the warm-up, and the least-squares slope after the warm-up (KiB a minute).
awk -F, -v w="$WARMUP" -v bound="$MAX_GROWTH_KB" '
	NR == 1 || $2 == "" { next }
	{ last = $2; req = $3; err = $4 }
	$1 < w { next }
	!base { base = $2 }
	{ n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2; if ($2 > max) max = $2 }
	END {
		slope = n > 1 && n * sxx - sx * sx > 0 ? (n * sxy - sx * sy) / (n * sxx - sx * sx) * 60 : 0
		printf "RSS after warm-up (%d s): %d KiB; at the end: %d KiB; max after warm-up: %d KiB\n",
			w, base, last, max
		printf "growth after warm-up: %d KiB (bound %d KiB), slope %.1f KiB/min\n",
			max - base, bound, slope
		printf "requests served (daemon counter): %s, errors: %s\n", req, err
		exit (n == 0 || max - base > bound)
	}' "$CSV" || { echo "soak: FAIL: RSS grew past the bound after the warm-up (or no sample)"; fail=1; }
errors=$(tail -1 "$CSV" | cut -d, -f4)
[ "$BENCH_RC" -eq 0 ] || { echo "soak: FAIL: aivet-bench reported failures (exit $BENCH_RC)"; fail=1; }
[ -s "$OUT/side.err" ] && { echo "soak: FAIL: CLI side failures:"; head -5 "$OUT/side.err"; fail=1; }
[ "$errors" = 0 ] || { echo "soak: FAIL: the daemon counted $errors errors"; fail=1; }
[ "$DAEMON_RC" -eq 0 ] || { echo "soak: FAIL: aivetd exited $DAEMON_RC on SIGTERM"; fail=1; }
echo "integrity_check: $INTEGRITY"
[ "$INTEGRITY" = ok ] || fail=1
echo "samples: $CSV"
[ "$fail" -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL"
exit "$fail"
