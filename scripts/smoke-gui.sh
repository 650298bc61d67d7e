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
start_peer "$work/peer.log" --typing-delay 0.3
start_xvfb 1280x800

t0=$SECONDS
start_gui "$work/client.pid" "$work/client.log" \
	"$ROOT/$bin" --jid alice@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
	--data-dir "$work/data" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD"
say "client started (pid $GUI_PID)"

wid=$(wait_window 'Palisade' "$limit") || fail "no window titled Palisade after ${limit}s"
say "window $wid appeared after $((SECONDS - t0))s"

wait_for "$limit" connected "$GUI_PID" "$C2S_PORT" || fail "client holds no connection to 127.0.0.1:$C2S_PORT"
wait_for "$limit" grep -q 'is online; greeting' "$work/peer.log" ||
	fail "alice did not come online (bob saw no presence from her)"
wait_for 20 grep -q 'sent to alice@acme.test' "$work/peer.log" || fail "bob could not greet alice"
say "signed in and online after $((SECONDS - t0))s; bob greeted alice"
kill -0 "$GUI_PID" 2>/dev/null || fail "client exited"

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
mkdir -p "$(dirname "$out")"
import -window "$wid" "png:$out" 2>/dev/null || import -window root "png:$out" || fail "screenshot failed"
colours=$(/usr/bin/convert "$out" -format '%k' info:)
geometry=$(/usr/bin/convert "$out" -format '%wx%h' info:)
say "screenshot $out: $geometry, $colours colours"
((colours > MIN_COLOURS)) || fail "screenshot has only $colours colours: the window looks blank"

grep -E 'panic|fatal error|DATA RACE' "$work/client.log" >&2 && fail "client log shows a crash or race"
say "ok"
