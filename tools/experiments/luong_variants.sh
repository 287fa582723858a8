#!/bin/sh
# Chapter 3's comparison: every Luong variant — 3 scores x {global, local-m, local-p} with input
# feeding, and the general score without input feeding — trained on the same data with the same
# budget (epochs), two runs at a time on the two cores. Prints a Markdown table and writes it to
# out/luong_variants/<task>/table.md.
#
#   tools/experiments/luong_variants.sh [task = toy] [epochs = 6] [seed = 1] [build dir = build]
set -eu
task=${1:-toy}
epochs=${2:-6}
seed=${3:-1}
build=${4:-build}
out=out/luong_variants/$task
mkdir -p "$out"
exe="$build/chapters/03_luong/03_luong"
common="--task $task --epochs $epochs --seed $seed --examples 1 --threads 1"
variants="dot,global dot,local-m dot,local-p general,global general,local-m general,local-p concat,global concat,local-m concat,local-p general,global,nofeed general,local-m,nofeed general,local-p,nofeed"
echo "training 12 variants on '$task' for $epochs epochs each (seed $seed); logs in $out/"
running=0
for v in $variants; do
  score=$(echo "$v" | cut -d, -f1)
  alignment=$(echo "$v" | cut -d, -f2)
  feed=$(echo "$v" | cut -d, -f3)
  name="$alignment-$score${feed:+-$feed}"
  flags=""
  [ "$feed" = "nofeed" ] && flags="--no-input-feeding"
  "$exe" $common --score "$score" --alignment "$alignment" $flags --overwrite --out "$out/$name" > "$out/$name.log" 2>&1 &
  running=$((running + 1))
  if [ "$running" -eq 2 ]; then wait; running=0; fi
done
wait
{
  echo "| variant | input feeding | epochs (tested) | s / epoch | exact match | BLEU | AER |"
  echo "|---|---|---|---|---|---|---|"
  for v in $variants; do
    score=$(echo "$v" | cut -d, -f1)
    alignment=$(echo "$v" | cut -d, -f2)
    feed=$(echo "$v" | cut -d, -f3)
    name="$alignment-$score${feed:+-$feed}"
    tail -n 1 "$out/$name/summary.tsv" | awk -F'\t' -v a="$alignment" -v s="$score" -v f="${feed:-on}" \
      '{ printf "| %s, %s | %s | %s (%s) | %s | %.1f%% | %.2f | %s |\n", a, s, (f == "nofeed" ? "off" : "on"), $3, $11, $4, 100 * $6, 100 * $7, ($9 == "nan" ? "-" : sprintf("%.3f", $9)) }'
  done
} | tee "$out/table.md"
