#!/bin/sh
# Asks a running aivetd for a stored verdict with nothing but nngcat (Debian
# package nng-utils): the protocol is JSON over an nng REQ/REP socket.
#   examples/scripts/nngcat-verdict.sh NAME [VERSION]
# Prints the reply; exits 0 when the verdict is approved, 1 otherwise, 69
# when the daemon does not answer.
set -u
name=${1:?usage: nngcat-verdict.sh NAME [VERSION]}
version=${2:-}
sock=${AIVET_SOCKET:-ipc://${AIVET_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/aivet}/aivetd.sock}
req="{\"v\":1,\"op\":\"verdict\",\"name\":\"$name\""
[ -n "$version" ] && req="$req,\"version\":\"$version\""
req="$req}"
reply=$(nngcat --req0 --connect "$sock" --recv-timeout 10 --ascii --data "$req") || exit 69
printf '%s\n' "$reply"
case "$reply" in
*'"decision":"approved"'*) exit 0 ;;
*) exit 1 ;;
esac
