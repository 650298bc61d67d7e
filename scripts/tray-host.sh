#!/bin/sh
# tray-host.sh DIR CMD [ARG...]
#
# Runs CMD with a desktop tray on the same D-Bus session bus: a
# StatusNotifierWatcher and a tray bar at the top right of the screen
# (gtk-sni-tray-standalone, Debian's haskell-gtk-sni-tray-utils), as a
# desktop's panel would show them, so that the client's tray icon (a
# StatusNotifierItem) can be seen and checked under Xvfb. Writes the bus
# address to DIR/bus and the tray's pid to DIR/tray.pid; the tray's log
# goes to DIR/tray.log. CMD replaces this script (same pid).
set -eu
dir=$1
shift
command -v gtk-sni-tray-standalone >/dev/null 2>&1 || {
	echo "$0: gtk-sni-tray-standalone not found: run scripts/deps.sh" >&2
	exit 2
}
printf '%s\n' "$DBUS_SESSION_BUS_ADDRESS" >"$dir/bus"
gtk-sni-tray-standalone --watcher --top --end --size 32 --color '#2b2f36' >"$dir/tray.log" 2>&1 &
echo $! >"$dir/tray.pid"
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus.NameHasOwner string:org.kde.StatusNotifierWatcher 2>/dev/null | grep -q 'boolean true'; do
	tries=$((tries + 1))
	if [ "$tries" -ge 200 ]; then
		echo "$0: no StatusNotifierWatcher on the bus after 10 s:" >&2
		cat "$dir/tray.log" >&2
		exit 2
	fi
	sleep 0.05
done
exec "$@"
