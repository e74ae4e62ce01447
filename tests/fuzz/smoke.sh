#!/bin/sh
# smoke.sh - a short run of every libFuzzer target, as CI does it.
#
#   sh tests/fuzz/smoke.sh [SRC [BUILDDIR [SECONDS]]]
#
# Builds the targets with clang (-Dfuzz=true) in BUILDDIR (default
# SRC/build-fuzz-smoke), then runs each for SECONDS (default 20) from a copy
# of its seed corpus (tests/fuzz/corpus/<target>) with the YAML or JSON
# dictionary.  The first crash, leak or sanitizer report fails the run; the
# input is left in BUILDDIR/artifacts.  A compiler warning fails the build
# (-Dwerror=true).  Exits 77 (skipped) without clang.
set -eu
SRC=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
OUT=${2:-$SRC/build-fuzz-smoke}
SECS=${3:-20}
TARGETS="doc manifest proto config card bom spdx inspect http deps license scantext"

if ! command -v clang >/dev/null 2>&1; then
	echo "clang not found: fuzz smoke run skipped"
	exit 77
fi
# Warnings are errors here too (clang warns of things gcc does not).
if [ ! -f "$OUT/build.ninja" ]; then
	CC=clang meson setup "$OUT" "$SRC" -Dfuzz=true -Dbuildtype=debugoptimized -Dwerror=true \
		>"$OUT.setup.log" 2>&1 || { cat "$OUT.setup.log"; exit 1; }
else
	meson configure "$OUT" -Dwerror=true
fi
ninja -C "$OUT" $(for t in $TARGETS; do printf 'tests/fuzz_%s ' "$t"; done) >"$OUT/smoke-build.log" 2>&1 ||
	{ grep -E -A5 'error:|FAILED' "$OUT/smoke-build.log" | head -60; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/aivet-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT/artifacts"
failed=0
for t in $TARGETS; do
	case $t in
	proto | bom | http | scantext) dict="-dict=$SRC/tests/fuzz/json.dict" ;;
	doc | manifest | config | card | deps) dict="-dict=$SRC/tests/fuzz/yaml.dict" ;;
	*) dict= ;;
	esac
	mkdir -p "$WORK/$t"
	cp "$SRC/tests/fuzz/corpus/$t/"* "$WORK/$t/" 2>/dev/null || true
	if "$OUT/tests/fuzz_$t" -max_total_time="$SECS" -max_len=16384 -timeout=10 \
		-rss_limit_mb=1536 $dict -artifact_prefix="$OUT/artifacts/$t-" "$WORK/$t" \
		>"$WORK/$t.log" 2>&1; then
		echo "fuzz_$t: ok, $(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$WORK/$t.log" | tail -1 |
			sed -E 's/^#([0-9]+)[^c]*(cov: [0-9]+).*(exec\/s: [0-9]+).*/\1 runs, \2, \3/')"
	else
		echo "fuzz_$t: FAILED; the input is in $OUT/artifacts/; the end of its log:"
		tail -40 "$WORK/$t.log"
		failed=1
	fi
done
exit $failed
