#!/bin/sh
# The real-language comparison (chapter 2's README, "Real language"): chapters 1 (no attention),
# 2 (Bahdanau), 3 (Luong, global and local-p, general score) and 5 (the Transformer) trained with
# the same wall-clock budget on the Bible (English-Spanish, gold alignments) and Tatoeba
# (English-French), each chapter at its defaults, each tested at its best validation epoch, greedy
# and beam search. Two runs at a time on the two cores. Writes out/real_language/table.md (BLEU,
# token accuracy, attention AER) and out/real_language/by_length.md (Bible BLEU by source length).
#
#   tools/experiments/real_language.sh [budget seconds = 300] [seed = 1] [build dir = build] [beam = 5]
set -eu
budget=${1:-300}
seed=${2:-1}
build=${3:-build}
beam=${4:-5}
out=out/real_language
mkdir -p "$out"
common="--epochs 1000 --budget $budget --seed $seed --beam $beam --examples 0 --threads 1 --overwrite"
models="seq2seq bahdanau luong-global luong-local-p transformer"

run() {  # run <model> <task>
  case $1 in
    seq2seq) exe="$build/chapters/01_seq2seq/01_seq2seq" extra="" ;;
    bahdanau) exe="$build/chapters/02_bahdanau/02_bahdanau" extra="" ;;
    luong-global) exe="$build/chapters/03_luong/03_luong" extra="--alignment global --score general" ;;
    luong-local-p) exe="$build/chapters/03_luong/03_luong" extra="--alignment local-p --score general" ;;
    transformer) exe="$build/chapters/05_transformer/05_transformer" extra="" ;;
  esac
  # shellcheck disable=SC2086
  "$exe" --task "$2" $common $extra --out "$out/$2-$1" > "$out/$2-$1.log" 2>&1
}

echo "training 5 models x 2 tasks for $budget s each (seed $seed, two at a time); logs in $out/"
pending=""
for task in bible tatoeba; do
  for model in $models; do pending="$pending $task:$model"; done
done
set -- $pending
while [ $# -gt 0 ]; do
  run "${1#*:}" "${1%%:*}" &
  if [ $# -gt 1 ]; then run "${2#*:}" "${2%%:*}" & shift; fi
  shift
  wait
done

json() {  # json <file> <python expression over m> — one value from a metrics.json
  /usr/bin/env python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"
}
{
  echo "| task | model | parameters | epochs in ${budget} s (tested) | BLEU greedy | BLEU beam $beam | token accuracy | AER (diagonal / uniform) |"
  echo "|---|---|---|---|---|---|---|---|"
  for task in bible tatoeba; do
    for model in $models; do
      m="$out/$task-$model/metrics.json"
      json "$m" "'| $task | $model | {:,} | {} ({}) | {:.2f} | {:.2f} | {:.2f}% | {} |'.format(m['parameters'], m['epochs'], m['best_epoch'], 100*m['greedy']['bleu'], 100*m['beam']['bleu'], 100*m['greedy']['token_accuracy'], '-' if m['greedy']['aer'] is None or m['greedy']['aer'] != m['greedy']['aer'] else '{:.3f} ({:.3f} / {:.3f})'.format(m['greedy']['aer'], m['greedy']['aer_diagonal'], m['greedy']['aer_uniform']))"
    done
  done
} | tee "$out/table.md"
echo
{
  first="$out/bible-seq2seq/metrics.json"
  printf "| source length | verses |"
  for model in $models; do printf " %s |" "$model"; done
  printf "\n|---|---|"
  for model in $models; do printf "%s" "---|"; done
  printf "\n"
  for range in $(json "$first" "' '.join(m['bleu_by_length'])"); do
    printf "| %s | %s |" "$range" "$(json "$first" "m['bleu_by_length']['$range']['sentences']")"
    for model in $models; do
      printf " %s |" "$(json "$out/bible-$model/metrics.json" "'{:.2f}'.format(100*m['bleu_by_length']['$range']['bleu'])")"
    done
    printf "\n"
  done
} | tee "$out/by_length.md"
