#!/usr/bin/env bash
# demo.sh: the Palisade demo on this desktop.
#
# Starts the local demo server (a private Prosody in .run/demo/server with the
# demo accounts), the scripted colleague bob@acme.test, ACME's IT set-up (an IT
# signing key in .run/demo/it, the example profile docs/examples/acme-profile.json
# signed and installed as the managed profile in .run/demo/system, which stands
# for /etc/palisade), and the client signed
# in as alice@acme.test (password on fd 3) in its own D-Bus session with a
# throwaway, unlocked keyring (scripts/with-keyring.sh), so "remember me" works
# without touching your own keyring. When the client window is closed, the
# server and bob are stopped. Shortly after sign-in two strangers write to
# Alice (eve@evil.test, an unknown domain, and payroll@acme-corp.test, a
# lookalike of acme.test: both land in Requests) and IT publishes a security
# bulletin over PubSub, which appears live as a banner. Server data and the client's data directory
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
admin=${PALISADE_ADMIN_BIN:-build/palisade-admin}
[ -x "$bin" ] || die "$bin not built: run \`make build\`"
[ -x "$admin" ] || die "$admin not built: run \`make build\`"
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

# ACME's identity CA (made once, in $idd/ca) and Bob's device certificate:
# the scripted bob publishes $idd/bob.pem and signs with $idd/bob.key.
idd=$run/identity
if [ ! -s "$idd/ca/ca.key" ]; then
	"$ROOT/$admin" ca init --dir "$idd/ca" --name "ACME Identity CA" --org ACME 2>/dev/null ||
		die "could not make the demo identity CA"
fi
if [ ! -s "$idd/bob.pem" ] || ! openssl x509 -checkend 86400 -noout -in "$idd/bob.pem" >/dev/null 2>&1; then
	"$ROOT/$admin" ca issue --dir "$idd/ca" --jid bob@acme.test --name "Bob Leroy" --new-key "$idd/bob.key" \
		--out "$idd/bob.pem" 2>/dev/null || die "could not certify bob's device"
fi
start_peer "$run/peer.log"

# ACME IT: a signing key (made once), the example profile signed with it and
# installed where a managed machine keeps it, and published on the PubSub
# node that clients follow. The client trusts only keys in $sys/keys.
it=$run/it
sys=$run/system
export PALISADE_SYSTEM_DIR=$sys
if [ ! -s "$it/acme-it.private.jwk" ]; then
	"$ROOT/$admin" keygen --out "$it" --name acme-it >/dev/null
fi
mkdir -p "$sys/keys"
cp "$it/acme-it.jwk" "$sys/keys/"
cp docs/examples/acme-profile.json "$sys/profile.json"
# The demo's identity CA joins the profile's trusted identity CAs.
"$PY" - "$sys/profile.json" "$idd/ca/ca.pem" <<'PYEOF'
import json, sys, time
path, ca = sys.argv[1], open(sys.argv[2]).read()
with open(path) as f:
    doc = json.load(f)
# Each run signs a newer profile, so that the example's latest content wins
# over the one a previous run left in force (an equal serial with other
# content is refused as a rollback, as it should be).
doc["serial"] = int(time.time())
ids = doc.setdefault("trusted_cas", {}).setdefault("identity", [])
if ca not in ids:
    ids.append(ca)
with open(path, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
PYEOF
"$ROOT/$admin" sign --key "$it/acme-it.private.jwk" "$sys/profile.json" >/dev/null
it_admin() {
	"$ROOT/$admin" publish --jid it-admin@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
		--password-fd 3 "$@" 3<<<"$PALISADE_DEMO_PASSWORD"
}
it_admin "$sys/profile.json" >/dev/null || die "could not publish the profile as it-admin"
"$ROOT/$admin" bulletin new --id demo-welcome --severity info --title "Security notices from ACME IT" \
	--body "IT posts warnings about current scams here. Palisade shows them until you dismiss them." >"$it/welcome.json"
"$ROOT/$admin" sign --key "$it/acme-it.private.jwk" "$it/welcome.json" >/dev/null
it_admin "$it/welcome.json" >/dev/null || die "could not publish the welcome bulletin"
say "managed profile acme-default signed by ACME IT key $(basename "$it")/acme-it; bulletins on pubsub.acme.test"

# IT's desk approves the device certificate requests of ACME's users (alice
# asks with Request certificate in the account panel): collect the requests
# from it-admin's archive and approve each over XMPP.
(
	while sleep 3; do
		"$ROOT/$admin" ca inbox --dir "$idd/ca" --jid it-admin@acme.test --server "127.0.0.1:$C2S_PORT" \
			--ca-file "$CA_FILE" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD" >"$idd/queue.txt" || continue
		while read -r id who _; do
			case $who in
			alice@acme.test) name="Alice Martin" ;;
			dave@acme.test) name="Dave Moreau" ;;
			*@acme.test) name="" ;;
			*) continue ;;
			esac
			"$ROOT/$admin" ca approve --dir "$idd/ca" --jid it-admin@acme.test --server "127.0.0.1:$C2S_PORT" \
				--ca-file "$CA_FILE" --password-fd 3 ${name:+--name "$name"} "$id" 3<<<"$PALISADE_DEMO_PASSWORD"
		done < <(grep -v PROBLEM "$idd/queue.txt")
	done
) >"$run/enrol.log" 2>&1 &
at_exit "stop_pid $!"
say "identity: ACME Identity CA in $idd/ca (trusted by the profile); bob is certified; alice's certificate request (account panel) is approved automatically by IT's desk (log $run/enrol.log)"

