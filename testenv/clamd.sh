#!/bin/sh
# clamd.sh start|stop|status DIR: a private ClamAV daemon living in DIR
# (config, signature database, socket, pid, log), for trying file transfers
# by hand (internal/testenv starts its own for the tests).
#
# It listens on the Unix socket DIR/clamd.sock only: no TCP listener. Its
# database holds a single custom signature, the MD5 of the EICAR test file
# (sigtool --md5), so it needs no signature download: it finds EICAR and
# nothing else. DIR/eicar.txt is a copy of the test file to send.
#
# Point the client at it with the session's ClamdSocket setting.
set -eu

cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop|status DIR" >&2
	exit 2
fi
clamd=/usr/sbin/clamd
[ -x "$clamd" ] || clamd=$(command -v clamd || true)
if [ -z "$clamd" ] || ! command -v sigtool >/dev/null 2>&1; then
	echo "clamd or sigtool not installed: run \`make deps\` (clamav-daemon, clamav)" >&2
	exit 1
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock=$dir/clamd.sock
pidfile=$dir/clamd.pid

running() { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; }

case $cmd in
start)
	if running; then
		echo "clamd already running (pid $(cat "$pidfile")), socket $sock"
		exit 0
	fi
	mkdir -p "$dir/db"
	printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$dir/eicar.txt"
	(cd "$dir" && sigtool --md5 eicar.txt >db/test.hdb)
	cat >"$dir/clamd.conf" <<CONF
# private clamd: Unix socket only, no TCP listener
LocalSocket $sock
LocalSocketMode 600
DatabaseDirectory $dir/db
Foreground no
LogFile $dir/clamd.log
PidFile $pidfile
TemporaryDirectory $dir
StreamMaxLength 200M
MaxFileSize 200M
MaxScanSize 400M
CONF
	rm -f "$sock"
	"$clamd" --config-file="$dir/clamd.conf"
	i=0
	while [ ! -S "$sock" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -S "$sock" ] || { echo "clamd did not start; see $dir/clamd.log" >&2; exit 1; }
	echo "clamd running, socket $sock (finds $dir/eicar.txt as eicar.txt.UNOFFICIAL)"
	;;
stop)
	if running; then
		kill "$(cat "$pidfile")"
		i=0
		while running && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	rm -f "$sock"
	;;
status)
	if running; then
		echo "running (pid $(cat "$pidfile")), socket $sock"
	else
		echo "not running"
		exit 1
	fi
	;;
*)
	echo "usage: $0 start|stop|status DIR" >&2
	exit 2
	;;
esac
