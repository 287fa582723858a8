#!/bin/sh
# The real-language recipes in the executables (chapter 2's README, "Real language"): without
# --epochs a real task trains the chapter's measured epochs, a typed --epochs wins; chapter 3's Bible
# recipe also takes the window D = 10 unless --window is given. Tiny runs (--max-train).
#   recipes.sh BUILD_DIR
set -eu
build="$1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAILED: $*"; failed=$((failed + 1)); }
ch2="$build/chapters/02_bahdanau/02_bahdanau"
ch3="$build/chapters/03_luong/03_luong"
small="--max-train 40 --examples 0 --threads 1 --embedding 4 --hidden 8"

"$ch2" --task tatoeba $small --attention 8 --out "$tmp/t8" > "$tmp/t8.log" 2>&1 || fail "chapter 2 tatoeba: $(tail -n 1 "$tmp/t8.log")"
grep -q '^trained 8 epochs' "$tmp/t8.log" || fail "chapter 2 tatoeba without --epochs: not its recipe's 8 epochs: $(grep '^trained' "$tmp/t8.log")"
"$ch2" --task tatoeba $small --attention 8 --epochs 2 --out "$tmp/t2" > "$tmp/t2.log" 2>&1 || fail "chapter 2 tatoeba --epochs 2: $(tail -n 1 "$tmp/t2.log")"
grep -q '^trained 2 epochs' "$tmp/t2.log" || fail "a typed --epochs 2 did not win over the recipe: $(grep '^trained' "$tmp/t2.log")"

"$ch3" --task bible $small --epochs 1 --out "$tmp/b" > "$tmp/b.log" 2>&1 || fail "chapter 3 bible: $(tail -n 1 "$tmp/b.log")"
grep -q 'window D = 10)$' "$tmp/b.log" || fail "chapter 3 bible without --window: not D = 10: $(grep '^model:' "$tmp/b.log")"
"$ch3" --task bible $small --epochs 1 --window 4 --out "$tmp/b4" > "$tmp/b4.log" 2>&1 || fail "chapter 3 bible --window 4: $(tail -n 1 "$tmp/b4.log")"
grep -q 'window D = 4)$' "$tmp/b4.log" || fail "a typed --window 4 did not win: $(grep '^model:' "$tmp/b4.log")"
"$ch3" --task toy $small --epochs 1 --out "$tmp/toy" > "$tmp/toy.log" 2>&1 || fail "chapter 3 toy: $(tail -n 1 "$tmp/toy.log")"
grep -q 'window D = 3)$' "$tmp/toy.log" || fail "chapter 3 toy: not the default D = 3: $(grep '^model:' "$tmp/toy.log")"

[ "$failed" -eq 0 ] && echo "recipes: all checks passed"
[ "$failed" -eq 0 ]
