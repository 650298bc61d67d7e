#!/usr/bin/env bash
# demo.sh: the Palisade demo on this desktop.
#
# Starts the local demo server (a private Prosody in .run/demo/server with the
# demo accounts), the scripted colleague bob@acme.test, and the client signed
# in as alice@acme.test (password on fd 3) in its own D-Bus session with a
# throwaway, unlocked keyring (scripts/with-keyring.sh), so "remember me" works
# without touching your own keyring. When the client window is closed, the
# server and bob are stopped. Server data and the client's data directory
# (.run/demo/data) persist between runs; `make clean` removes them.
#
# Environment: DEMO_PORT (c2s port, default 15222 or a free one if taken),
# PALISADE_BIN (default build/palisade), DISPLAY (required).
set -euo pipefail
SCRIPT_NAME=demo
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

bin=${PALISADE_BIN:-build/palisade}
[ -x "$bin" ] || die "$bin not built: run \`make build\`"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
	die "no display: run \`make demo\` from a desktop session (\`make test\` runs the client headless under Xvfb)"
fi

run=$ROOT/.run/demo
mkdir -p "$run"
# A demo server left over from an interrupted run (its pid file is ours).
"$ROOT/testenv/prosody.sh" stop "$run/server" 2>/dev/null || true
port=${DEMO_PORT:-15222}
if ss -Htln "( sport = :$port )" | grep -q .; then
	port=$(free_port)
fi
# The server keeps its own TLS and HTTPS ports free of clashes too.
PROSODY_C2S_TLS_PORT=$(free_port) PROSODY_HTTPS_PORT=$(free_port) start_prosody "$run/server" "$port"
start_peer "$run/peer.log"

say "opening Palisade as alice@acme.test (server 127.0.0.1:$C2S_PORT, CA $CA_FILE)"
say "logs: bob in $run/peer.log, the server in $run/server/prosody.log"
say "demo accounts: alice, bob, dave, it-admin @acme.test; carol@partner.test; mallory@evil.test; password: $PALISADE_DEMO_PASSWORD"
status=0
"$ROOT/scripts/with-keyring.sh" "$ROOT/$bin" --jid alice@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
	--data-dir "$run/data" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD" || status=$?
say "client exited ($status); stopping bob and the demo server"
exit "$status"
