#!/bin/sh
# Interrupted training loses nothing, and the same seed gives the same results.
#   resume_after_kill.sh BUILD_DIR
# A small chapter 2 run (with dropout, so the random generator's state matters), and small
# chapter 4 and 7 runs (two and three models, one after the other, each with its own checkpoints), are
#  1. run twice uninterrupted: metrics.json and every saved array must be identical;
#  2. killed with kill -9 at an arbitrary moment after its second checkpoint, then --resume'd;
#  3. killed (SIGKILL, via ATTN_FAULT — see include/attn/support/fault.hpp) inside each step of its third
#     checkpoint save, and inside an output file's atomic write, then --resume'd (which must also
#     clean up what the killed run had half-written);
#  4. (chapter 2) stopped with SIGTERM, then --resume'd.
# Every resumed run must end bit for bit where the uninterrupted one did: the same metrics.json,
# the same parameters, optimiser state and generator state, the same per-epoch losses (written
# with 17 digits in the checkpoint's manifest). One BLAS thread: see README, "Reliability".
set -u
build="$1"
export OPENBLAS_NUM_THREADS=1
tmp=${KEEP:-$(mktemp -d)}
trap "rm -rf $tmp" EXIT
run() {  # run OUT [extra flags]
  out="$1"; shift
  "$exe" $flags --out "$out" "$@" > "$out.log" 2>&1
}
failed=0
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }

# same RUN_A RUN_B LABEL: identical results (the manifest's run time aside) — metrics.json, the first
# picture, and every checkpoint folder ($checkpoints: the last epoch's and the best epoch's)
same() {
  cmp -s "$1/metrics.json" "$2/metrics.json" || { fail "$3: metrics.json differs"; diff "$1/metrics.json" "$2/metrics.json" | head -5; return; }
  cmp -s "$1/$picture" "$2/$picture" || { fail "$3: $picture differs"; return; }
  cmp -s "$1/index.html" "$2/index.html" || { fail "$3: index.html differs"; return; }
  for c in $checkpoints; do
    grep -v '^meta	seconds' "$1/$c/manifest.tsv" > "$tmp/m1"
    grep -v '^meta	seconds' "$2/$c/manifest.tsv" > "$tmp/m2"
    cmp -s "$tmp/m1" "$tmp/m2" || { fail "$3: $c/manifest.tsv (losses, epochs) differs"; return; }
    for f in $(cd "$1/$c" && find . -type f ! -name manifest.tsv); do
      cmp -s "$1/$c/$f" "$2/$c/$f" || { fail "$3: $c/$f differs"; return; }
    done
  done
  echo "ok: $3"
}

# kill_after OUT MANIFEST PATTERN [extra flags]: starts a run, waits until MANIFEST (inside OUT) has a
# line matching PATTERN, lets it run 0.1 s more, and kills it with SIGKILL; then resumes it.
kill_after() {
  out="$1"; manifest="$out/$2"; pattern="$3"; shift 3
  "$exe" $flags --out "$out" > "$out.log" 2>&1 &  # a simple command: $! is the program itself
  pid=$!
  for _ in $(seq 1 6000); do
    grep -q "$pattern" "$manifest" 2> /dev/null && break
    kill -0 "$pid" 2> /dev/null || break  # it ended (or failed) on its own
    sleep 0.01
  done
  sleep 0.1
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  status=$?
  at_kill=$(sed -n 's/^meta	epoch	//p' "$manifest" 2> /dev/null)
  if [ "$status" -ne 137 ]; then
    fail "the run was not killed in time (exit $status): make it longer"
    return 1
  fi
  run "$out" --resume || { fail "resume after kill -9"; cat "$out.log"; return 1; }
}

# kill_at_faults STRAIGHT LABEL FAULT...: for each fault point, a run killed there (SIGKILL, via
# ATTN_FAULT), then --resume'd, must end as STRAIGHT did.
kill_at_faults() {
  straight="$1"; label="$2"; shift 2
  for fault in "$@"; do
    out="$straight.fault_$(echo "$fault" | tr ':' '_')"
    ATTN_FAULT="$fault:kill" run "$out"
    status=$?
    [ "$status" -eq 137 ] || { fail "${label}ATTN_FAULT=$fault:kill did not kill the run (exit $status)"; continue; }
    run "$out" --resume || { fail "${label}resume after a kill at $fault (see $out.log)"; cat "$out.log"; continue; }
    debris=$(find "$out" -name '*.tmp*' -o -name '*.old' | head -3)
    [ -z "$debris" ] || fail "${label}killed at $fault: the resumed run left what the killed one had half-written: $debris"
    same "$straight" "$out" "${label}killed at $fault, then --resume"
  done
}

# ---- chapter 2: one model ----
exe="$build/chapters/02_bahdanau/02_bahdanau"
flags="--max-train 2000 --epochs 6 --embedding 8 --hidden 16 --attention 16 --dropout 0.1 --examples 1 --threads 1 --seed 7"
picture=heatmaps/example_0.svg
checkpoints="checkpoint best"
run "$tmp/straight" || fail "uninterrupted run: $(grep -m 1 '^02_bahdanau: ' "$tmp/straight.log")"
run "$tmp/again" || fail "second uninterrupted run"
same "$tmp/straight" "$tmp/again" "same seed, same results"

