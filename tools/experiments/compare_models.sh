#!/bin/sh
# Chapter 5's comparison: the Transformer, Bahdanau attention (chapter 2) and Luong attention
# (chapter 3, local-p / general) with the same wall-clock training budget on dates and toy
# translation, two runs at a time on the two cores. Prints a Markdown table (also written to
# out/compare_models/table.md).
#
#   tools/experiments/compare_models.sh [budget seconds = 60] [seed = 1] [build dir = build]
set -eu
budget=${1:-60}
seed=${2:-1}
build=${3:-build}
out=out/compare_models
mkdir -p "$out"
common="--epochs 1000 --budget $budget --seed $seed --examples 0 --threads 1"
echo "training 3 models x 2 tasks for $budget s each (seed $seed); logs in $out/"
for task in dates toy; do
  "$build/chapters/02_bahdanau/02_bahdanau" --task $task $common --overwrite --out "$out/$task-bahdanau" > "$out/$task-bahdanau.log" 2>&1 &
  "$build/chapters/03_luong/03_luong" --task $task $common --overwrite --out "$out/$task-luong" > "$out/$task-luong.log" 2>&1 &
  wait
  "$build/chapters/05_transformer/05_transformer" --task $task $common --overwrite --out "$out/$task-transformer" > "$out/$task-transformer.log" 2>&1
done
{
  echo "| task | model | parameters | epochs in ${budget} s (tested) | exact match | BLEU | AER |"
  echo "|---|---|---|---|---|---|---|"
  for task in dates toy; do
    for model in bahdanau luong transformer; do
      tail -n 1 "$out/$task-$model/summary.tsv" | awk -F'\t' -v t="$task" -v m="$model" \
        '{ printf "| %s | %s | %s | %s (%s) | %.1f%% | %.2f | %s |\n", t, m, $10, $3, $11, 100 * $6, 100 * $7, ($9 == "nan" ? "-" : sprintf("%.3f", $9)) }'
    done
  done
} | tee "$out/table.md"
