#!/bin/sh
# Every executable refuses bad flags and bad inputs with a non-zero status and a message on stderr
# that names the problem, before doing any work.
#   executables_bad_input.sh BUILD_DIR
set -u
build="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect NAME EXPECTED_TEXT COMMAND...: non-zero exit, stderr contains EXPECTED_TEXT
expect() {
  name="$1"; text="$2"; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"
  status=$?
  if [ "$status" -ne 0 ] && grep -q -- "$text" "$tmp/err"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name (exit $status): expected a message containing '$text', got:"
    sed 's/^/    /' "$tmp/err"
  fi
}

ch="$build/chapters"
expect "chapter 0, zero epochs" "--epochs: 0 is out of range" "$ch/00_autograd/00_autograd" --epochs 0 --out "$tmp/o"
expect "chapter 0, negative seed" "is negative" "$ch/00_autograd/00_autograd" --seed -1 --out "$tmp/o"
expect "chapter 1, unknown cell" "--cell must be gru or lstm" "$ch/01_seq2seq/01_seq2seq" --cell rnnx
expect "chapter 1, unknown flag" "not expected" "$ch/01_seq2seq/01_seq2seq" --bogus
expect "chapter 2, unknown task" "unknown task 'nope'" "$ch/02_bahdanau/02_bahdanau" --task nope
expect "chapter 2, missing task file" "unknown task" "$ch/02_bahdanau/02_bahdanau" --task "$tmp/missing.tsv"
printf 'only one column\n' > "$tmp/bad.tsv"
expect "chapter 2, malformed TSV" "bad.tsv:1: expected at least 2 tab-separated columns" "$ch/02_bahdanau/02_bahdanau" --task "$tmp/bad.tsv" --out "$tmp/o"
expect "chapter 2, not a number" "'fast' is not a number" "$ch/02_bahdanau/02_bahdanau" --lr fast
expect "chapter 2, resume without checkpoint" "no checkpoint here" "$ch/02_bahdanau/02_bahdanau" --resume --out "$tmp/empty" --max-train 10
expect "chapter 3, unknown score" "--score must be dot, general or concat" "$ch/03_luong/03_luong" --score foo
expect "chapter 3, unknown alignment" "--alignment must be global, local-m or local-p" "$ch/03_luong/03_luong" --alignment bar
expect "chapter 3, zero window" "--window: 0 is out of range" "$ch/03_luong/03_luong" --window 0
expect "chapter 4, missing CSV" "no such file" "$ch/04_han/04_han" --data "$tmp/missing.csv" --out "$tmp/o"
mkdir -p "$tmp/dir.csv"
expect "chapter 4, directory for a file" "is a directory" "$ch/04_han/04_han" --data "$tmp/dir.csv" --out "$tmp/o"
printf 'label,text\n1,"never closed\n' > "$tmp/open.csv"
expect "chapter 4, unclosed quote" "open.csv:2: a quoted field is not closed" "$ch/04_han/04_han" --data "$tmp/open.csv" --out "$tmp/o"
expect "chapter 5, unknown experiment" "unknown --experiment 'nope'" "$ch/05_transformer/05_transformer" --experiment nope
expect "chapter 5, heads do not divide" "divisible" "$ch/05_transformer/05_transformer" --heads 3 --max-train 10 --out "$tmp/o"
expect "make_datasets, bad lengths" "--min-length 9 is above --max-length 3" "$build/tools/datasets/make_datasets" --min-length 9 --max-length 3 --out "$tmp/d"
expect "compare_lengths, bad spec" "expected label=path" "$build/tools/experiments/compare_lengths" nolabel

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
