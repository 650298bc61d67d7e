#!/usr/bin/env bash
# fuzz.sh: run every fuzz target of the repository for FUZZTIME each
# (default 3s, what make test does). Longer runs, e.g. before a release or
# after touching a decoder:
#   FUZZTIME=10m scripts/fuzz.sh              every target, 10 minutes each
#   FUZZTIME=1h scripts/fuzz.sh ./session FuzzStanza   one target
# A failing input is written under the package's testdata/fuzz/<Target>/;
# commit it with the fix so that every later `go test` replays it.
# Inputs are not minimized unless FUZZMINIMIZE says how long to try (for
# example FUZZMINIMIZE=60s on a long run): Go's fuzzer can stop with a
# spurious "fuzzing process hung or terminated unexpectedly while
# minimizing" while it minimizes a new interesting input
# (golang/go#52569), which in a 3-second run fails the build for nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3s}
FUZZMINIMIZE=${FUZZMINIMIZE:-0}

if [ $# -eq 2 ]; then
	targets="$1 $2"
else
	# Every `func FuzzX(f *testing.F)` in a _test.go file: package dir and name.
	targets=$(grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . |
		grep -v '^\./\(build\|dist\|\.run\)/' |
		sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+).*#\1 \2#' | sort -u)
fi

n=0
deadline=
set -- $targets
while [ $# -ge 2 ]; do
	pkg=$1 name=$2
	shift 2
	n=$((n + 1))
	printf -- '--- %s %s (%s)\n' "$pkg" "$name" "$FUZZTIME"
	# -parallel 2: the machines this runs on have few cores and other work.
	status=0
	out=$($GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZE" -parallel 2 "$pkg" 2>&1) || status=$?
	printf '%s\n' "$out" |
		grep -E '^(fuzz: elapsed: [0-9]+s, execs|ok|FAIL|---|panic|\s+\S+_test\.go|\s+(fuzzing process|Failing input|To re-run|go test -run=|context deadline))' | tail -n 6
	if [ "$status" -ne 0 ]; then
		# Go 1.26's fuzz coordinator can report its own time limit as a
		# failure ("context deadline exceeded", golang/go#75804, fixed in
		# Go 1.27) without having found anything: every real finding writes
		# its failing input first.
		if grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
			echo "fuzz.sh: $name stopped at its time limit without a failing input (Go's coordinator, golang/go#75804): not a finding"
			deadline=$((deadline + 1))
			continue
		fi
		echo "fuzz.sh: $name failed" >&2
		exit "$status"
	fi
done
note=
[ -n "$deadline" ] && note=" ($deadline stopped by the fuzz coordinator at the time limit, nothing found)"
echo "fuzz.sh: $n targets, $FUZZTIME each$note"
