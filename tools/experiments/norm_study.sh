#!/bin/sh
# Chapter 5's normalisation study: the Transformer on the dates task with LayerNorm (the paper),
# BatchNorm, RMSNorm and no normalisation, each post-norm (the paper) and pre-norm, at the default
# learning rate (Noam factor 0.5) and at four times it (factor 2). Seed 1, defaults otherwise.
# Runs two at a time (one BLAS thread each); prints a Markdown table (also in
# out/norm_study/table.md), what BatchNorm's running averages cost, and writes the training curves
# at the higher rate to out/norm_study/losses_factor2.svg.
#
#   tools/experiments/norm_study.sh [build dir = build]
set -eu
build=${1:-build}
out=out/norm_study
mkdir -p "$out"
exe="$build/chapters/05_transformer/05_transformer"
echo "chapter 5, 4 normalisations x post/pre x 2 learning rates = 16 runs, two at a time; logs in $out/"
for factor in 0.5 2; do
  for placement in post pre; do
    for norm in layer batch rms none; do
      echo "$norm $placement $factor"
    done
  done
done | xargs -P 2 -L 1 sh -c '
  out=$0 exe=$1 norm=$2 placement=$3 factor=$4
  flag=""; [ "$placement" = pre ] && flag=--pre-norm
  run="$out/${norm}_${placement}_f$factor"
  "$exe" --norm "$norm" $flag --factor "$factor" --threads 1 --seed 1 --examples 0 --overwrite --out "$run" > "$run.log" 2>&1 ||
    echo "$norm $placement factor $factor: failed (see $run.log)"
' "$out" "$exe"
python3 - "$out" <<'PYTHON' | tee "$out/table.md"
import json, math, sys
out = sys.argv[1]
norms = [("layer", "LayerNorm"), ("batch", "BatchNorm"), ("rms", "RMSNorm"), ("none", "none")]
print("| normalisation | placement | Noam factor | valid loss, epoch 1 / 2 / 3 / 6 | best valid loss | test exact match | test token accuracy |")
print("|---|---|---|---|---|---|---|")
for factor in ("0.5", "2"):
    for placement in ("post", "pre"):
        for norm, name in norms:
            try:
                m = json.load(open(f"{out}/{norm}_{placement}_f{factor}/metrics.json"))
            except OSError:
                print(f"| {name} | {placement} | {factor} | (run failed) | | | |")
                continue
            v = m["valid_loss"]
            def loss(x):  # a diverged run's loss in powers of ten
                return "nan" if x is None or math.isnan(x) else f"{x:.3f}" if x < 100 else f"{x:.0e}"
            shown = " / ".join(loss(x) for x in (v[0], v[1], v[2], v[-1]))
            finite = [x for x in v if x is not None and not math.isnan(x)]
            best = loss(min(finite)) if finite else "-"
            g = m["greedy"]
            print(f"| {name} | {placement} | {factor} | {shown} | {best} | {100 * g['exact_match']:.1f}% | {100 * g['token_accuracy']:.2f}% |")
PYTHON
for run in batch_post_f0.5 batch_pre_f0.5 batch_post_f2 batch_pre_f2; do
  printf '%s: %s\n' "$run" "$(grep -h '^BatchNorm:' "$out/$run.log")"
done
o=$out
"$build/tools/experiments/compare_losses" --svg "$out/losses_factor2.svg" --top 3 \
  --title "training loss per step at 4x the learning rate (Noam factor 2), seed 1" \
  "LayerNorm, post=$o/layer_post_f2" "LayerNorm, pre=$o/layer_pre_f2" "RMSNorm, post=$o/rms_post_f2" \
  "RMSNorm, pre=$o/rms_pre_f2" "BatchNorm, post=$o/batch_post_f2" "none=$o/none_post_f2"
