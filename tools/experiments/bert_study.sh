#!/bin/sh
# Chapter 6's measurements: the label-count curve with 3 seeds for
#   nsp      masked LM + next-sentence prediction on pairs of verses (the default), the encoder fine-tuned
#   mlm      masked LM alone on single verses (--no-nsp), fine-tuned
#   mlm32    masked LM alone for 32 epochs: as much text as nsp's 16 epochs of pairs
#   pairs    masked LM on nsp's pairs without the NSP loss (--no-nsp --pairs): NSP's control
#   frozen   the nsp run's pretrained encoder frozen, only the classifier trained
# each against the same classifier trained from scratch. Prints one Markdown table and writes it to
# out/bert_study/table.md. About 95 minutes at one BLAS thread (the sum of its parts' times).
#
#   tools/experiments/bert_study.sh [build dir = build]
set -eu
build=${1:-build}
out=out/bert_study
mkdir -p "$out"
exe="$build/chapters/06_bert/06_bert"
echo "chapter 6: the label-count curve, 3 seeds, MLM + NSP / MLM / MLM 32 epochs / MLM on pairs / frozen; logs in $out/"
"$exe" --seeds 3 --overwrite --out "$out/nsp" > "$out/nsp.log" 2>&1
"$exe" --seeds 3 --no-nsp --overwrite --out "$out/mlm" > "$out/mlm.log" 2>&1
"$exe" --seeds 3 --no-nsp --epochs 32 --overwrite --out "$out/mlm32" > "$out/mlm32.log" 2>&1
"$exe" --seeds 3 --no-nsp --pairs --overwrite --out "$out/pairs" > "$out/pairs.log" 2>&1
"$exe" --seeds 3 --freeze --from "$out/nsp/pretrain/best" --overwrite --out "$out/frozen" > "$out/frozen.log" 2>&1
python3 - "$out" <<'PYTHON' | tee "$out/table.md"
import json, sys
out = sys.argv[1]
names = ("nsp", "mlm", "mlm32", "pairs", "frozen")
runs = {name: json.load(open(f"{out}/{name}/metrics.json")) for name in names}
counts = list(runs["nsp"]["curve"].keys())
print("| labels | from scratch | MLM + NSP (default) | MLM alone | MLM alone, 32 epochs | MLM on pairs | MLM + NSP, frozen encoder |")
print("|---|---|---|---|---|---|---|")
cell = lambda p, kind: f"{100 * p[kind + '_mean']:.1f} ± {100 * p[kind + '_std']:.1f}"
for n in counts:
    print(f"| {n} | {cell(runs['nsp']['curve'][n], 'scratch')} | " +
          " | ".join(cell(runs[name]["curve"][n], "pretrained") for name in names) + " |")
for name in names[:-1]:
    r = runs[name]
    print(f"\n{name}: pretraining {r['pretrain_epochs']} epochs in {r['pretrain_seconds']:.0f} s, validation MLM accuracy {100 * r['mlm_valid_accuracy']:.1f}%")
PYTHON
