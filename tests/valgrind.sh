#!/bin/bash
# valgrind.sh - the integration scripts with aivetd and the aivet CLI under
# Valgrind memcheck, one script at a time, and a report per script.
#
#   bash tests/valgrind.sh BUILDDIR [SCRIPT...]     (default: every script)
#
# BUILDDIR is a normal build (not the sanitizer one).  "client" runs the
# client library's test program (tests/test_client) against the wrapped
# daemon; "corpus" reads CORPUS_DIR (default ../shared/corpus).  The scripts run
# against a wrapper build directory: every entry of BUILDDIR linked, except
# ipc/aivetd and ipc/aivet, which run the real programs under
#   valgrind --leak-check=full --errors-for-leak-kinds=definite
#            --error-exitcode=99 --suppressions=tests/valgrind.supp
# with one log per process.  VALGRIND_CLI=0 leaves the CLI unwrapped (much
# faster: the scripts run it hundreds of times).  AIVET_TEST_SLOW (default
# 10) scales the scripts' waits; FAULT_ROUNDS defaults to 3 here.  The logs
# stay in VALGRIND_LOGS (default: a temporary folder, printed at the end).
#
# Per script: the script's own verdict, the processes that ran, how many
# ended without a summary (killed with SIGKILL by the test), memory errors
# and definitely lost bytes.  Exit 1 when any script failed or any process
# reported an error or a definite leak.  Run it niced on a shared machine.
set -u
BUILD=$(cd "${1:?usage: valgrind.sh BUILDDIR [SCRIPT...]}" && pwd)
shift
SRC=$(cd "$(dirname "$0")/.." && pwd)
LOGS=${VALGRIND_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/aivet-valgrind.XXXXXX")}
export AIVET_TEST_SLOW=${AIVET_TEST_SLOW:-10}
export FAULT_ROUNDS=${FAULT_ROUNDS:-3}
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 77; }
# install is left out by default: it checks what `meson install` puts where,
# and the programs it runs are the installed copies, not the wrapped ones.
if [ $# -eq 0 ]; then
	set -- $(cd "$SRC/tests/integration" && ls ./*.sh | sed 's|^\./||; s|\.sh$||' |
		grep -v -e '^lib$' -e '^install$') client
fi

VG=$(mktemp -d "${TMPDIR:-/tmp}/aivet-vgbuild.XXXXXX")
trap 'rm -rf "$VG"' EXIT
chmod 755 "$VG" # access.sh runs the wrapped CLI as another user too
for e in "$BUILD"/* "$BUILD"/.[!.]*; do
	[ -e "$e" ] && [ "$(basename "$e")" != ipc ] && ln -s "$e" "$VG/"
done
mkdir "$VG/ipc"
for e in "$BUILD"/ipc/*; do ln -s "$e" "$VG/ipc/"; done
wrap() { # NAME: ipc/NAME runs under memcheck, its logs named NAME.PID.log
	rm "$VG/ipc/$1"
	cat >"$VG/ipc/$1" <<SH
#!/bin/sh
exec valgrind --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite \\
	--error-exitcode=99 --suppressions="$SRC/tests/valgrind.supp" \\
	--log-file="\$VALGRIND_SCRIPT_LOGS/$1.%p.log" "$BUILD/ipc/$1" "\$@"
SH
	chmod +x "$VG/ipc/$1"
}
wrap aivetd
[ "${VALGRIND_CLI:-1}" = 0 ] || wrap aivet

bad=0
printf '%-8s %-5s %6s %7s %6s %12s %7s\n' script result procs killed errors "definite(B)" seconds
for t in "$@"; do
	dir="$LOGS/$t"
	rm -rf "$dir"
	mkdir -p "$dir"
	chmod 755 "$LOGS" && chmod 1777 "$dir" # the CLI may run as another user (access.sh)
	export VALGRIND_SCRIPT_LOGS="$dir"
	t0=$(date +%s)
	rc=0
	case "$t" in
	client) AIVET_SRCDIR="$SRC" CK_DEFAULT_TIMEOUT=$((60 * AIVET_TEST_SLOW)) "$BUILD/tests/test_client" "$VG/ipc/aivetd" \
		>"$dir/script.out" 2>&1 || rc=$? ;;
	corpus) bash "$SRC/tests/integration/corpus.sh" "$VG" "$SRC" \
		"${CORPUS_DIR:-$SRC/../shared/corpus}" >"$dir/script.out" 2>&1 || rc=$? ;;
	*) bash "$SRC/tests/integration/$t.sh" "$VG" "$SRC" >"$dir/script.out" 2>&1 || rc=$? ;;
	esac
	secs=$(($(date +%s) - t0))
	procs=0 killed=0 errors=0 definite=0
	for l in "$dir"/*.log; do
		[ -e "$l" ] || continue
		procs=$((procs + 1))
		n=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$l" | tr -d , | tail -1)
		if [ -z "$n" ]; then
			killed=$((killed + 1))
			# A killed process reports no summary but may have logged errors.
			n=$(grep -c '^==[0-9]*== \(Invalid\|Conditional\|Use of\|Syscall param\|Mismatched\|Source and destination\)' "$l")
		fi
		errors=$((errors + n))
		d=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$l" | tr -d , | tail -1)
		definite=$((definite + ${d:-0}))
	done
	result=pass
	[ "$rc" -eq 0 ] || result=FAIL
	[ "$rc" -eq 77 ] && result=skip
	{ [ "$result" = FAIL ] || [ "$errors" -gt 0 ] || [ "$definite" -gt 0 ]; } && bad=1
	printf '%-8s %-5s %6d %7d %6d %12d %7d\n' "$t" "$result" "$procs" "$killed" "$errors" \
		"$definite" "$secs"
	[ "$result" = FAIL ] && grep -E '^(FAIL|    )' "$dir/script.out" | head -20 | sed 's/^/    /'
done
echo "logs: $LOGS (per script: script.out and one log per process)"
exit "$bad"
