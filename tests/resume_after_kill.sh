#!/bin/sh
# Interrupted training loses nothing, and the same seed gives the same results.
#   resume_after_kill.sh BUILD_DIR
# A small chapter 2 run (with dropout, so the random generator's state matters) is
#  1. run twice uninterrupted: metrics.json and every saved array must be identical;
#  2. killed with kill -9 at an arbitrary moment after its second checkpoint, then --resume'd;
#  3. killed (SIGKILL, via ATTN_FAULT — see include/attn/support/fault.hpp) inside each step of its third
#     checkpoint save, and inside an output file's atomic write, then --resume'd.
# Every resumed run must end bit for bit where the uninterrupted one did: the same metrics.json,
# the same parameters, optimiser state and generator state, the same per-epoch losses (written
# with 17 digits in the checkpoint's manifest). One BLAS thread: see README, "Reliability".
set -u
build="$1"
exe="$build/chapters/02_bahdanau/02_bahdanau"
export OPENBLAS_NUM_THREADS=1
tmp=${KEEP:-$(mktemp -d)}
trap "rm -rf $tmp" EXIT
flags="--max-train 2000 --epochs 6 --embedding 8 --hidden 16 --attention 16 --dropout 0.1 --examples 1 --threads 1 --seed 7"
run() {  # run OUT [extra flags]
  out="$1"; shift
  "$exe" $flags --out "$out" "$@" > "$out.log" 2>&1
}
failed=0
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }

# same RUN_A RUN_B: identical results (the manifest's run time aside)
same() {
  cmp -s "$1/metrics.json" "$2/metrics.json" || { fail "$3: metrics.json differs"; diff "$1/metrics.json" "$2/metrics.json" | head -5; return; }
  cmp -s "$1/heatmaps/example_0.svg" "$2/heatmaps/example_0.svg" || { fail "$3: heatmap differs"; return; }
  grep -v '^meta	seconds' "$1/checkpoint/manifest.tsv" > "$tmp/m1"
  grep -v '^meta	seconds' "$2/checkpoint/manifest.tsv" > "$tmp/m2"
  cmp -s "$tmp/m1" "$tmp/m2" || { fail "$3: checkpoint manifests (losses) differ"; return; }
  for f in $(cd "$1/checkpoint" && find . -type f ! -name manifest.tsv); do
    cmp -s "$1/checkpoint/$f" "$2/checkpoint/$f" || { fail "$3: checkpoint/$f differs"; return; }
  done
  echo "ok: $3"
}

run "$tmp/straight" || fail "uninterrupted run: $(grep -m 1 '^02_bahdanau: ' "$tmp/straight.log")"
run "$tmp/again" || fail "second uninterrupted run"
same "$tmp/straight" "$tmp/again" "same seed, same results"

# kill -9 from outside, in the middle of training after the second checkpoint
"$exe" $flags --out "$tmp/killed" > "$tmp/killed.log" 2>&1 &  # a simple command: $! is the program itself
pid=$!
for _ in $(seq 1 6000); do
  grep -q '^meta	epoch	[2-9]' "$tmp/killed/checkpoint/manifest.tsv" 2> /dev/null && break
  kill -0 "$pid" 2> /dev/null || break  # it ended (or failed) on its own
  sleep 0.01
done
sleep 0.1  # into the third epoch (about 0.3 s here)
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
status=$?
at_kill=$(sed -n 's/^meta	epoch	//p' "$tmp/killed/checkpoint/manifest.tsv" 2> /dev/null)
if [ "$status" -ne 137 ]; then
  fail "the run was not killed in time (exit $status): make it longer"
else
  run "$tmp/killed" --resume || { fail "resume after kill -9"; cat "$tmp/killed.log"; }
  same "$tmp/straight" "$tmp/killed" "kill -9 with $at_kill of 6 epochs checkpointed, then --resume"
fi

# killed inside a checkpoint save (the third), or an atomic file write (the 100th: in the second save)
for fault in checkpoint:staged-params:3 checkpoint:staged:3 checkpoint:old-moved:3 checkpoint:swapped:3 write:before-rename:100; do
  out="$tmp/fault_$(echo "$fault" | tr ':' '_')"
  ATTN_FAULT="$fault:kill" run "$out"
  status=$?
  [ "$status" -eq 137 ] || { fail "ATTN_FAULT=$fault:kill did not kill the run (exit $status)"; continue; }
  run "$out" --resume || { fail "resume after a kill at $fault (see $out.log)"; cat "$out.log"; continue; }
  same "$tmp/straight" "$out" "killed at $fault, then --resume"
done

[ "$failed" -eq 0 ] && echo "all resumed runs equal the uninterrupted one, bit for bit"
[ "$failed" -eq 0 ]