# Later: two strangers write first, and IT warns about a live phishing campaign.
(
	sleep 8
	"$PY" "$ROOT/scripts/demo-peer.py" --host 127.0.0.1 --port "$C2S_PORT" --ca-file "$CA_FILE" \
		--password "$PALISADE_DEMO_PASSWORD" --jid eve@evil.test \
		--send-once "Hello Alice, I'm a recruiter at a firm you don't know. Could you send me ACME's org chart?"
	"$PY" "$ROOT/scripts/demo-peer.py" --host 127.0.0.1 --port "$C2S_PORT" --ca-file "$CA_FILE" \
		--password "$PALISADE_DEMO_PASSWORD" --jid payroll@acme-corp.test \
		--send-once "URGENT from ACME Payroll: your payslip is on hold. Confirm your bank details today at https://acme-corp.test/payslip"
	sleep 4
	"$ROOT/$admin" bulletin new --id demo-payroll-phishing --severity critical --title "Phishing: fake payroll messages" \
		--body "Messages from acme-corp.test pretending to be Payroll ask for bank details. It is not ACME. Do not open the link; block the sender." \
		>"$it/payroll.json"
	"$ROOT/$admin" sign --key "$it/acme-it.private.jwk" "$it/payroll.json" >/dev/null
	it_admin "$it/payroll.json" >/dev/null
) >"$run/strangers.log" 2>&1 &
at_exit "stop_pid $!"

# A private clamd (EICAR-only signature database, Unix socket only), so that
# received files are scanned as on a real machine; the demo's files land in
# .run/demo/downloads.
if "$ROOT/testenv/clamd.sh" start "$run/clamd" >"$run/clamd.log" 2>&1; then
	at_exit "\"$ROOT/testenv/clamd.sh\" stop \"$run/clamd\""
	scan_args=(--clamd-socket "$run/clamd/clamd.sock")
	say "virus scanner: private clamd ($run/clamd); $run/clamd/eicar.txt is a harmless test file it flags"
else
	scan_args=()
	say "virus scanner: clamd did not start (see $run/clamd.log); received files stay in quarantine, unscanned"
fi

say "opening Palisade as alice@acme.test (server 127.0.0.1:$C2S_PORT, CA $CA_FILE)"
say "logs: bob in $run/peer.log, the server in $run/server/prosody.log"
say "demo accounts: alice, bob, dave, it-admin @acme.test; carol@partner.test; mallory@evil.test; password: $PALISADE_DEMO_PASSWORD"
say "training: the profile requires the lessons phishing and verify-identity; until alice passes them, chats and files with outsiders are locked (progress in $run/data/training.json; IT collects the signed reports with: $admin training inbox --jid it-admin@acme.test --server 127.0.0.1:$C2S_PORT --ca-file $CA_FILE --password-fd 3 --ca IDENTITY-CA.pem 3<<<PASSWORD)"
# The demo's keyring is thrown away after each run, and alice's device key
# and archive key with it: start her device and local archive afresh rather
# than report a lost key and an unreadable archive every time.
rm -f "$run/data/device.json" "$run/data/archive.db" "$run/data/archive.db-wal" "$run/data/archive.db-shm"
status=0
"$ROOT/scripts/with-keyring.sh" "$ROOT/$bin" --jid alice@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
	--data-dir "$run/data" --download-dir "$run/downloads" "${scan_args[@]}" \
	--password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD" || status=$?
say "client exited ($status); stopping bob and the demo server"
exit "$status"
