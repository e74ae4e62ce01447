#!/bin/bash
# `meson install` into a temporary DESTDIR: the files land where a Debian
# admin expects them, the installed daemon finds its plugins in the
# installed data directory (AIVET_DATA_DIR unset; it looks beside its own
# executable, since the compiled-in data directory names the real prefix,
# not DESTDIR), and examples/client builds against the installed
# pkg-config file and talks to that daemon.
BUILD=$1
SRC=$2
. "$SRC/tests/integration/lib.sh"

DEST="$TMP/dest"
meson install -C "$BUILD" --destdir "$DEST" --no-rebuild --quiet >"$TMP/install.log" 2>&1 || {
	cat "$TMP/install.log" >&2
	exit 1
}
PREFIX=$(meson introspect "$BUILD" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')
LIBDIR=$(meson introspect "$BUILD" --buildoptions | jq -r '.[] | select(.name == "libdir") | .value')
ROOT="$DEST$PREFIX"
case "$LIBDIR" in /*) LIB="$DEST$LIBDIR" ;; *) LIB="$ROOT/$LIBDIR" ;; esac
unset AIVET_DATA_DIR
AIVETD="$ROOT/sbin/aivetd"
AIVET="$ROOT/bin/aivet"
export LD_LIBRARY_PATH="$LIB"

test_files_are_where_they_belong() {
	for f in "$AIVETD" "$AIVET" "$ROOT/include/aivet_client.h" "$LIB/libaivet-client.a" \
		"$LIB/pkgconfig/aivet-client.pc" "$ROOT/share/man/man1/aivet.1" \
		"$ROOT/share/man/man8/aivetd.8" "$ROOT/share/man/man5/aivet.yaml.5" \
		"$ROOT/lib/systemd/system/aivetd.service" "$ROOT/share/aivet/plugins/license.lua" \
		"$ROOT/share/aivet/policies"; do
		[ -e "$f" ] || fail "missing $f"
	done
	ls "$LIB"/libaivet-client.so* >/dev/null || fail "no shared library"
}

test_installed_daemon_finds_its_plugins() {
	"$AIVETD" -n >"$TMP/n.out" 2>&1 || fail "aivetd -n: $(cat "$TMP/n.out")"
	"$AIVET" --local policies >"$TMP/p.out" || fail "aivet --local policies failed"
	expect_contains "$(cat "$TMP/p.out")" "$ROOT/share/aivet/plugins/license.lua"
}

# Installed: every plugin and lib/ module; not installed: the plugins' own
# tests and their fixtures (meson.build says why), so the installed folder
# holds no test to run.
test_plugins_are_installed_without_their_tests() {
	local P="$ROOT/share/aivet/plugins" f missing= extra
	for f in $(cd "$SRC/plugins" && find . -name '*.lua' ! -name '*_test.lua' ! -path './testdata/*'); do
		[ -f "$P/$f" ] || missing="$missing $f"
	done
	[ -z "$missing" ] || fail "not installed:$missing"
	extra=$(cd "$P" && find . -name '*_test.lua' -o -name testdata | sort | tr '\n' ' ')
	[ -z "$extra" ] || fail "installed but meant to stay in the source tree (list them in plugin_tests in meson.build): $extra"
	expect_contains "$("$AIVET" plugin test "$P")" "0 passed, 0 failed"
}

test_installed_binaries_check_a_manifest() {
	start_daemon
	trap 'stop_daemon KILL' EXIT
	rc=0
	"$AIVET" check "$SRC/examples/manifests/phi-2.yaml" >"$TMP/c.out" || rc=$?
	[ "$rc" -le 2 ] || fail "check exit $rc: $(cat "$TMP/c.out")"
	expect_contains "$("$AIVET" -f json health)" "\"plugins\":"
	stop_daemon
}

test_client_example_builds_from_the_pkg_config_file() {
	cp -r "$SRC/examples/client" "$TMP/client"
	# A sanitized library needs a sanitized program (the ASan runtime first).
	san=$(meson introspect "$BUILD" --buildoptions | jq -r '.[] | select(.name == "b_sanitize") | .value')
	if [ "$san" != none ]; then
		export CFLAGS="-O1 -fsanitize=$san" LDFLAGS="-fsanitize=$san"
	fi
	PKG_CONFIG_PATH="$LIB/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$DEST" \
		make -s -C "$TMP/client" >"$TMP/make.out" 2>&1 || fail "make: $(cat "$TMP/make.out")"
	start_daemon
	trap 'stop_daemon KILL' EXIT
	rc=0
	"$TMP/client/gate" "$SRC/examples/manifests/phi-2.yaml" >"$TMP/g.out" || rc=$?
	stop_daemon
	expect_contains "$(cat "$TMP/g.out")" "phi-2.yaml: needs_review"
	expect_rc 1 "$rc"
}

run_tests
