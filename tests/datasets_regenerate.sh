#!/bin/sh
# The committed datasets are exactly what the generator writes: regenerate into a temp folder and
# compare every file byte for byte.
set -eu
generator="$1"
top="$2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$generator" --out "$tmp"
status=0
for folder in dates sequences toy_translation reviews interactions; do
  if ! diff -r -q "$tmp/$folder" "$top/datasets/$folder"; then status=1; fi
done
if [ "$status" -ne 0 ]; then
  echo "datasets/ differs from what tools/datasets writes: regenerate with make_datasets --out datasets"
  echo "1 failed"
  exit 1
fi
echo "all datasets regenerate bit for bit"
