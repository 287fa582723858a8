#!/bin/sh
# attn against PyTorch on the same seven workloads, in one run, at each thread count:
#   bench/compare.sh BUILD_DIR [THREADS...]      (default threads: 1 2; needs python3-torch)
# Prints attn's and PyTorch's median ms/step and their ratio (attn / PyTorch: below 1 = attn faster).
set -eu
build="$1"; shift
threads="${*:-1 2}"
here="$(cd "$(dirname "$0")" && pwd)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Debian's python3-torch belongs to /usr/bin/python3, which may not be the first python3 on PATH.
python=""
for candidate in "${PYTHON:-python3}" /usr/bin/python3; do
  "$candidate" -c "import torch" 2> /dev/null && { python="$candidate"; break; }
done
[ -n "$python" ] || { echo "compare.sh: PyTorch is missing (apt-get install python3-torch)" >&2; exit 2; }
for t in $threads; do
  "$build/bench/attn_bench" --threads "$t" --steps 20 --no-micro --json "$out/attn_$t.json" > /dev/null
  OMP_NUM_THREADS="$t" "$python" "$here/reference/torch_bench.py" --threads "$t" --steps 20 --json "$out/torch_$t.json" 2> /dev/null
done
python3 - "$out" $threads <<'PY'
import json, sys
out, threads = sys.argv[1], sys.argv[2:]
# BLAS ms: the step's matrix products alone on raw sgemm (attn_bench's floor); floor/torch is the
# smallest attn/torch any implementation on this BLAS could reach.
print(f"{'workload':16} {'threads':>7} {'attn ms':>9} {'torch ms':>9} {'attn/torch':>10} {'BLAS ms':>8} "
      f"{'floor/torch':>11} {'attn GFLOP/s':>12} {'attn MB':>8} {'torch MB':>8}")
for t in threads:
    attn = json.load(open(f"{out}/attn_{t}.json"))["workloads"]
    torch = {w["name"]: w for w in json.load(open(f"{out}/torch_{t}.json"))["workloads"]}
    for a in attn:
        p = torch[a["name"]]
        print(f"{a['name']:16} {t:>7} {a['median_ms']:9.1f} {p['median_ms']:9.1f} {a['median_ms'] / p['median_ms']:10.2f} "
              f"{a['blas_floor_ms']:8.1f} {a['blas_floor_ms'] / p['median_ms']:11.2f} "
              f"{a['gflops']:12.1f} {a['peak_rss_mb']:8.0f} {p['peak_rss_mb']:8.0f}")
PY
