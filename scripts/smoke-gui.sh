#!/usr/bin/env bash
# smoke-gui.sh [SCREENSHOT]: the real client in a real window.
#
# Starts a private Prosody and the scripted peer (bob), then the built client
# (build/palisade, or $PALISADE_BIN) under Xvfb inside its own D-Bus session,
# signed in as alice@acme.test with the password on fd 3. Passes when:
#   - a window titled "Palisade" appears,
#   - the client holds a connection to the server and alice comes online
#     (bob sees her presence and greets her),
#   - the screenshot of the window (default build/screenshot-main.png) is a
#     real picture: more than $MIN_COLOURS distinct colours.
# On failure it prints the client's, the peer's and the server's logs.
#
# Environment: PALISADE_BIN, SMOKE_TIMEOUT (seconds per wait, default 60),
# SMOKE_KEEP=1 to keep the work directory, SMOKE_CLICK="X Y" to click there
# (window coordinates) before the screenshot, and then SMOKE_TYPE="text" to
# type and send a message there (bob must answer).
#
# SMOKE_SEND_FILE="PATH..." has a second device of SMOKE_FILE_FROM
# (default bob@acme.test; the client in headless mode) send each file to
# alice through the server's upload service, after SMOKE_OPEN and
# SMOKE_TYPE; the word EICAR stands for the EICAR test file. SMOKE_CLAMD=1
# starts a private clamd (testenv/clamd.sh: it knows only EICAR) and points
# alice's client at it, with downloads in the work directory.
#
# SMOKE_DEMO=1 sets the scene of the README picture, as scripts/demo.sh
# does: ACME IT's key and the signed example profile
# (docs/examples/acme-profile.json) as the managed profile in a private
# PALISADE_SYSTEM_DIR, two IT bulletins published over PubSub, and, once
# alice is online, a message from carol@partner.test (a partner) and first
# messages from two strangers (eve@evil.test, unknown, and
# payroll@acme-corp.test, a lookalike of acme.test) that land in Requests.
# It needs build/palisade-admin ($PALISADE_ADMIN_BIN). Then
# SMOKE_OPEN="name" opens that contact's conversation from the keyboard
# (Ctrl+F, name, Enter) and SMOKE_TYPE="text" is sent there (no answer is
# awaited: only bob answers).
#
# SMOKE_TRAINING=1 starts alice without training done: the window opens
# on the training welcome (otherwise she has passed the required lessons
# and seen every prompt, so that no dialog covers the scene).
#
# SMOKE_IDENTITY=1 (with SMOKE_DEMO=1) adds identities: a fresh ACME
# Identity CA trusted by the profile, and bob's device certified by it (the
# scripted bob publishes the certificate and signs what he sends), so that
# alice sees him verified. SMOKE_IDENTITY_CHANGE=1 then has bob write once
# more from a new device whose certificate comes from another CA that only
# pretends to be ACME's: alice's session reports the identity change, and
# SMOKE_OPEN=bob shows the banner with the composer locked, and
# SMOKE_OPEN_CLICK="X Y" then clicks there in the open conversation (for
# example its "I have checked this", which unlocks the composer).
# SMOKE_ENROL="X Y" (with SMOKE_IDENTITY=1) opens Settings and clicks
# there (Request certificate in the account panel, window coordinates);
# IT's desk (palisade-admin ca inbox/approve as it-admin) approves alice's
# request over XMPP, and the picture shows the panel once she is enrolled.
#
# SMOKE_TRAY=1 gives the client's D-Bus session a desktop tray
# (scripts/tray-host.sh: a StatusNotifierWatcher and a tray bar at the top
# right), checks that the client's tray icon registers with it, and takes
# the picture of the whole screen; SMOKE_TRAY_CLICK="X Y [BUTTON]" clicks
# there first (screen coordinates; the icon is near "1262 16").
# SMOKE_TRAY_AWAY=1 chooses Away in the icon's menu and waits until bob
# sees alice away.
#
# SMOKE_RESIZE="W H" (after the picture) resizes the window, quits with
# Ctrl+Q, starts the client again and checks that the window opens at W x H.
#
# SMOKE_ROOM="room@conference.acme.test" has bob's second device create
# that room, write in it and invite alice: the invitation card (with bob's
# trust) appears; SMOKE_ROOM_JOIN="X Y" then clicks there (the card's
# Join button, window coordinates) and waits until alice is in the room.
# SMOKE_SEARCH="words" then opens the search panel (Ctrl+Shift+F) and
# searches the local archive for them; the picture shows the results, or,
# with SMOKE_SEARCH_PICK="X Y", the conversation around the result clicked
# there (window coordinates), the message highlighted.
set -euo pipefail
SCRIPT_NAME=smoke-gui
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

