#!/bin/sh
# Installs what aivet needs, builds it, starts aivetd on its embedded
# defaults, evaluates every example manifest through it and prints the
# verdicts, then stops the daemon.
set -e
cd "$(dirname "$0")/.."
sh tests/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
./build/ipc/aivetd &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 50); do
	./build/ipc/aivet health >/dev/null 2>&1 && break
	sleep 0.1
done
rc=0
./build/ipc/aivet check examples/manifests/*.yaml || rc=$?
echo
echo "gate exit code: $rc (0 pass, 1 needs_review, 2 rejected, 3 stale/overdue)"
echo "stored in ${AIVET_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/aivet}/aivet.db;" \
	"try: ./build/ipc/aivetd & ./build/ipc/aivet list"
