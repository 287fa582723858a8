#!/bin/sh
# --translate on a tiny trained checkpoint (README, chapter 2 "Translate your own sentences"):
# chapter 2 trains briefly on the toy translations, then translates a sentence given on the
# command line and two read from standard input, printing the output, its log-probability and the
# attention; --svg writes a heatmap per sentence; a sentence given with its reference has the
# reference read instead (its log-probability and attention). Without a trained model it says so in one line.
#   translate.sh BUILD_DIR
set -eu
build="$1"
exe="$build/chapters/02_bahdanau/02_bahdanau"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
flags="--task toy --embedding 8 --hidden 16 --attention 16 --threads 1 --seed 3 --out $tmp/run"

if ! "$exe" $flags --max-train 600 --epochs 2 --examples 0 > "$tmp/train.log" 2>&1; then
  # the program's own one-line message (in a coursework copy: which exercise is missing)
  echo "FAILED: training: $(grep -m 1 '^02_bahdanau: ' "$tmp/train.log" || tail -n 1 "$tmp/train.log")"
  exit 1
fi

"$exe" $flags --translate "The small table carries the girls." > "$tmp/one.log" 2>&1 || fail "translate one sentence: $(cat "$tmp/one.log")"
grep -q '^source:  the small table carries the girls \.$' "$tmp/one.log" || fail "the source is not tokenised as the task's files are: $(head -n 3 "$tmp/one.log")"
grep -q '^output:  ' "$tmp/one.log" || fail "no output line"
grep -Eq '^log p\(output \| source\) = -[0-9]+\.[0-9]{3} \([0-9]+ tokens\)$' "$tmp/one.log" || fail "no log-probability line: $(cat "$tmp/one.log")"
grep -q 'training\|epoch 1' "$tmp/one.log" && fail "--translate trained again"

printf 'my boy finds a black girl .\n\nthese zebras sell bread .\n' |
  "$exe" $flags --translate - --svg > "$tmp/stdin.log" 2>&1 || fail "translate from standard input: $(cat "$tmp/stdin.log")"
[ "$(grep -c '^output:  ' "$tmp/stdin.log")" = 2 ] || fail "two sentences from standard input (the empty line skipped): $(cat "$tmp/stdin.log")"
grep -q 'not in the vocabulary, read as <unk>: zebras' "$tmp/stdin.log" || fail "the unknown word is not named"
[ -s "$tmp/run/translations/sentence_0.svg" ] && [ -s "$tmp/run/translations/sentence_1.svg" ] || fail "--svg wrote no heatmaps"

# a reference to read instead of a translation to make: "source<TAB>reference" or "source ||| reference"
printf 'my boy finds a black girl .\tmon garçon trouve une fille noire .\n' |
  "$exe" $flags --translate - --translate "the girls carry bread . ||| les filles portent du pain ." > "$tmp/read.log" 2>&1 ||
  fail "read references: $(cat "$tmp/read.log")"
grep -q '^reference: mon garçon trouve une fille noire \.$' "$tmp/read.log" || fail "the tab-separated reference is not read: $(cat "$tmp/read.log")"
grep -q '^reference: les filles portent du pain \.$' "$tmp/read.log" || fail "the ||| reference is not read: $(cat "$tmp/read.log")"
[ "$(grep -Ec '^log p\(reference \| source\) = -[0-9]+\.[0-9]{3} \(8 tokens\)$' "$tmp/read.log")" = 1 ] || fail "no log-probability of the 7-word reference (8 tokens with <eos>): $(cat "$tmp/read.log")"
grep -q '^ *noire |' "$tmp/read.log" || fail "no attention row for the reference's words"
grep -q '^output:' "$tmp/read.log" && fail "a sentence with a reference was translated"
if "$exe" $flags --translate "a boy . ||| " > "$tmp/noref.log" 2>&1; then fail "an empty reference was read"; fi
grep -q "^02_bahdanau: --translate: an empty reference after 'a boy \.'$" "$tmp/noref.log" || fail "an empty reference: $(cat "$tmp/noref.log")"

if "$exe" $flags --translate "  " > "$tmp/blank.log" 2>&1; then fail "an empty sentence was translated"; fi
grep -q "^02_bahdanau: --translate: an empty sentence$" "$tmp/blank.log" || fail "an empty sentence: $(cat "$tmp/blank.log")"

if "$exe" --task toy --out "$tmp/empty" --translate "a b" > "$tmp/none.log" 2>&1; then fail "translating without a trained model succeeded"; fi
grep -q "no trained model in $tmp/empty/best" "$tmp/none.log" || fail "without a trained model: $(cat "$tmp/none.log")"

[ "$failed" -eq 0 ] && echo "translate: all checks passed"
[ "$failed" -eq 0 ]