out=${1:-build/screenshot-main.png}
bin=${PALISADE_BIN:-build/palisade}
limit=${SMOKE_TIMEOUT:-60}
MIN_COLOURS=${MIN_COLOURS:-24}

for tool in Xvfb xdotool dbus-run-session ss; do
	command -v "$tool" >/dev/null || die "$tool not found: run scripts/deps.sh"
done
[ -x /usr/bin/convert ] && [ -x /usr/bin/import ] || die "ImageMagick not found: run scripts/deps.sh"
if [ ! -x "$bin" ]; then
	say "building $bin"
	go build -o "$bin" ./cmd/client
fi
[[ $bin = /* ]] || bin=$ROOT/$bin

work=$(mktemp -d "${TMPDIR:-/tmp}/palisade-smoke.XXXXXX")
if [ "${SMOKE_KEEP:-}" = 1 ]; then
	at_exit "say \"work directory kept: $work\""
else
	at_exit "rm -rf \"$work\""
fi
# Fyne keeps its preferences under the user config dir: keep runs apart.
export XDG_CONFIG_HOME=$work/config

show_logs() {
	local f
	for f in "$work/client.log" "$work/peer.log" "$work/server/prosody.log"; do
		[ -s "$f" ] || continue
		echo "----- $f (last 40 lines)" >&2
		tail -40 "$f" >&2
	done
}

bob_answered() { [ "$(grep -c 'sent to alice' "$work/peer.log")" -ge 2 ]; }

fail() {
	show_logs
	die "$*"
}

start_prosody "$work/server"
peer_args=(--typing-delay 0.3)
if [ "${SMOKE_IDENTITY:-}" = 1 ]; then
	admin=${PALISADE_ADMIN_BIN:-build/palisade-admin}
	[ -x "$admin" ] || go build -o "$admin" ./cmd/palisade-admin
	[[ $admin = /* ]] || admin=$ROOT/$admin
	idd=$work/identity
	"$admin" ca init --dir "$idd/ca" --name "ACME Identity CA" --org ACME >/dev/null 2>&1 ||
		fail "could not make the identity CA"
	"$admin" ca issue --dir "$idd/ca" --jid bob@acme.test --name "Bob Leroy" --new-key "$idd/bob.key" \
		--out "$idd/bob.pem" >/dev/null 2>&1 || fail "could not certify bob's device"
	peer_args+=(--identity-cert "$idd/bob.pem" --identity-key "$idd/bob.key")
	say "identity: ACME Identity CA in $idd/ca; bob's device certified"
fi
start_peer "$work/peer.log" "${peer_args[@]}"

if [ "${SMOKE_DEMO:-}" = 1 ]; then
	admin=${PALISADE_ADMIN_BIN:-build/palisade-admin}
	if [ ! -x "$admin" ]; then
		say "building $admin"
		go build -o "$admin" ./cmd/palisade-admin
	fi
	[[ $admin = /* ]] || admin=$ROOT/$admin
	# ACME IT: a signing key, the example profile signed with it and
	# installed where a managed machine keeps it, two bulletins on PubSub.
	it=$work/it
	export PALISADE_SYSTEM_DIR=$work/system
	"$admin" keygen --out "$it" --name acme-it >/dev/null
	mkdir -p "$PALISADE_SYSTEM_DIR/keys"
	cp "$it/acme-it.jwk" "$PALISADE_SYSTEM_DIR/keys/"
	cp docs/examples/acme-profile.json "$PALISADE_SYSTEM_DIR/profile.json"
	if [ "${SMOKE_IDENTITY:-}" = 1 ]; then
		# The identity CA joins the profile's trusted identity CAs.
		"$PY" - "$PALISADE_SYSTEM_DIR/profile.json" "$idd/ca/ca.pem" <<'PYEOF'
import json, sys
path, ca = sys.argv[1], open(sys.argv[2]).read()
with open(path) as f:
    doc = json.load(f)
ids = doc.setdefault("trusted_cas", {}).setdefault("identity", [])
if ca not in ids:
    ids.append(ca)
with open(path, "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
PYEOF
	fi
	"$admin" sign --key "$it/acme-it.private.jwk" "$PALISADE_SYSTEM_DIR/profile.json" >/dev/null
	it_admin() {
		"$admin" publish --jid it-admin@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
			--password-fd 3 "$@" 3<<<"$PALISADE_DEMO_PASSWORD"
	}
	bulletin() { # ID SEVERITY TITLE BODY
		"$admin" bulletin new --id "$1" --severity "$2" --title "$3" --body "$4" >"$it/$1.json"
		"$admin" sign --key "$it/acme-it.private.jwk" "$it/$1.json" >/dev/null
		it_admin "$it/$1.json" >/dev/null || fail "could not publish bulletin $1 as it-admin"
	}
	it_admin "$PALISADE_SYSTEM_DIR/profile.json" >/dev/null || fail "could not publish the profile as it-admin"
	bulletin demo-welcome info "Security notices from ACME IT" \
		"IT posts warnings about current scams here. Palisade shows them until you dismiss them."
	bulletin demo-payroll-phishing critical "Phishing: fake payroll messages" \
		"Messages from acme-corp.test pretending to be Payroll ask for bank details. It is not ACME. Do not open the link; block the sender."
	say "managed profile signed by a fresh ACME IT key in $PALISADE_SYSTEM_DIR; two bulletins published"
fi
# send_once JID BODY: JID writes BODY to alice once.
send_once() {
	"$PY" "$ROOT/scripts/demo-peer.py" --host 127.0.0.1 --port "$C2S_PORT" --ca-file "$CA_FILE" \
		--password "$PALISADE_DEMO_PASSWORD" --jid "$1" --send-once "$2" >>"$work/strangers.log" 2>&1 ||
		fail "$1 could not write to alice"
}

client_args=()
if [ "${SMOKE_CLAMD:-}" = 1 ]; then
	"$ROOT/testenv/clamd.sh" start "$work/clamd" >/dev/null || fail "could not start clamd"
	at_exit "\"$ROOT/testenv/clamd.sh\" stop \"$work/clamd\" >/dev/null"
	client_args+=(--clamd-socket "$work/clamd/clamd.sock" --download-dir "$work/downloads")
	say "clamd on $work/clamd/clamd.sock"
fi

# Security training: the welcome, the lessons the example profile requires
# and the just-in-time prompts are dialogs that would cover the other
# scenes, so alice has seen and passed them unless SMOKE_TRAINING=1 (then
# the window opens on the first-run welcome).
if [ "${SMOKE_TRAINING:-}" != 1 ]; then
	mkdir -p -m 700 "$work/data"
	at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	done_=$(printf '{"version": 1, "score": 3, "total": 3, "at": "%s"}' "$at")
	shown=$(printf '{"shown": "%s", "seen": "%s"}' "$at" "$at")
	printf '{"completions": {"phishing": %s, "verify-identity": %s}, "prompts": {"first-unknown-chat": %s, "first-partner-file": %s, "first-external-link": %s, "first-identity-change": %s}, "welcome_seen": "%s"}\n' \
		"$done_" "$done_" "$shown" "$shown" "$shown" "$shown" "$at" >"$work/data/training.json"
	chmod 600 "$work/data/training.json"
fi

start_xvfb 1280x800

# SMOKE_TRAY=1: a desktop tray on the client's D-Bus session bus (a
# StatusNotifierWatcher and a tray bar at the top right of the screen).
tray_prefix=()
if [ "${SMOKE_TRAY:-}" = 1 ]; then
	mkdir -p "$work/tray"
	tray_prefix=("$ROOT/scripts/tray-host.sh" "$work/tray")
fi

t0=$SECONDS
start_gui "$work/client.pid" "$work/client.log" \
	"${tray_prefix[@]}" "$bin" --jid alice@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
	--data-dir "$work/data" "${client_args[@]}" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD"
say "client started (pid $GUI_PID)"

wid=$(wait_window 'Palisade' "$limit") || fail "no window titled Palisade after ${limit}s"
say "window $wid appeared after $((SECONDS - t0))s"

wait_for "$limit" connected "$GUI_PID" "$C2S_PORT" || fail "client holds no connection to 127.0.0.1:$C2S_PORT"
wait_for "$limit" grep -q 'is online; greeting' "$work/peer.log" ||
	fail "alice did not come online (bob saw no presence from her)"
wait_for 20 grep -q 'sent to alice@acme.test' "$work/peer.log" || fail "bob could not greet alice"
say "signed in and online after $((SECONDS - t0))s; bob greeted alice"
kill -0 "$GUI_PID" 2>/dev/null || fail "client exited"

if [ "${SMOKE_DEMO:-}" = 1 ]; then
	send_once carol@partner.test "Hi Alice, the draft of the Q3 delivery contract is ready. Shall I send it to you here?"
	send_once eve@evil.test "Hello Alice, I'm a recruiter at a firm you don't know. Could you send me ACME's org chart?"
	send_once payroll@acme-corp.test "URGENT from ACME Payroll: your payslip is on hold. Confirm your bank details today at https://acme-corp.test/payslip"
	say "carol, eve and payroll wrote to alice"
fi
if [ "${SMOKE_IDENTITY_CHANGE:-}" = 1 ]; then
	# Bob's "new laptop": a device key certified by another CA that calls
	# itself ACME Identity CA, which the profile does not trust.
	"$admin" ca init --dir "$idd/rogue" --name "ACME Identity CA" --org ACME >/dev/null 2>&1 ||
		fail "could not make the second CA"
	"$admin" ca issue --dir "$idd/rogue" --jid bob@acme.test --name "Bob Leroy" --new-key "$idd/bob-new.key" \
		--out "$idd/bob-new.pem" >/dev/null 2>&1 || fail "could not make bob's new device"
	"$PY" "$ROOT/scripts/demo-peer.py" --host 127.0.0.1 --port "$C2S_PORT" --ca-file "$CA_FILE" \
		--password "$PALISADE_DEMO_PASSWORD" --jid bob@acme.test --identity-cert "$idd/bob-new.pem" \
		--identity-key "$idd/bob-new.key" --send-once "Hi Alice, I'm on my new laptop. Can you send me the VPN config file?" \
		>>"$work/strangers.log" 2>&1 || fail "bob's new device could not write to alice"
	say "bob wrote from a new device certified by another CA"
fi

# The tray: the client's StatusNotifierItem is registered with the
# watcher, and its title says how many messages are unread.
if [ "${SMOKE_TRAY:-}" = 1 ]; then
	at_exit "kill \$(cat \"$work/tray/tray.pid\" 2>/dev/null) 2>/dev/null || true"
	tray_items() {
		DBUS_SESSION_BUS_ADDRESS=$(cat "$work/tray/bus") dbus-send --session --print-reply \
			--dest=org.kde.StatusNotifierWatcher /StatusNotifierWatcher org.freedesktop.DBus.Properties.Get \
			string:org.kde.StatusNotifierWatcher string:RegisteredStatusNotifierItems 2>/dev/null |
			grep -o 'string "[^"]*"' || true
	}
	tray_registered() { [ -n "$(tray_items)" ]; }
	wait_for "$limit" tray_registered || fail "the client's tray icon was not registered with the StatusNotifierWatcher"
	say "tray item registered: $(tray_items | head -1)"
fi
# SMOKE_TRAY_CLICK="X Y [BUTTON]" clicks there on the screen (the tray
# icon is at the top right) before the picture: button 3 opens its menu.
tray_click() {
	[ -n "${SMOKE_TRAY_CLICK:-}" ] || return 0
	read -r tx ty tb <<<"$SMOKE_TRAY_CLICK"
	xdotool mousemove "$tx" "$ty" click "${tb:-1}"
	sleep 2
}
# SMOKE_TRAY_AWAY=1: the quick status from the tray: open the tray icon's
# menu, choose Away, and bob must see alice away.
if [ "${SMOKE_TRAY_AWAY:-}" = 1 ]; then
	xdotool mousemove 1262 16 click 3
	sleep 2
	xdotool mousemove 1141 99 click 1
	wait_for 20 grep -q 'alice@acme.test shows away' "$work/peer.log" ||
		fail "choosing Away in the tray menu did not set alice away (bob saw no away presence)"
	say "Away chosen in the tray menu: bob sees alice away"
	xdotool mousemove 640 400
fi

# Let the greeting arrive and the window settle before the picture.
sleep "${SMOKE_SETTLE:-3}"
name=$(xdotool getwindowname "$wid" 2>/dev/null) || fail "window gone"
say "window title: $name"
xdotool search --name Palisade >/dev/null || fail "no window named Palisade"
# For the README picture: click a roster row (window coordinates) to open
# that conversation first, e.g. SMOKE_CLICK="150 200" for the first contact.
if [ -n "${SMOKE_CLICK:-}" ]; then
	read -r cx cy <<<"$SMOKE_CLICK"
	xdotool mousemove --window "$wid" "$cx" "$cy" click 1
	sleep 2
	if [ -n "${SMOKE_TYPE:-}" ]; then
		# The composer has the focus once a conversation is open.
		xdotool type --delay 20 "$SMOKE_TYPE"
		xdotool key Return
		wait_for 20 grep -q 'message from alice' "$work/peer.log" || fail "bob did not get alice's message"
		wait_for 20 bob_answered || fail "bob did not answer"
		say "alice's message reached bob and he answered"
		sleep 2
	fi
	xdotool mousemove --window "$wid" 1 1
	sleep 1
fi
# Open a conversation from the keyboard: Ctrl+F, the name, Enter.
if [ -n "${SMOKE_OPEN:-}" ]; then
	xdotool mousemove --window "$wid" 1 1
	xdotool key --window "$wid" ctrl+f
	sleep 0.5
	xdotool type --delay 30 "$SMOKE_OPEN"
	xdotool key Return
	sleep 2
	if [ -n "${SMOKE_TYPE:-}" ]; then
		xdotool type --delay 20 "$SMOKE_TYPE"
		xdotool key Return
		sleep 2
	fi
	if [ -n "${SMOKE_OPEN_CLICK:-}" ]; then
		read -r ox oy <<<"$SMOKE_OPEN_CLICK"
		xdotool mousemove --window "$wid" "$ox" "$oy" click 1
		sleep 2
		xdotool mousemove --window "$wid" 1 1
	fi
fi
# SMOKE_SEND_FILE="PATH...": SMOKE_FILE_FROM (bob@acme.test, or another
# demo account), on a second device (the client in headless mode), sends
# each file to alice through the server's HTTP upload service; the GUI
# receives them (files from colleagues and partners are fetched at once
# and scanned).
# start_sender JID: JID's second device (the client in headless mode),
# driven through fd 8; its events go to $work/sender.log.
sender_pid=
start_sender() {
	[ -n "$sender_pid" ] && return
	mkfifo "$work/sender.in"
	"$bin" --headless --jid "$1" --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
		--data-dir "$work/sender-data" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD" \
		<"$work/sender.in" >"$work/sender.log" 2>&1 &
	sender_pid=$!
	exec 8>"$work/sender.in"
	at_exit "exec 8>&-; stop_pid $sender_pid"
	wait_for "$limit" grep -q '"event":"connected"' "$work/sender.log" || fail "$1's headless client did not connect"
}
if [ -n "${SMOKE_SEND_FILE:-}" ]; then
	from=${SMOKE_FILE_FROM:-bob@acme.test}
	start_sender "$from"
	n=0
	for f in $SMOKE_SEND_FILE; do
		if [ "$f" = EICAR ]; then
			f=$work/eicar.txt
			printf '%s' 'X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*' >"$f"
		fi
		n=$((n + 1))
		printf '{"cmd":"sendfile","to":"alice@acme.test","path":"%s","id":"smoke-file-%d"}\n' "$f" "$n" >&8
		wait_for "$limit" grep -q "\"event\":\"file_sent\",\"id\":\"smoke-file-$n\"" "$work/sender.log" ||
			fail "$from could not send $f: $(grep -E '"event":"(refused|error|file_rejected)"' "$work/sender.log" | tail -3)"
		say "$from sent $(basename "$f") to alice through the upload service"
	done
	sleep "${SMOKE_FILE_SETTLE:-3}" # download and scan
fi
# SMOKE_ROOM: bob creates a room, writes there and invites alice.
if [ -n "${SMOKE_ROOM:-}" ]; then
	start_sender bob@acme.test
	room=$SMOKE_ROOM
	printf '{"cmd":"create_room","room":"%s","nick":"bob","name":"Smoke room","persistent":true}\n' "$room" >&8
	wait_for "$limit" grep -q "\"event\":\"room_joined\",\"room\":\"$room\"" "$work/sender.log" ||
		fail "bob could not create $room: $(grep -E '"event":"(error|refused)"' "$work/sender.log" | tail -3)"
	printf '{"cmd":"room_topic","room":"%s","topic":"Release 4.2 go/no-go"}\n' "$room" >&8
	printf '{"cmd":"room_message","room":"%s","body":"Welcome to the release room: the contract is signed."}\n' "$room" >&8
	printf '{"cmd":"invite","room":"%s","jid":"alice@acme.test","reason":"Release go/no-go"}\n' "$room" >&8
	sleep 2
	grep -E '"event":"(error|refused)"' "$work/sender.log" | grep -q invite && fail "bob could not invite alice: $(grep invite "$work/sender.log" | tail -2)"
	say "bob created $room and invited alice"
	if [ -n "${SMOKE_ROOM_JOIN:-}" ]; then
		read -r jx jy <<<"$SMOKE_ROOM_JOIN"
		xdotool mousemove --window "$wid" "$jx" "$jy" click 1
		wait_for 20 grep -q "\"event\":\"occupant\",\"room\":\"$room\",\"nick\":\"alice\"" "$work/sender.log" ||
			fail "alice did not enter $room (bob saw no occupant alice)"
		say "alice joined $room from the invitation"
		sleep 2
	fi
fi
# SMOKE_SEARCH: the search panel over the local archive.
if [ -n "${SMOKE_SEARCH:-}" ]; then
	xdotool mousemove --window "$wid" 1 1
	xdotool key --window "$wid" ctrl+shift+f
	sleep 0.7
	xdotool type --delay 30 "$SMOKE_SEARCH"
	xdotool key Return
	sleep 2
	if [ -n "${SMOKE_SEARCH_PICK:-}" ]; then
		read -r px py <<<"$SMOKE_SEARCH_PICK"
		xdotool mousemove --window "$wid" "$px" "$py" click 1
		sleep 2
		xdotool mousemove --window "$wid" 1 1
	fi
fi
# SMOKE_ENROL: alice asks for a device certificate; IT approves it.
if [ -n "${SMOKE_ENROL:-}" ]; then
	read -r ex ey <<<"$SMOKE_ENROL"
	xdotool mousemove --window "$wid" 40 704 click 1 # Settings
	sleep 1.5
	xdotool mousemove --window "$wid" "$ex" "$ey" click 1
	enrolled=
	for _ in $(seq 1 20); do
		sleep 2
		"$admin" ca inbox --dir "$idd/ca" --jid it-admin@acme.test --server "127.0.0.1:$C2S_PORT" \
			--ca-file "$CA_FILE" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD" >"$idd/queue.txt" 2>>"$work/enrol.log" || continue
		req=$(awk '$2 == "alice@acme.test" && !/PROBLEM/ {print $1; exit}' "$idd/queue.txt")
		[ -n "$req" ] || continue
		"$admin" ca approve --dir "$idd/ca" --jid it-admin@acme.test --server "127.0.0.1:$C2S_PORT" \
			--ca-file "$CA_FILE" --password-fd 3 --name "Alice Martin" "$req" 3<<<"$PALISADE_DEMO_PASSWORD" \
			>>"$work/enrol.log" 2>&1 || fail "IT could not approve alice's request $req"
		enrolled=$req
		break
	done
	[ -n "$enrolled" ] || fail "alice's certificate request did not reach IT (queue: $(cat "$idd/queue.txt" 2>/dev/null))"
	say "IT approved alice's certificate request $enrolled"
	sleep 3
	xdotool mousemove --window "$wid" 1 1
fi

mkdir -p "$(dirname "$out")"
if [ "${SMOKE_TRAY:-}" = 1 ]; then
	tray_click
	# The whole screen: the tray bar is not part of the window.
	import -window root "png:$out" || fail "screenshot failed"
else
	import -window "$wid" "png:$out" 2>/dev/null || import -window root "png:$out" || fail "screenshot failed"
fi
colours=$(/usr/bin/convert "$out" -format '%k' info:)
geometry=$(/usr/bin/convert "$out" -format '%wx%h' info:)
say "screenshot $out: $geometry, $colours colours"
((colours > MIN_COLOURS)) || fail "screenshot has only $colours colours: the window looks blank"

grep -E 'panic|fatal error|DATA RACE' "$work/client.log" >&2 && fail "client log shows a crash or race"

# SMOKE_RESIZE="W H": the window keeps its size: resize it, quit with
# Ctrl+Q, start the client again and find the window at that size.
if [ -n "${SMOKE_RESIZE:-}" ]; then
	read -r rw rh <<<"$SMOKE_RESIZE"
	xdotool windowsize "$wid" "$rw" "$rh"
	sleep 1
	xdotool mousemove --window "$wid" 200 200 click 1
	sleep 0.5
	xdotool key --window "$wid" ctrl+q
	for _ in $(seq 1 50); do
		kill -0 "$GUI_PID" 2>/dev/null || break
		sleep 0.2
	done
	kill -0 "$GUI_PID" 2>/dev/null && fail "Ctrl+Q did not quit the client"
	say "resized to ${rw}x${rh} and quit with Ctrl+Q"
	start_gui "$work/client2.pid" "$work/client2.log" \
		"$bin" --jid alice@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
		--data-dir "$work/data" "${client_args[@]}" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD"
	wid=$(wait_window 'Palisade' "$limit") || fail "no window after the restart"
	sleep 1
	read -r gw gh < <(xdotool getwindowgeometry "$wid" | awk '/Geometry/ {split($2, g, "x"); print g[1], g[2]}')
	[ "$gw" = "$rw" ] && [ "$gh" = "$rh" ] || fail "the window opened at ${gw}x${gh} after the restart, not ${rw}x${rh}"
	say "restarted: the window opened at ${gw}x${gh}"
	grep -E 'panic|fatal error|DATA RACE' "$work/client2.log" >&2 && fail "client log shows a crash or race"
fi
say "ok"
