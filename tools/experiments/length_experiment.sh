#!/bin/sh
# The experiment behind attention (Bahdanau et al. 2015, Fig. 2, in kind): train chapter 1 (one
# fixed vector c) and chapter 2 (attention) with the same time budget on the same task, then compare
# exact match by source length. The two runs share the machine's two cores, one each.
#
#   tools/experiments/length_experiment.sh [budget seconds = 90] [seed = 1] [task = reverse] [build dir = build]
set -eu
budget=${1:-90}
seed=${2:-1}
task=${3:-reverse}
build=${4:-build}
out=out/length_experiment
mkdir -p "$out"
common="--task $task --epochs 1000 --budget $budget --seed $seed --examples 0 --threads 1"
echo "training both models for $budget s each on '$task' (seed $seed); logs in $out/"
"$build/chapters/01_seq2seq/01_seq2seq" $common --overwrite --out "$out/seq2seq" > "$out/seq2seq.log" 2>&1 &
first=$!
"$build/chapters/02_bahdanau/02_bahdanau" $common --overwrite --out "$out/bahdanau" > "$out/bahdanau.log" 2>&1 &
second=$!
wait $first
wait $second
grep -h "greedy decoding" "$out/seq2seq.log" "$out/bahdanau.log"
"$build/tools/experiments/compare_lengths" --svg "$out/accuracy_by_length.svg" \
  "RNN encoder-decoder (ch. 1)=$out/seq2seq/buckets.tsv" \
  "Bahdanau attention (ch. 2)=$out/bahdanau/buckets.tsv"
