#!/bin/sh
# with-keyring.sh CMD [ARG...]
#
# Runs CMD inside a private D-Bus session bus with a throwaway, unlocked
# gnome-keyring login collection, so that code using the Secret Service API
# (Palisade's keystore package) talks to a real keyring without touching the
# user's own. Exports PALISADE_REAL_KEYRING=1 for CMD; the real-keyring tests
# refuse to run without it.
#
# The keyring's files live in a temporary directory that is removed on exit.
# CMD keeps the caller's HOME, so caches (e.g. Go's build cache) still work.
#
# Requires: dbus-run-session and dbus-send (dbus), gnome-keyring-daemon
# (gnome-keyring).
#
# Example: scripts/with-keyring.sh go test -tags realkeyring ./keystore/ ./cmd/client/...
set -eu

if [ "${1:-}" = "--inside-bus" ]; then
	shift
	keyring_home=$PALISADE_KEYRING_HOME
	unset PALISADE_KEYRING_HOME
	# The keyring daemon runs in the foreground as our child, so that it is
	# stopped with CMD (a daemonised one outlives the bus). The password only
	# protects the throwaway login collection it creates and unlocks.
	printf '%s' palisade-test-keyring |
		HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/.local/share" \
			XDG_RUNTIME_DIR="$keyring_home/run" \
			gnome-keyring-daemon --foreground --unlock --components=secrets \
			>"$keyring_home/daemon.log" 2>&1 &
	daemon=$!
	stop_daemon() {
		kill "$daemon" 2>/dev/null || true
		wait "$daemon" 2>/dev/null || true
	}
	trap stop_daemon EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# Wait until the Secret Service is on the bus (at most 10 s).
	tries=0
	until dbus-send --session --print-reply --dest=org.freedesktop.DBus \
		/org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
		string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
		tries=$((tries + 1))
		if [ "$tries" -ge 200 ] || ! kill -0 "$daemon" 2>/dev/null; then
			echo "with-keyring.sh: gnome-keyring-daemon did not start:" >&2
			cat "$keyring_home/daemon.log" >&2
			exit 2
		fi
		sleep 0.05
	done
	PALISADE_REAL_KEYRING=1
	export PALISADE_REAL_KEYRING
	status=0
	"$@" || status=$?
	exit "$status"
fi

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]" >&2
	exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "$0: $tool not found (install dbus and gnome-keyring)" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/palisade-keyring.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$tmp/run" "$tmp/.local/share"
chmod 700 "$tmp/run"

status=0
PALISADE_KEYRING_HOME=$tmp dbus-run-session -- "$0" --inside-bus "$@" || status=$?
exit "$status"
