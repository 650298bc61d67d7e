#!/usr/bin/env bash
# step.sh NAME CMD...: run CMD with a header and its duration, for make test.
set -uo pipefail
name=$1
shift
printf '\n=== %s: %s\n' "$name" "$*"
start=$(date +%s)
"$@"
status=$?
took=$(($(date +%s) - start))
if [ $status -eq 0 ]; then
	printf '=== %s: ok (%ds)\n' "$name" "$took"
else
	printf '=== %s: FAILED with status %d (%ds)\n' "$name" "$status" "$took"
fi
mkdir -p build
printf '%s\t%s\t%d\n' "$name" "$([ $status -eq 0 ] && echo ok || echo FAIL)" "$took" >>build/test-times.tsv
exit $status
