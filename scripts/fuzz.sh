#!/usr/bin/env bash
# fuzz.sh: run every fuzz target of the repository for FUZZTIME each
# (default 3s, what make test does). Longer runs, e.g. before a release or
# after touching a decoder:
#   FUZZTIME=10m scripts/fuzz.sh              every target, 10 minutes each
#   FUZZTIME=1h scripts/fuzz.sh ./session FuzzStanza   one target
# A failing input is written under the package's testdata/fuzz/<Target>/;
# commit it with the fix so that every later `go test` replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-3s}

if [ $# -eq 2 ]; then
	targets="$1 $2"
else
	# Every `func FuzzX(f *testing.F)` in a _test.go file: package dir and name.
	targets=$(grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' . |
		grep -v '^\./\(build\|dist\|\.run\)/' |
		sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+).*#\1 \2#' | sort -u)
fi

n=0
set -- $targets
while [ $# -ge 2 ]; do
	pkg=$1 name=$2
	shift 2
	n=$((n + 1))
	printf -- '--- %s %s (%s)\n' "$pkg" "$name" "$FUZZTIME"
	# -parallel 2: the machines this runs on have few cores and other work.
	$GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -parallel 2 "$pkg" 2>&1 |
		grep -E '^(fuzz: elapsed: [0-9]+s, execs|ok|FAIL|---|panic|\s+\S+_test\.go)' | tail -n 3
done
echo "fuzz.sh: $n targets, $FUZZTIME each"
