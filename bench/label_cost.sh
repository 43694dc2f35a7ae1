#!/usr/bin/env bash
# The label-check cost benchmark: what do the prediction-based label checks cost at COCO
# scale, relative to the label-only pass of the foundation benchmark?
#
#   bench/label_cost.sh                        # 118,287 images, ~1.3M predictions; builds release
#   bench/label_cost.sh --no-build --runs 5
#   bench/label_cost.sh --images 5000          # quick run (corpus in bench/data/coco_scale_pred_5000)
#
# Steps: bench/.venv (as foundation.sh) -> corpus with predictions in bench/data/
# (gen_coco_scale.py --predictions, then txt_to_coco_results.py for predictions.json, both
# when missing) -> `swift build -c release` -> warm the page cache -> N rounds of one run of
# each command, interleaved (median wall time of the whole process, peak RSS) ->
# bench/out/label_cost.txt.
#
# Commands (all `--no-cache`, so every run reads every image header, like the baseline):
#   label_only         check data.yaml --only input,background,class_balance
#   label_checks_txt   check data.yaml --predictions predictions/ (YOLO txt, ~11 per image)
#                        --only input,missing_labels,wrong_classes,box_fit,class_balance,background
#   label_checks_json  the same with predictions.json (COCO results, one 137 MB file)
#   label_only_preds   the label-only pass that also loads the txt predictions: the
#                        checks' own cost is label_checks_txt over this one (printed, no target)
#   read_floor_labels / read_floor_predictions   bench/read_floor.c (C, one thread) on what
#                        the label-only pass reads, and on predictions/ alone: how much I/O
#                        the predictions add, before any parsing (printed, no target)
# split_leakage and duplicates are left out: they hash pixels (bench/hashing.sh).
# Target: each label_checks_* median <= 1.5x label_only's, measured in the same run.
# Exit status: 0 when every row passes, 1 otherwise. QCPASS_TIMINGS=1 on a single run
# shows where the time goes (phases, rules, native calls).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/corpus_args.sh" "$@"

bench_paths coco_scale_pred label_cost

bench_venv "PIL, numpy"

step "corpus ($DATA)"
have=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["images"]["train"]+d["images"]["val"] if d.get("predictions") else 0)' \
        "$DATA/corpus.json" 2>/dev/null || echo 0)
if [ "$have" != "$IMAGES" ]; then
  rm -rf "$DATA"
  "$PY" "$BENCH/gen_coco_scale.py" --images "$IMAGES" --out "$DATA" --predictions
else
  echo "present: $IMAGES images"
fi
if [ ! -s "$DATA/predictions.json" ] || [ "$DATA/predictions.json" -ot "$DATA/corpus.json" ]; then
  "$PY" "$BENCH/txt_to_coco_results.py" "$DATA"
fi

if [ "$BUILD" = 1 ]; then
  step "swift build -c release"
  (cd "$ROOT" && swift build -c release --product qcpass 2>&1 | tail -n 3)
fi
[ -n "$QCPASS" ] || QCPASS="$ROOT/.build/release/qcpass"
[ -x "$QCPASS" ] || { echo "qcpass not found at $QCPASS" >&2; exit 2; }
echo "qcpass: $QCPASS"

step "read floor (cc -O2)"
cc -O2 -o "$OUT/read_floor" "$BENCH/read_floor.c"
FLOOR="$OUT/read_floor"

step "warm page cache"
find "$DATA/labels" "$DATA/predictions" -type f -exec cat {} + > /dev/null
cat "$DATA/predictions.json" > /dev/null
"$QCPASS" stats "$DATA/data.yaml" > /dev/null

# Round-robin, one run of each command per round (measure.py pools a name's runs): this
# machine's load drifts, and blocks of back-to-back runs gave the baseline and the
# measured command different conditions.
M() { "$PY" "$BENCH/measure.py" run --results "$RESULTS" --runs 1 "$@"; }
CHECKS=input,missing_labels,wrong_classes,box_fit,class_balance,background
for round in $(seq "$RUNS"); do
  step "round $round of $RUNS"
  M --name label_only --ok 0,1 -- "$QCPASS" check "$DATA/data.yaml" --only input,background,class_balance \
    --out /tmp/qcbench-label-only --quiet --no-cache
  M --name label_only_preds --ok 0,1 -- "$QCPASS" check "$DATA/data.yaml" --predictions "$DATA/predictions" \
    --only input,background,class_balance --out /tmp/qcbench-label-only-preds --quiet --no-cache
  M --name label_checks_txt --ok 0,1 -- "$QCPASS" check "$DATA/data.yaml" --predictions "$DATA/predictions" \
    --only "$CHECKS" --out /tmp/qcbench-label-txt --quiet --no-cache
  M --name label_checks_json --ok 0,1 -- "$QCPASS" check "$DATA/data.yaml" --predictions "$DATA/predictions.json" \
    --only "$CHECKS" --out /tmp/qcbench-label-json --quiet --no-cache
  M --name read_floor_labels -- "$FLOOR" "$DATA"
  M --name read_floor_predictions -- "$FLOOR" "$DATA" predictions
done

step "results"
HEADER="label-check cost — $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $IMAGES images, $("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(d["predictions"].values()), "predictions")' "$DATA/corpus.json"), $RUNS runs each, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) before the table"
"$PY" "$BENCH/measure.py" table --rows label_cost --results "$RESULTS" --out "$OUT/label_cost.txt" --header "$HEADER"
