#!/bin/sh
# Installs the Debian 12 packages aivet needs to build and test.
# Used by examples/quickstart.sh and .ci/run; safe to run again.  lua-check is
# luacheck, the Lua linter of the plugin suite (skipped without it).
set -e
PKGS="gcc meson ninja-build pkg-config liblua5.4-dev libyaml-dev libsqlite3-dev \
libcjson-dev check libnng-dev libmbedtls-dev libssl-dev zlib1g-dev nng-utils nanomsg-utils sqlite3 curl \
libxml2-utils jq socat openssl lua-check"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
fi
