#!/bin/sh
# ejabberd.sh start|stop|status|prepare|users|ctl DIR [ARGS]: a private
# ejabberd instance living in DIR (config, certs, spool, logs). Loopback only.
#
# Environment (defaults in brackets):
#   EJABBERD_C2S_PORT        c2s STARTTLS port [25222]
#   EJABBERD_C2S_TLS_PORT    c2s direct TLS port, XEP-0368 [25223]
#   EJABBERD_HTTPS_PORT      HTTPS port (file upload at /upload) [25443]
#   EJABBERD_API_PORT        plain HTTP admin API, loopback only [25280]
#   EJABBERD_DIST_PORT       Erlang distribution port, loopback only [25290]
#   PALISADE_DEMO_PASSWORD   password of the demo users [palisade-demo]
#   EJABBERD_LOG_LEVEL       debug|info|warning [info]
#
# prepare  render the config in DIR, create certificates, chown DIR to ejabberd
# start    prepare, start ejabberd in the background, wait for its ports, then
#          create the demo users and alice's roster (first start only)
# users    create the demo users and rosters on the running server
# ctl      run ejabberdctl against this instance, e.g. ctl DIR status
# stop     stop the instance
# Ports given at "prepare" are kept in DIR/ports.env for later commands.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
if [ -z "$cmd" ] || [ -z "$dir" ]; then
	echo "usage: $0 start|stop|status|prepare|users|ctl DIR [ARGS]" >&2
	exit 2
fi
shift 2
if ! command -v ejabberdctl >/dev/null 2>&1; then
	echo "ejabberd not installed: run \`make deps\`" >&2
	exit 3
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
pw=${PALISADE_DEMO_PASSWORD:-palisade-demo}

if [ -s "$dir/ports.env" ] && [ "$cmd" != prepare ] && [ "$cmd" != start ]; then
	. "$dir/ports.env"
fi

ctl() {
	ejabberdctl --config-dir "$dir" --ctl-config "$dir/ejabberdctl.cfg" \
		--config "$dir/ejabberd.yml" --spool "$dir/spool" --logs "$dir/logs" "$@"
}

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
        time.sleep(0.05)
PY
}

prepare() {
	c2s=${EJABBERD_C2S_PORT:-25222}
	tls=${EJABBERD_C2S_TLS_PORT:-25223}
	https=${EJABBERD_HTTPS_PORT:-25443}
	api=${EJABBERD_API_PORT:-25280}
	dist=${EJABBERD_DIST_PORT:-25290}
	level=${EJABBERD_LOG_LEVEL:-info}
	cat >"$dir/ports.env" <<-ENV
		EJABBERD_C2S_PORT=$c2s
		EJABBERD_C2S_TLS_PORT=$tls
		EJABBERD_HTTPS_PORT=$https
		EJABBERD_API_PORT=$api
		EJABBERD_DIST_PORT=$dist
	ENV
	"$here/mkcerts.sh" "$dir/certs"
	mkdir -p "$dir/spool" "$dir/logs" "$dir/upload" "$dir/modules.d"
	sed -e "s#@DIR@#$dir#g" -e "s#@C2S_PORT@#$c2s#g" -e "s#@C2S_TLS_PORT@#$tls#g" \
		-e "s#@HTTPS_PORT@#$https#g" -e "s#@API_PORT@#$api#g" -e "s#@LOG_LEVEL@#$level#g" \
		"$here/ejabberd/ejabberd.yml.in" >"$dir/ejabberd.yml"
	# The Mnesia database belongs to the node name: derive it from DIR so that
	# it stays the same across restarts and differs between instances.
	node="palisade$(printf %s "$dir" | cksum | cut -d' ' -f1)@localhost"
	sed -e "s#@DIR@#$dir#g" -e "s#@DIST_PORT@#$dist#g" -e "s#@NODE@#$node#g" \
		"$here/ejabberd/ejabberdctl.cfg.in" >"$dir/ejabberdctl.cfg"
	cp "$here/ejabberd/inetrc" "$dir/inetrc"
	if [ "$(id -u)" = 0 ]; then
		# ejabberdctl switches to the ejabberd user when run as root.
		chown -R ejabberd:ejabberd "$dir"
		d=$dir
		while [ "$d" != / ]; do
			d=$(dirname "$d")
			chmod o+x "$d" 2>/dev/null || true
		done
	fi
}

