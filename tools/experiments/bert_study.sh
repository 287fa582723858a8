#!/bin/sh
# Chapter 6's measurements: the label-count curve with 3 seeds for
#   mlm      masked-LM pretraining on single verses (the default), the encoder fine-tuned
#   nsp      masked LM + next-sentence prediction, on pairs of verses, fine-tuned
#   pairs    masked LM on the same pairs without the NSP loss (--pairs): NSP's control
#   frozen   the mlm run's pretrained encoder frozen, only the classifier trained
# each against the same classifier trained from scratch. Prints one Markdown table and writes it to
# out/bert_study/table.md. About 100 minutes at one BLAS thread.
#
#   tools/experiments/bert_study.sh [build dir = build]
set -eu
build=${1:-build}
out=out/bert_study
mkdir -p "$out"
exe="$build/chapters/06_bert/06_bert"
echo "chapter 6: the label-count curve, 3 seeds, MLM / MLM + NSP / MLM on pairs / frozen; logs in $out/"
"$exe" --seeds 3 --overwrite --out "$out/mlm" > "$out/mlm.log" 2>&1
"$exe" --seeds 3 --nsp --overwrite --out "$out/nsp" > "$out/nsp.log" 2>&1
"$exe" --seeds 3 --pairs --overwrite --out "$out/pairs" > "$out/pairs.log" 2>&1
"$exe" --seeds 3 --freeze --from "$out/mlm/pretrain/best" --overwrite --out "$out/frozen" > "$out/frozen.log" 2>&1
python3 - "$out" <<'PYTHON' | tee "$out/table.md"
import json, sys
out = sys.argv[1]
runs = {name: json.load(open(f"{out}/{name}/metrics.json")) for name in ("mlm", "nsp", "pairs", "frozen")}
counts = list(runs["mlm"]["curve"].keys())
print("| labels | from scratch | MLM, fine-tuned | MLM + NSP, fine-tuned | MLM on pairs, fine-tuned | MLM, frozen encoder |")
print("|---|---|---|---|---|---|")
cell = lambda p, kind: f"{100 * p[kind + '_mean']:.1f} ± {100 * p[kind + '_std']:.1f}"
for n in counts:
    print(f"| {n} | {cell(runs['mlm']['curve'][n], 'scratch')} | " +
          " | ".join(cell(runs[name]["curve"][n], "pretrained") for name in ("mlm", "nsp", "pairs", "frozen")) + " |")
for name in ("mlm", "nsp", "pairs"):
    r = runs[name]
    print(f"\n{name}: pretraining {r['pretrain_epochs']} epochs in {r['pretrain_seconds']:.0f} s, validation MLM accuracy {100 * r['mlm_valid_accuracy']:.1f}%")
PYTHON
