#!/bin/sh
# A fuzzing campaign: every target for RUNS executions (default 1,000,000), or for a time given
# as e.g. 10s, starting from its seed corpus; prints the counts; a crash stops the campaign and
# leaves the input as crash-* in the current folder.
# Inputs that found new code are merged back into tests/fuzz/corpus/<target> (minimised) when
# --merge is given, to be committed.
#   CXX=clang++ meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false
#   ninja -C build-fuzz && tests/fuzz/campaign.sh build-fuzz [RUNS|SECONDSs] [--merge]
set -eu
build="$1"
runs="${2:-1000000}"
merge="${3:-}"
case "$runs" in
  *s) limit="-max_total_time=${runs%s}" ;;
  *) limit="-runs=$runs" ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in tsv csv vocabulary wordpiece manifest npy reviews aligned libfm; do
  mkdir -p "$work/$target"
  # -max_len: whole records and short files; -timeout: a parser taking a second on 4 KB is a bug.
  "$build/tests/fuzz/fuzz_$target" "$limit" -max_len=4096 -timeout=2 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work/$target" "$here/corpus/$target" > "$work/$target.log" 2>&1 || {
      tail -40 "$work/$target.log"; echo "fuzz_$target: FAILED"; exit 1; }
  # Belt and braces: a sanitizer built without -fno-sanitize-recover reports and carries on.
  if grep -q -e 'runtime error:' -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' "$work/$target.log"; then
    grep -m 5 -e 'runtime error:' -e 'ERROR:' "$work/$target.log"; echo "fuzz_$target: FAILED (sanitizer report)"; exit 1
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$target.log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$target.log")
  echo "fuzz_$target: $executions executions, $speed per second, no crash, leak or sanitizer report"
  if [ "$merge" = "--merge" ]; then
    "$build/tests/fuzz/fuzz_$target" -merge=1 -max_len=4096 "$here/corpus/$target" "$work/$target" > /dev/null 2>&1
  fi
done