# kill -9 from outside, in the middle of training after the second checkpoint
kill_after "$tmp/killed" checkpoint/manifest.tsv '^meta	epoch	[2-9]' &&
  same "$tmp/straight" "$tmp/killed" "kill -9 with $at_kill of 6 epochs checkpointed, then --resume"

# killed inside a checkpoint save (the third), or an atomic file write (the 100th: in the second save)
kill_at_faults "$tmp/straight" "" checkpoint:staged-params:3 checkpoint:staged:3 checkpoint:old-moved:3 checkpoint:swapped:3 \
  write:before-rename:100

# SIGTERM (a batch system's time limit) after the second checkpoint: the run stops with one line
# naming the checkpoint to resume from, exit status 143, nothing half-written left behind; --resume
# then ends where the uninterrupted run did. (SIGINT takes the same path: test_training and
# test_cli check its message and its status 130 in-process.)
for sig in TERM; do
  out="$tmp/signal_$sig"
  "$exe" $flags --out "$out" > "$out.log" 2> "$out.err" &
  pid=$!
  for _ in $(seq 1 6000); do
    grep -q '^meta	epoch	[2-9]' "$out/checkpoint/manifest.tsv" 2> /dev/null && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.01
  done
  kill -s "$sig" "$pid"
  wait "$pid"
  status=$?
  expected=$([ "$sig" = TERM ] && echo 143 || echo 130)
  [ "$status" -eq "$expected" ] || fail "SIG$sig: exit status $status, expected $expected"
  [ "$(wc -l < "$out.err")" -eq 1 ] && grep -q "^02_bahdanau: stopped by SIG$sig .*checkpoint.*--resume" "$out.err" ||
    fail "SIG$sig: expected one line naming the checkpoint, got: $(head -c 300 "$out.err")"
  debris=$(find "$out" -name '*.tmp*' -o -name '*.old' | head -3)
  [ -z "$debris" ] || fail "SIG$sig: left behind: $debris"
  run "$out" --resume && same "$tmp/straight" "$out" "SIG$sig after 2 or more epochs, then --resume"
done

# ---- chapter 4: two models trained one after the other, each with its own folder ----
exe="$build/chapters/04_han/04_han"
flags="--max-train 2000 --epochs 3 --embedding 8 --hidden 8 --attention 8 --dropout 0.2 --examples 1 --threads 1 --seed 7"
picture=highlight_0.html
checkpoints="han/checkpoint han/best mean_pooling/checkpoint mean_pooling/best"
run "$tmp/ch4_straight" || fail "chapter 4: uninterrupted run: $(grep -m 1 '^04_han: ' "$tmp/ch4_straight.log")"
run "$tmp/ch4_again" || fail "chapter 4: second uninterrupted run"
same "$tmp/ch4_straight" "$tmp/ch4_again" "chapter 4: same seed, same results"
kill_after "$tmp/ch4_killed_han" han/checkpoint/manifest.tsv '^meta	epoch	[2-9]' &&
  same "$tmp/ch4_straight" "$tmp/ch4_killed_han" "chapter 4: kill -9 while training HAN ($at_kill of 3 epochs checkpointed), then --resume"
kill_after "$tmp/ch4_killed_mean" mean_pooling/checkpoint/manifest.tsv '^meta	epoch	[1-9]' &&
  same "$tmp/ch4_straight" "$tmp/ch4_killed_mean" "chapter 4: kill -9 while training the baseline ($at_kill of 3 epochs checkpointed), then --resume"
# saves 1-6 are HAN's (best/ and checkpoint/ per epoch), 7 onwards the baseline's
kill_at_faults "$tmp/ch4_straight" "chapter 4: " checkpoint:staged:5 checkpoint:old-moved:8

# ---- chapter 7: three models one after the other ----
exe="$build/chapters/07_afm/07_afm"
flags="--max-train 4000 --epochs 6 --threads 1 --seed 7"
picture=pair_weights.svg
checkpoints="fm/checkpoint fm/best afm/checkpoint afm/best uniform/checkpoint uniform/best"
run "$tmp/ch7_straight" || fail "chapter 7: uninterrupted run: $(grep -m 1 '^07_afm: ' "$tmp/ch7_straight.log")"
kill_after "$tmp/ch7_killed" afm/checkpoint/manifest.tsv '^meta	epoch	[2-9]' &&
  same "$tmp/ch7_straight" "$tmp/ch7_killed" "chapter 7: kill -9 while training AFM ($at_kill of 6 epochs checkpointed), then --resume"

# every run's one page (index.html) parses, and shows every picture the run wrote
python3 "$(dirname "$0")/run_page.py" "$tmp/straight" "$tmp/ch4_straight" "$tmp/ch7_straight" || fail "a run page (index.html) is broken"

[ "$failed" -eq 0 ] && echo "all resumed runs equal the uninterrupted one, bit for bit"
[ "$failed" -eq 0 ]
