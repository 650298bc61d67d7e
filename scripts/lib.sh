# shellcheck shell=bash
# Shared helpers for scripts/demo.sh, scripts/smoke-gui.sh and scripts/bench.sh.
# Source it from bash: . "$(dirname "$0")/lib.sh"
#
# Every process a script starts is recorded by pid and stopped by that pid
# in cleanup, never by name.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="/usr/local/go/bin:$PATH"
# Fyne cannot parse the "C" locale; any real tag will do for the GUI.
export LANG=en_US.UTF-8
unset LC_ALL
PY=/usr/bin/python3
PALISADE_DEMO_PASSWORD=${PALISADE_DEMO_PASSWORD:-palisade-demo}
export PALISADE_DEMO_PASSWORD

_cleanups=()

say() { printf '%s: %s\n' "${SCRIPT_NAME:-$(basename "$0")}" "$*" >&2; }
die() {
	say "FAIL: $*"
	exit 1
}

# at_exit CMD...: run CMD (as one eval'd string) on exit, last registered first.
at_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" || true
	done
}
trap _run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# stop_pid PID [SECONDS]: TERM, wait, then KILL.
stop_pid() {
	local pid=$1 limit=${2:-5} i=0
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && [ $i -lt $((limit * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# free_port: print a TCP port on 127.0.0.1 that nobody listens on now.
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for SECONDS CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local limit=$1 start=$SECONDS
	shift
	until "$@" >/dev/null 2>&1; do
		if ((SECONDS - start >= limit)); then
			return 1
		fi
		sleep 0.2
	done
}

# start_prosody DIR [C2S_PORT]: private Prosody with the demo users; sets
# PROSODY_DIR, C2S_PORT and CA_FILE, and stops it on exit.
start_prosody() {
	PROSODY_DIR=$1
	C2S_PORT=${2:-$(free_port)}
	PROSODY_C2S_PORT=$C2S_PORT PROSODY_C2S_TLS_PORT=${PROSODY_C2S_TLS_PORT:-$(free_port)} \
		PROSODY_HTTPS_PORT=${PROSODY_HTTPS_PORT:-$(free_port)} \
		"$ROOT/testenv/prosody.sh" start "$PROSODY_DIR" ||
		die "could not start prosody (logs in $PROSODY_DIR)"
	at_exit "\"$ROOT/testenv/prosody.sh\" stop \"$PROSODY_DIR\""
	CA_FILE=$PROSODY_DIR/certs/ca.crt
	say "prosody on 127.0.0.1:$C2S_PORT ($PROSODY_DIR)"
}

# prepare_prosody DIR: render config, certs and demo users without starting.
prepare_prosody() {
	PROSODY_C2S_PORT=${C2S_PORT:-15222} "$ROOT/testenv/prosody.sh" prepare "$1" >/dev/null
}

# start_xvfb [WxH]: a private X server; sets DISPLAY, stops it on exit.
start_xvfb() {
	local geometry=${1:-1280x800} fifo
	fifo=$(mktemp -u "${TMPDIR:-/tmp}/palisade-xvfb.XXXXXX")
	mkfifo "$fifo"
	Xvfb -displayfd 7 -screen 0 "${geometry}x24" -nolisten tcp -noreset 7>"$fifo" >/dev/null 2>&1 &
	XVFB_PID=$!
	at_exit "stop_pid $XVFB_PID"
	local n
	if ! read -r -t 15 n <"$fifo"; then
		rm -f "$fifo"
		die "Xvfb did not start"
	fi
	rm -f "$fifo"
	export DISPLAY=":$n"
	say "Xvfb on $DISPLAY"
}

# start_peer LOG [ARGS...]: the scripted bob; stops it on exit.
start_peer() {
	local log=$1
	shift
	"$PY" "$ROOT/scripts/demo-peer.py" --host 127.0.0.1 --port "$C2S_PORT" --ca-file "$CA_FILE" \
		--password "$PALISADE_DEMO_PASSWORD" "$@" >"$log" 2>&1 &
	PEER_PID=$!
	at_exit "stop_pid $PEER_PID"
	if ! wait_for 20 grep -q 'signed in as' "$log"; then
		cat "$log" >&2
		die "demo peer did not sign in"
	fi
	say "demo peer bob@acme.test signed in"
}

# start_gui PIDFILE LOG CMD...: run CMD in its own D-Bus session on $DISPLAY,
# in the background, with a throwaway unlocked keyring (scripts/with-keyring.sh)
# so the user's own keyring is never touched. PIDFILE receives CMD's own pid
# (not the wrapper's), so that stopping it lets the wrapper end its bus
# cleanly. Sets GUI_PID.
start_gui() {
	local pidfile=$1 log=$2
	shift 2
	rm -f "$pidfile"
	"$ROOT/scripts/with-keyring.sh" bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" >"$log" 2>&1 &
	GUI_WRAPPER_PID=$!
	wait_for 10 test -s "$pidfile" || die "GUI process did not start"
	GUI_PID=$(cat "$pidfile")
	at_exit "stop_pid $GUI_PID; wait $GUI_WRAPPER_PID 2>/dev/null"
}

# tree_pids PID: PID and all its descendants.
tree_pids() {
	local p=$1 c
	echo "$p"
	for c in $(pgrep -P "$p" 2>/dev/null); do
		tree_pids "$c"
	done
}

# wait_window NAME SECONDS: print the id of the first visible window whose
# title matches NAME.
wait_window() {
	local name=$1 limit=$2 start=$SECONDS id
	while ((SECONDS - start < limit)); do
		id=$(xdotool search --onlyvisible --name "$name" 2>/dev/null | head -1 || true)
		if [ -n "$id" ]; then
			echo "$id"
			return 0
		fi
		sleep 0.3
	done
	return 1
}

# connected PID PORT: PID (or a descendant) has an established TCP
# connection to 127.0.0.1:PORT.
connected() {
	local pid=$1 port=$2 p
	for p in $(tree_pids "$pid"); do
		if ss -Htnp state established "( dport = :$port )" 2>/dev/null | grep -q "pid=$p,"; then
			return 0
		fi
	done
	return 1
}
