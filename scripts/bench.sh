#!/usr/bin/env bash
# bench.sh: Go benchmarks, then the GUI's memory with a big roster.
#
# 1. `go test -run '^$' -bench . -benchmem` on every package that has a
#    Benchmark function (BENCH_PKGS overrides the list, BENCH_TIME sets
#    -benchtime).
# 2. Memory under Xvfb, each in its own D-Bus session:
#      - cmd/fyne-baseline, an empty Fyne window: what the toolkit costs;
#      - the client signed in as alice@acme.test with a roster of
#        $CONTACTS contacts (default 2000), after $HOLD seconds (default 30).
#    Sampled every second: PSS (from /proc/PID/smaps_rollup) and RSS summed
#    over the process tree; peak RSS is the sum of each process's VmHWM.
#
# Environment: PALISADE_BIN, CONTACTS, HOLD, BENCH_PKGS, BENCH_TIME,
# SKIP_GO_BENCH=1, SKIP_MEMORY=1.
set -euo pipefail
SCRIPT_NAME=bench
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

bin=${PALISADE_BIN:-build/palisade}
contacts=${CONTACTS:-2000}
hold=${HOLD:-30}

# ---- 1. Go benchmarks
if [ "${SKIP_GO_BENCH:-}" != 1 ]; then
	if [ -n "${BENCH_PKGS:-}" ]; then
		read -r -a pkgs <<<"$BENCH_PKGS"
	else
		mapfile -t pkgs < <(grep -rlE --include='*_test.go' '^func Benchmark[A-Z_0-9]' . 2>/dev/null |
			grep -v '^./\.run/' | xargs -r -n1 dirname | sort -u)
	fi
	if [ ${#pkgs[@]} -eq 0 ]; then
		say "no Go benchmarks in the module yet"
	else
		say "go test -bench on: ${pkgs[*]}"
		go test -run '^$' -bench . -benchmem ${BENCH_TIME:+-benchtime "$BENCH_TIME"} "${pkgs[@]}"
	fi
fi

[ "${SKIP_MEMORY:-}" = 1 ] && exit 0

# ---- 2. Memory
mkdir -p build
[ -x "$bin" ] || go build -o "$bin" ./cmd/client
go build -o build/fyne-baseline ./cmd/fyne-baseline

work=$(mktemp -d "${TMPDIR:-/tmp}/palisade-bench.XXXXXX")
at_exit "rm -rf \"$work\""
# Fyne keeps its preferences under the user config dir: keep runs apart.
export XDG_CONFIG_HOME=$work/config

# kB sums over a process tree. Prints: pss_kB rss_kB hwm_kB.
measure_tree() {
	local pss=0 rss=0 hwm=0 p v
	for p in $(tree_pids "$1"); do
		[ -r "/proc/$p/smaps_rollup" ] || continue
		v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
		pss=$((pss + ${v:-0}))
		v=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
		rss=$((rss + ${v:-0}))
		v=$(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
		hwm=$((hwm + ${v:-0}))
	done
	echo "$pss $rss $hwm"
}

# sample NAME PID SECONDS: sample once a second; append a result row.
rows=()
sample() {
	local name=$1 pid=$2 secs=$3 i pss rss hwm peak_pss=0 peak_rss=0 peak_hwm=0
	for ((i = 0; i < secs; i++)); do
		kill -0 "$pid" 2>/dev/null || die "$name exited during the measurement"
		read -r pss rss hwm < <(measure_tree "$pid")
		((pss > peak_pss)) && peak_pss=$pss
		((rss > peak_rss)) && peak_rss=$rss
		((hwm > peak_hwm)) && peak_hwm=$hwm
		sleep 1
	done
	read -r pss rss hwm < <(measure_tree "$pid")
	rows+=("$(printf '%-34s %10s %10s %10s %10s' "$name" "$((peak_pss / 1024))" "$((pss / 1024))" "$((peak_rss / 1024))" "$((hwm / 1024))")")
}

start_xvfb 1280x800

# Baseline: an empty Fyne window.
start_gui "$work/baseline.pid" "$work/baseline.log" "$ROOT/build/fyne-baseline"
wait_window '^Fyne baseline' 60 >/dev/null || die "baseline window did not appear"
say "baseline window up; sampling ${hold}s"
sample "empty Fyne window" "$GUI_PID" "$hold"
stop_pid "$GUI_PID"

# The client with a big roster.
C2S_PORT=$(free_port)
prepare_prosody "$work/server"
roster_file="$work/server/data/acme%2etest/roster/alice.dat"
mkdir -p "$(dirname "$roster_file")"
"$PY" - "$roster_file" "$contacts" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
groups = ["Engineering", "Sales", "Support", "Finance", "Legal", "Marketing", "Operations", "IT",
          "Research", "Partners"]
with open(path, "w") as f:
    f.write("return {\n\t[false] = { version = 1; pending = {}; };\n")
    f.write('\t["bob@acme.test"] = { subscription = "both"; name = "Bob"; groups = { ["Colleagues"] = true; }; };\n')
    for i in range(1, n):
        domain = "partner.test" if i % 7 == 0 else "acme.test"
        g = groups[i % len(groups)]
        f.write(f'\t["user{i:05d}@{domain}"] = {{ subscription = "both"; name = "Contact {i:05d}"; '
                f'groups = {{ ["{g}"] = true; }}; }};\n')
    f.write("};\n")
PY
start_prosody "$work/server" "$C2S_PORT"
start_peer "$work/peer.log" --typing-delay 0.2

t0=$SECONDS
start_gui "$work/client.pid" "$work/client.log" \
	"$ROOT/$bin" --jid alice@acme.test --server "127.0.0.1:$C2S_PORT" --ca-file "$CA_FILE" \
	--data-dir "$work/data" --password-fd 3 3<<<"$PALISADE_DEMO_PASSWORD"
wait_window 'Palisade' 60 >/dev/null || { tail -30 "$work/client.log" >&2; die "client window did not appear"; }
wait_for 60 connected "$GUI_PID" "$C2S_PORT" || { tail -30 "$work/client.log" >&2; die "client did not connect"; }
signin=$((SECONDS - t0))
say "client signed in ($contacts contacts) after ${signin}s; sampling ${hold}s"
sample "Palisade, $contacts contacts" "$GUI_PID" "$hold"
import -window root png:build/bench-roster.png 2>/dev/null && say "screenshot: build/bench-roster.png"

echo
echo "Memory after ${hold}s under Xvfb (MiB; process tree, D-Bus daemon excluded)"
printf '%-34s %10s %10s %10s %10s\n' "" "peak PSS" "PSS end" "peak RSS" "VmHWM"
for r in "${rows[@]}"; do
	echo "$r"
done