# api COMMAND JSON: call the HTTP admin API.
api() {
	python3 - "${EJABBERD_API_PORT:-25280}" "$1" "$2" <<'PY'
import sys, urllib.request
port, cmd, body = sys.argv[1:4]
req = urllib.request.Request("http://127.0.0.1:%s/api/%s" % (port, cmd), data=body.encode(),
                             headers={"Content-Type": "application/json"})
try:
    urllib.request.urlopen(req, timeout=30).read()
except urllib.error.HTTPError as e:
    sys.exit("api %s %s: %s %s" % (cmd, body, e.code, e.read().decode()))
PY
}

users() {
	python3 - "${EJABBERD_API_PORT:-25280}" "$pw" <<'PY'
import json, sys, urllib.request
port, pw = sys.argv[1], sys.argv[2]
def api(cmd, **args):
    req = urllib.request.Request("http://127.0.0.1:%s/api/%s" % (port, cmd),
                                 data=json.dumps(args).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(req, timeout=30).read()
    except urllib.error.HTTPError as e:
        body = e.read().decode()
        if cmd == "register" and "already registered" in body:
            return body
        sys.exit("api %s %s: %s %s" % (cmd, args, e.code, body))
for u in ["alice@acme.test", "bob@acme.test", "dave@acme.test", "it-admin@acme.test",
          "carol@partner.test", "mallory@evil.test"]:
    local, host = u.split("@")
    api("register", user=local, host=host, password=pw)
def both(a, b, name, group):
    al, ah = a.split("@")
    bl, bh = b.split("@")
    api("add_rosteritem", localuser=al, localhost=ah, user=bl, host=bh,
        nick=name, group=group, subs="both")
for jid, name, group in [("bob@acme.test", "Bob", "Colleagues"), ("dave@acme.test", "Dave", "Colleagues"),
                         ("carol@partner.test", "Carol", "Partners"), ("mallory@evil.test", "Mallory", "Unknown")]:
    both("alice@acme.test", jid, name, group)
    both(jid, "alice@acme.test", "Alice", group)
PY
}

running() {
	[ -s "$dir/ejabberd.pid" ] && kill -0 "$(cat "$dir/ejabberd.pid")" 2>/dev/null
}

start() {
	if running; then
		echo "ejabberd already running in $dir" >&2
		exit 1
	fi
	prepare
	ctl start
	if ! wait_port "$c2s" 60 || ! wait_port "$api" 10; then
		echo "ejabberd did not open its ports; see $dir/logs" >&2
		tail -30 "$dir/logs/ejabberd.log" "$dir/logs/error.log" >&2 2>/dev/null || true
		stop
		exit 1
	fi
	if [ ! -e "$dir/spool/.users" ]; then
		users
		touch "$dir/spool/.users"
	fi
}

stop() {
	[ -s "$dir/ejabberd.pid" ] || return 0
	pid=$(cat "$dir/ejabberd.pid")
	if kill "$pid" 2>/dev/null; then
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 200 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -9 "$pid" 2>/dev/null || true
	fi
	rm -f "$dir/ejabberd.pid"
}

case $cmd in
prepare) prepare ;;
start) start ;;
stop) stop ;;
users) users ;;
ctl) ctl "$@" ;;
status)
	if running; then
		echo "running (pid $(cat "$dir/ejabberd.pid"))"
	else
		echo "stopped"
		exit 1
	fi
	;;
*)
	echo "usage: $0 start|stop|status|prepare|users|ctl DIR [ARGS]" >&2
	exit 2
	;;
esac
