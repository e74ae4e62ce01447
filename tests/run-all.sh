#!/bin/sh
# Builds aivet twice — a normal build and one under AddressSanitizer and
# UndefinedBehaviorSanitizer — and runs every test suite in both.  Both
# builds treat compiler warnings as errors (-Dwerror=true, also set on a
# build directory that already exists).
set -e
cd "$(dirname "$0")/.."

# setup DIR OPTION...: configures DIR with the options, or sets them on it.
setup() {
	dir=$1
	shift
	if [ -f "$dir/meson-private/coredata.dat" ]; then
		meson configure "$dir" "$@"
	else
		meson setup "$dir" "$@"
	fi
}

setup build -Dwerror=true
ninja -C build
meson test -C build --print-errorlogs --num-processes 2
setup build-asan -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions="$(pwd)/tests/lsan.supp" \
	meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3
# In CI, a 20-second run of every fuzz target when clang is there (77: skipped without it).
if [ -n "${CI:-}" ]; then
	sh tests/fuzz/smoke.sh || [ $? -eq 77 ]
fi
