#!/bin/sh
# The bad-input matrix: every executable refuses bad flags, files and checkpoints
#  - with a non-zero exit status,
#  - with exactly one line on stderr that names the problem and where (file:line, flag, parameter),
#  - leaving no output file behind (each case runs in an empty folder with an empty --out), and
#  - leaving an existing checkpoint byte for byte as it was.
# Library-level cases (shapes, token ids, parsers) are in the doctest suites and the fuzz targets.
#   executables_bad_input.sh BUILD_DIR SOURCE_DIR   (absolute paths)
set -u
build="$1"
source="$2"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
passed=0
failed=0
case_number=0

# expect NAME EXPECTED_TEXT COMMAND... — run in a fresh empty folder; $out is a fresh --out path.
expect() {
  name="$1"; text="$2"; shift 2
  "$@" > "$work/stdout" 2> "$work/stderr"
  status=$?
  problem=""
  [ "$status" -ne 0 ] || problem="exit status 0"
  grep -q -- "$text" "$work/stderr" || problem="$problem; no '$text' in the message: $(head -c 300 "$work/stderr")"
  [ "$(wc -l < "$work/stderr")" -eq 1 ] || problem="$problem; not one line"
  rm -f "$work/stdout" "$work/stderr"
  leftovers=$(cd "$work" && find . -type f | grep -v '^./inputs/' | head -3)
  [ -z "$leftovers" ] || problem="$problem; left behind: $leftovers"
  if [ -z "$problem" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name ($problem)"
  fi
  next_case
}
next_case() {
  case_number=$((case_number + 1))
  work="$tmp/case_$case_number"
  mkdir -p "$work/inputs"
  out="$work/out"
  cd "$work" || exit 1
}
next_case

ch="$build/chapters"
ch0="$ch/00_autograd/00_autograd"; ch1="$ch/01_seq2seq/01_seq2seq"; ch2="$ch/02_bahdanau/02_bahdanau"
ch3="$ch/03_luong/03_luong"; ch4="$ch/04_han/04_han"; ch5="$ch/05_transformer/05_transformer"
ch6="$ch/06_bert/06_bert"; ch7="$ch/07_afm/07_afm"
in="$tmp/inputs"
mkdir -p "$in/a_folder.tsv" "$in/datasets/reviews"

# ---- flags ---------------------------------------------------------------------------------------
expect "unknown flag" "--bogus" "$ch1" --bogus
expect "malformed number" "'fast' is not a number" "$ch2" --lr fast
expect "NaN as a number" "--lr: nan is out of range" "$ch4" --lr nan
expect "zero size" "--epochs: 0 is out of range" "$ch0" --epochs 0 --out "$out"
expect "zero width" "--hidden: 0 is out of range" "$ch2" --hidden 0
expect "negative size" "--batch: -5 is negative" "$ch3" --batch -5
expect "negative seed" "is negative" "$ch0" --seed -1 --out "$out"
expect "unknown choice" "--cell must be gru or lstm" "$ch1" --cell rnnx
expect "unknown score" "--score must be dot, general or concat" "$ch3" --score foo
expect "zero window" "--window: 0 is out of range" "$ch3" --window 0
expect "unknown task" "unknown task 'nope'" "$ch2" --task nope
expect "unknown experiment" "unknown --experiment 'nope'" "$ch5" --experiment nope
expect "unknown normalisation" "--norm must be layer, batch, rms or none, got 'group'" "$ch5" --norm group
expect "sizes that do not fit together" "divisible" "$ch5" --heads 3 --max-train 10 --out "$out"
expect "generator: contradictory lengths" "--min-length 9 is above --max-length 3" "$build/tools/datasets/make_datasets" --min-length 9 --max-length 3 --out "$out"
expect "experiment tool: malformed argument" "expected label=path" "$build/tools/experiments/compare_lengths" nolabel
expect "loss plot tool: a folder without a run" "no checkpoint here" "$build/tools/experiments/compare_losses" "label=$out"

bench="$build/bench/attn_bench"; kit="$source/tools/coursework/attn_course.py"
: > "$in/a_coursework_file"
expect "benchmark: unknown workload" "--workloads: '8' is not a number in 1..7" "$bench" --workloads 8 --no-micro
expect "benchmark: zero threads" "--threads: '0' is not a number in 1..256" "$bench" --threads 0
expect "benchmark: a flag given a value" "Could not convert: --floor-shapes = maybe" "$bench" --floor-shapes=maybe --no-micro
expect "benchmark: too few steps" "--steps: 2 is out of range" "$bench" --steps 2
expect "coursework: unknown exercise" "unknown exercise ch9.nope" python3 "$kit" list --exercise ch9.nope
mkdir -p "$in/not_empty" && : > "$in/not_empty/file"
expect "coursework: student copy into a used folder" "not_empty: exists and is not empty" python3 "$kit" student "$in/not_empty"
expect "coursework: missing submission" "missing_submission: not a folder" python3 "$kit" grade "$in/missing_submission" --out "$out"
expect "coursework: --out is a file" "a_coursework_file: File exists" python3 "$kit" grade "$source" --out "$in/a_coursework_file"
mkdir -p "$in/hidden_escape"
printf '{"exercises": {"ch0.mul_backward": [{"name": "x", "executable": "../../../../bin/sh", "cases": "*", "points": 1}]}}' > "$in/hidden_escape/manifest.json"
expect "coursework: a hidden test outside the build" "the executable '../../../../bin/sh' of ch0.mul_backward is not a path inside the graded build's tests/ folder" \
  python3 "$kit" grade "$source" --out "$out" --hidden "$in/hidden_escape"
expect "coursework: a time limit of zero" "--timeout must be above 0 seconds, got 0" python3 "$kit" grade "$source" --out "$out" --timeout 0
expect "coursework: an unknown flag" "unrecognized arguments: --bogus" python3 "$kit" list --bogus
printf '[]' > "$in/hidden_escape/manifest.json"
expect "coursework: a hidden manifest that is not an object" "expected an object" python3 "$kit" grade "$source" --out "$out" --hidden "$in/hidden_escape"
expect "coursework: hidden tests without a manifest" "manifest.json: no such file" python3 "$kit" grade "$source" --out "$out" --hidden "$in/a_folder.tsv"

# ---- data files ----------------------------------------------------------------------------------
expect "missing TSV" "missing.tsv: no such file" "$ch2" --task "$in/missing.tsv" --out "$out"
expect "missing CSV" "missing.csv: no such file" "$ch4" --data "$in/missing.csv" --out "$out"
expect "directory instead of a file" "a_folder.tsv: is a directory" "$ch5" --task "$in/a_folder.tsv" --out "$out"
: > "$in/empty.tsv"
expect "empty TSV" "empty.tsv: no sentence pairs found" "$ch1" --task "$in/empty.tsv" --out "$out"
: > "$in/empty.csv"
expect "empty CSV" "empty.csv: no labelled texts found" "$ch4" --data "$in/empty.csv" --out "$out"
printf 'hello\tbonjour\nonly one column\n' > "$in/columns.tsv"
expect "TSV: too few columns" "columns.tsv:2: expected at least 2 tab-separated columns" "$ch2" --task "$in/columns.tsv" --out "$out"
printf 'label,text\n1,good\n2,bad,extra,fields\n' > "$in/columns.csv"
expect "CSV: wrong column count" "columns.csv:3: expected 2 columns (label,text), found 4" "$ch4" --data "$in/columns.csv" --out "$out"
printf 'label,text\n1,"never closed\n' > "$in/open.csv"
expect "CSV: unclosed quote" "open.csv:2: a quoted field is not closed" "$ch4" --data "$in/open.csv" --out "$out"
printf 'good\tbon\nbad \377 byte\tmauvais\n' > "$in/latin1.tsv"
expect "invalid UTF-8" "latin1.tsv:2: invalid UTF-8 at byte 5" "$ch3" --task "$in/latin1.tsv" --out "$out"
head -c 10485760 /dev/zero | tr '\0' 'a' > "$in/long_line.tsv"
expect "a 10 MB line" "long_line.tsv:1: line is 10485760 bytes long" "$ch2" --task "$in/long_line.tsv" --out "$out"
head -3 "$source/datasets/reviews/train.tsv" > "$in/datasets/reviews/train.tsv"
printf '7\tthe food was great .\t0\t0:3\n' >> "$in/datasets/reviews/train.tsv"
expect "label outside the class set" "train.tsv:4: rating 7 is outside 1..5" "$ch4" --datasets "$in/datasets" --out "$out"
# chapter 7: a libFM folder (train/valid/test.libfm), each file checked
mkdir -p "$in/fm"
libfm() {  # libfm FILE_CONTENT_FOR_TRAIN: a folder whose valid and test files are fine
  rm -rf "$in/fm" && mkdir -p "$in/fm"
  printf '%b' "$1" > "$in/fm/train.libfm"
  printf '1 0:1 3:1\n-1 1:1 2:1\n' > "$in/fm/valid.libfm"
  printf '1 0:1 3:1\n' > "$in/fm/test.libfm"
}
libfm '1 0:1 3:1\n2 1:1 x\n'
expect "libFM: malformed pair" "train.libfm:2: expected index:value, found 'x'" "$ch7" --data "$in/fm" --out "$out"
libfm '1 0:1 99999999:1\n'
expect "libFM: index out of range" "train.libfm:1: the index in '99999999:1' is not a whole number from 0 to 16777215" "$ch7" --data "$in/fm" --out "$out"
libfm '1 0:1 3:1\n2\n'
expect "libFM: a label without features" "train.libfm:2: the label has no index:value pairs" "$ch7" --data "$in/fm" --out "$out"
libfm '1 0:1 3:1\n2 1:1 2:1 4:1\n'
expect "libFM: ragged fields" "train.libfm:2: 3 index:value pairs, but the first example has 2" "$ch7" --data "$in/fm" --out "$out"
libfm '\n\n'
expect "libFM: no examples" "train.libfm: no examples" "$ch7" --data "$in/fm" --out "$out"
libfm '1 0:1 3:1 5:1\n'
expect "libFM: splits with different fields" "train.libfm has 3 fields per line, valid.libfm 2" "$ch7" --data "$in/fm" --out "$out"
expect "libFM: missing folder" "nowhere/train.libfm: no such file" "$ch7" --data "$in/nowhere" --out "$out"
# chapter 6: its options and its data (train.tsv with a reference per verse in train.refs)
expect "chapter 6: --pairs with the NSP loss" "--pairs is NSP's input without its loss: give it with --no-nsp" "$ch6" --pairs --out "$out"
expect "chapter 6: --from a folder without a checkpoint" "nowhere: no checkpoint to fine-tune from" "$ch6" --from "$in/nowhere" --out "$out"
expect "chapter 6: unknown pooling" "--pool must be mean or cls, got 'max'" "$ch6" --pool max --out "$out"
expect "chapter 6: corruption shares above 1" "--mask-token plus --random-token must be at most 1" "$ch6" --mask-token 0.95 --random-token 0.1 --out "$out"
expect "chapter 6: a label count that is not one" "--labels: 'abc' is not a positive number or 'all'" "$ch6" --labels 50,abc --out "$out"
expect "chapter 6: a fine-tuning rate that is not one" "--finetune-lr: 'x' is not a rate in (0, 1)" "$ch6" --finetune-lr 1e-4,x --out "$out"
expect "chapter 6: sizes that do not fit together" "d_model must be divisible by the number of heads" "$ch6" --heads 3 --out "$out"
expect "chapter 6: --fill before any training" "no checkpoint to fill from" "$ch6" --fill "god [MASK] ." --out "$in/nowhere"
mkdir -p "$in/bible"
head -20 "$source/datasets/bible/train.tsv" > "$in/bible/train.tsv"
head -19 "$source/datasets/bible/train.refs" > "$in/bible/train.refs"
expect "chapter 6: a verse without a reference" "train.refs: 19 references for 20 verses" "$ch6" --data "$in/bible" --out "$out"
head -20 "$source/datasets/bible/train.refs" | sed '3s/.*/Hezekiah 3:1/' > "$in/bible/train.refs"
expect "chapter 6: an unknown book" "train.refs:3: unknown book or chapter in 'Hezekiah 3:1'" "$ch6" --data "$in/bible" --out "$out"
head -20 "$source/datasets/bible/train.refs" > "$in/bible/train.refs"
expect "chapter 6: no test chapters" "train.tsv: no verses to validate on (chapters ending in 5)" "$ch6" --data "$in/bible" --out "$out"
expect "chapter 6: missing data" "nowhere/train.tsv: no such file" "$ch6" --data "$in/nowhere" --out "$out"
expect "chapter 7: unknown model" "--models: unknown model 'svm'" "$ch7" --models fm,svm --out "$out"
expect "chapter 7: zero width" "--t: 0 is out of range" "$ch7" --t 0
expect "chapter 7: negative --max-train" "--max-train: -3 is negative" "$ch7" --max-train -3
expect "chapter 4: negative --max-train" "--max-train: -3 is negative" "$ch4" --max-train -3

printf 'good\tbon\nba\000d\tmauvais\n' > "$in/nul.tsv"
expect "a NUL byte (a binary file)" "nul.tsv:2: a NUL byte at byte 3" "$ch2" --task "$in/nul.tsv" --out "$out"
printf '\377\376g\000o\000\t\000v\000a\000\n\000' > "$in/utf16.tsv"
expect "a UTF-16 file" "utf16.tsv: the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8" "$ch5" --task "$in/utf16.tsv" --out "$out"
printf 'label,text\n1,good food .\n2,bad food .\n' > "$in/two.csv"
expect "chapter 4: too few texts to split" "two.csv: 2 labelled texts cannot be split into training, validation and test documents (at least 3 needed)" \
  "$ch4" --data "$in/two.csv" --out "$out"
expect "a seed beyond 64 bits" "--seed: 18446744073709551616 is out of range: must be at most 18446744073709551615" "$ch1" --seed 18446744073709551616
expect "a width that cannot fit in memory" "02_bahdanau: the model does not fit in memory with --max-train 10 --hidden 300000: a (300000, 900000) array" \
  "$ch2" --hidden 300000 --max-train 10 --out "$out"
expect "a width that cannot fit in memory (chapter 5)" "05_transformer: the model does not fit in memory with --max-train 10 --d-model 4000000000 --heads 1: a (39, 4000000000) array" \
  "$ch5" --d-model 4000000000 --heads 1 --max-train 10 --out "$out"

# ---- output folder ---------------------------------------------------------------------------------
expect "--out in a read-only place" "cannot create output folder /proc/attn" "$ch2" --out /proc/attn/out --max-train 10
: > "$in/a_file"
expect "--out below a file" "cannot create output folder" "$ch4" --out "$in/a_file/out"

# ---- checkpoints -----------------------------------------------------------------------------------
# A real checkpoint to damage: chapter 2, tiny, one epoch. Each case gets its own copy, and the
# copy must be unchanged after the failed resume.
small="--max-train 64 --embedding 4 --hidden 4 --attention 4 --examples 0"
"$ch2" $small --epochs 1 --out "$in/run" > /dev/null 2> "$tmp/make_stderr" ||
  { echo "FAILED: could not make a checkpoint: $(tail -1 "$tmp/make_stderr")"; exit 1; }
resume_case() {  # resume_case NAME EXPECTED_TEXT DAMAGE_COMMAND [extra flags]
  name="$1"; text="$2"; damage="$3"; shift 3
  cp -r "$in/run" "$work/out"
  rm -f "$work/out/metrics.json" "$work/out/timing.json" "$work/out/summary.tsv" "$work/out/loss.svg"
  rm -rf "$work/out/heatmaps"
  (cd "$work/out/checkpoint" && sh -c "$damage")
  cp -r "$work/out" "$tmp/before"
  "$ch2" $small --epochs 2 --resume --out "$work/out" "$@" > /dev/null 2> "$tmp/resume_stderr"
  status=$?
  if ! diff -r "$tmp/before" "$work/out" > /dev/null; then
    echo "FAILED: $name (the checkpoint folder changed)"
    failed=$((failed + 1))
  fi
  rm -rf "$tmp/before" "$work/out"
  expect "$name" "$text" sh -c "cat '$tmp/resume_stderr' >&2; exit $status"
}
expect "--resume with --overwrite" "--resume and --overwrite contradict each other" "$ch2" $small --resume --overwrite --out "$out"
# a new run into a folder that holds a run: refused, the run untouched
cp -r "$in/run" "$tmp/held" && cp -r "$in/run" "$tmp/held_before"
expect "a new run over an earlier one" "held already holds a run (.*held/checkpoint, after epoch 1): --resume continues it, --overwrite replaces it" \
  "$ch2" $small --epochs 1 --out "$tmp/held"
diff -r "$tmp/held_before" "$tmp/held" > /dev/null || { echo "FAILED: a new run over an earlier one (the earlier run changed)"; failed=$((failed + 1)); }
# two runs on one folder: the second is refused while the first holds it
"$ch2" --epochs 50 --out "$tmp/busy" > /dev/null 2>&1 &
first=$!
for _ in $(seq 1 500); do [ -f "$tmp/busy/loss.svg" ] || [ -d "$tmp/busy" ] && break; sleep 0.01; done
sleep 0.5
expect "two runs on one --out" "busy: another run is using this folder (its --out); wait for it to end, or choose another --out" \
  "$ch2" $small --epochs 1 --out "$tmp/busy"
kill "$first" 2> /dev/null; wait "$first" 2> /dev/null
# --resume on other data whose vocabulary has the same size: refused, naming the difference
for i in $(seq 1 30); do printf 'a b\tx y\nc d\tz w\ne f\tu v\n'; done > "$in/words_a.tsv"
sed 's/a/q/g' "$in/words_a.tsv" > "$in/words_q.tsv"
"$ch2" $small --task "$in/words_a.tsv" --epochs 1 --out "$tmp/words" > /dev/null 2>&1 || echo "FAILED: could not train on words_a.tsv"
cp -r "$tmp/words" "$tmp/words_before"
expect "--resume on other data with a vocabulary of the same size" "its source vocabulary differs from this run's (10 lines there, 10 here; line " \
  "$ch2" $small --task "$in/words_q.tsv" --epochs 2 --resume --out "$tmp/words"
diff -r "$tmp/words_before" "$tmp/words" > /dev/null || { echo "FAILED: the refused resume changed the checkpoint"; failed=$((failed + 1)); }
expect "resume without a checkpoint" "no checkpoint here" "$ch2" $small --resume --out "$out"
expect "resume without a checkpoint (chapter 4)" "han/checkpoint: no checkpoint here" "$ch4" --epochs 1 --resume --out "$out"
expect "negative patience" "--patience: -1 is out of range" "$ch3" --patience -1
resume_case "checkpoint: truncated .npy" "output.W.npy: expected 720 bytes of data for shape (12, 15), found 40 (truncated" \
  "head -c 168 params/output.W.npy > x && mv x params/output.W.npy"
resume_case "checkpoint: wrong shapes (from another dataset)" "does not fit the model (.* problems): parameter 'source_embedding.weight' has shape (58, 4) in the checkpoint, (87, 4) in the model" "true" --task toy
resume_case "checkpoint: a parameter missing" "parameter 'output.b' is missing from the checkpoint" \
  "grep -v '^param	output.b	' manifest.tsv > x && mv x manifest.tsv"
resume_case "checkpoint: NaN in a parameter" "parameter 'output.b' holds NaN or infinite values" \
  "head -c 128 params/output.b.npy > x && printf '\000\000\300\177' >> x && tail -c 56 params/output.b.npy >> x && mv x params/output.b.npy"
resume_case "checkpoint: malformed manifest" "manifest.tsv:3: expected kind<TAB>name" \
  "sed -i '3s/.*/garbage line/' manifest.tsv"
resume_case "checkpoint: not a generator state" "rng.txt: not a random generator state" "echo nonsense > rng.txt"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
