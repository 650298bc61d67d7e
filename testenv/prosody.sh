#!/bin/sh
# prosody.sh start|stop|status|prepare DIR: a private Prosody instance living
# in DIR (config, certs, data, pid, log). Loopback only.
#
# Environment (defaults in brackets):
#   PROSODY_PLAIN=1          start the plaintext-only variant instead (no TLS)
#   PROSODY_C2S_PORT         c2s STARTTLS port [15222]; plaintext variant [15232]
#   PROSODY_C2S_TLS_PORT     c2s direct TLS port, XEP-0368 [15223]
#   PROSODY_HTTPS_PORT       HTTPS port (file upload) [15443]
#   PALISADE_DEMO_PASSWORD   password of the demo users [palisade-demo]
#   PROSODY_LOG_LEVEL        debug|info|warn [info]
#   PROSODY_NO_USERS=1       do not create the demo users and rosters
#
# "start" renders the config, creates certificates (testenv/mkcerts.sh),
# registers the demo users, writes alice's roster, starts prosody in the
# background and returns once the c2s port accepts connections.
# "prepare" does all of that except starting prosody (internal/testenv starts
# the process itself). On a DIR already holding data, users and rosters are
# left as they are.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop|status|prepare DIR" >&2
	exit 2
fi
if ! command -v prosody >/dev/null 2>&1 || ! command -v prosodyctl >/dev/null 2>&1; then
	echo "prosody not installed: run \`make deps\`" >&2
	exit 3
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cfg="$dir/prosody.cfg.lua"
pw=${PALISADE_DEMO_PASSWORD:-palisade-demo}

# wait_port PORT SECONDS: wait until 127.0.0.1:PORT accepts a connection.
wait_port() {
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
deadline = time.time() + limit
while True:
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        sys.exit(0)
    except OSError:
        if time.time() > deadline:
            sys.exit(1)
        time.sleep(0.02)
PY
}

running() {
	[ -s "$dir/prosody.pid" ] && kill -0 "$(cat "$dir/prosody.pid")" 2>/dev/null
}

# roster FILE ENTRY...: write a roster in prosody's internal storage format.
# ENTRY is jid|name|group (subscription both).
roster() {
	f=$1
	shift
	{
		echo "return {"
		echo "	[false] = { version = 1; pending = {}; };"
		for e in "$@"; do
			jid=${e%%|*}
			rest=${e#*|}
			name=${rest%%|*}
			group=${rest#*|}
			echo "	[\"$jid\"] = { subscription = \"both\"; name = \"$name\"; groups = { [\"$group\"] = true; }; };"
		done
		echo "};"
	} >"$f"
}

prepare() {
	level=${PROSODY_LOG_LEVEL:-info}
	if [ "${PROSODY_PLAIN:-}" = 1 ]; then
		port=${PROSODY_C2S_PORT:-15232}
		sed -e "s#@DIR@#$dir#g" -e "s#@C2S_PORT@#$port#g" -e "s#@LOG_LEVEL@#$level#g" \
			"$here/prosody/prosody-plain.cfg.lua.in" >"$cfg"
	else
		port=${PROSODY_C2S_PORT:-15222}
		tlsport=${PROSODY_C2S_TLS_PORT:-15223}
		https=${PROSODY_HTTPS_PORT:-15443}
		"$here/mkcerts.sh" "$dir/certs"
		sed -e "s#@DIR@#$dir#g" -e "s#@C2S_PORT@#$port#g" -e "s#@C2S_TLS_PORT@#$tlsport#g" \
			-e "s#@HTTPS_PORT@#$https#g" -e "s#@LOG_LEVEL@#$level#g" \
			"$here/prosody/prosody.cfg.lua.in" >"$cfg"
	fi
	mkdir -p "$dir/data"
	if [ "${PROSODY_NO_USERS:-}" != 1 ] && [ ! -e "$dir/data/.users" ]; then
		for u in alice@acme.test bob@acme.test dave@acme.test it-admin@acme.test \
			carol@partner.test mallory@evil.test eve@evil.test payroll@acme-corp.test; do
			prosodyctl --config "$cfg" register "${u%@*}" "${u#*@}" "$pw" >/dev/null
		done
		a=acme%2etest
		mkdir -p "$dir/data/$a/roster" "$dir/data/partner%2etest/roster" "$dir/data/evil%2etest/roster"
		roster "$dir/data/$a/roster/alice.dat" \
			"bob@acme.test|Bob|Colleagues" "dave@acme.test|Dave|Colleagues" \
			"carol@partner.test|Carol|Partners" "mallory@evil.test|Mallory|Unknown"
		roster "$dir/data/$a/roster/bob.dat" "alice@acme.test|Alice|Colleagues"
		roster "$dir/data/$a/roster/dave.dat" "alice@acme.test|Alice|Colleagues"
		roster "$dir/data/partner%2etest/roster/carol.dat" "alice@acme.test|Alice|Partners"
		roster "$dir/data/evil%2etest/roster/mallory.dat" "alice@acme.test|Alice|Unknown"
		touch "$dir/data/.users"
	fi
}

start() {
	if running; then
		echo "prosody already running in $dir (pid $(cat "$dir/prosody.pid"))" >&2
		exit 1
	fi
	prepare
	nohup prosody --config "$cfg" -F >"$dir/stdout.log" 2>&1 </dev/null &
	echo $! >"$dir/prosody.pid"
	if ! wait_port "$port" 15; then
		echo "prosody did not open port $port; see $dir/prosody.log and $dir/stdout.log" >&2
		tail -20 "$dir/stdout.log" "$dir/prosody.log" >&2 2>/dev/null || true
		stop
		exit 1
	fi
}

stop() {
	[ -s "$dir/prosody.pid" ] || return 0
	pid=$(cat "$dir/prosody.pid")
	if kill "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/prosody.pid"
}

case $cmd in
prepare) prepare ;;
start) start ;;
stop) stop ;;
status)
	if running; then
		echo "running (pid $(cat "$dir/prosody.pid"))"
	else
		echo "stopped"
		exit 1
	fi
	;;
*)
	echo "usage: $0 start|stop|status DIR" >&2
	exit 2
	;;
esac
