#!/bin/sh
# Chapter 7's measurements: FM, AFM and AFM with uniform weights over three seeds (test RMSE, and
# whether attention ranks the planted field pairs first), then AFM alone at other attention widths
# t and L2 strengths lambda (seed 1). Prints two Markdown tables and writes them to
# out/afm_study/tables.md.
#
#   tools/experiments/afm_study.sh [build dir = build]
set -eu
build=${1:-build}
out=out/afm_study
mkdir -p "$out"
exe="$build/chapters/07_afm/07_afm"
echo "chapter 7 on the planted-interactions data: 3 seeds, then t and lambda; logs in $out/"
for seed in 1 2 3; do
  "$exe" --seed "$seed" --overwrite --out "$out/seed_$seed" > "$out/seed_$seed.log" 2>&1
done
for setting in "4 0" "64 0" "16 0.01" "16 1"; do
  set -- $setting
  "$exe" --models afm --t "$1" --lambda "$2" --overwrite --out "$out/t$1_lambda$2" > "$out/t$1_lambda$2.log" 2>&1
done
python3 - "$out" <<'PYTHON' | tee "$out/tables.md"
import json, statistics, sys
out = sys.argv[1]
runs = [json.load(open(f"{out}/seed_{s}/metrics.json")) for s in (1, 2, 3)]
print("| model | test RMSE, seed 1 / 2 / 3 | mean | planted pairs in the top 3 |")
print("|---|---|---|---|")
for model, label in (("fm", "FM"), ("afm", "AFM"), ("uniform", "AFM, uniform weights (a_ij = 1/P)")):
    rmse = [r[model]["test_rmse"] for r in runs]
    hits = " / ".join(f"{round(3 * r[model]['planted_hit_rate'])} of 3" for r in runs) if "planted_hit_rate" in runs[0][model] else "-"
    print(f"| {label} | {' / '.join(f'{x:.4f}' for x in rmse)} | {statistics.mean(rmse):.4f} | {hits} |")
print()
print("| attention width t | lambda (L2 on W) | test RMSE | planted pairs in the top 3 | mean weight of the top pair |")
print("|---|---|---|---|---|")
settings = [("16", "0", f"{out}/seed_1")] + [(t, l, f"{out}/t{t}_lambda{l}") for t, l in (("4", "0"), ("64", "0"), ("16", "0.01"), ("16", "1"))]
for t, l, folder in sorted(settings, key=lambda s: (float(s[1]), int(s[0]))):
    afm = json.load(open(f"{folder}/metrics.json"))["afm"]
    print(f"| {t} | {l} | {afm['test_rmse']:.4f} | {round(3 * afm['planted_hit_rate'])} of 3 | {afm['top_weight']:.3f} |")
PYTHON
