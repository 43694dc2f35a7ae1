#!/usr/bin/env bash
# The foundation benchmark: is qcpass's base fast and lean enough at COCO scale?
#
#   bench/foundation.sh                    # full scale: 118,287 images, ~860k boxes
#   bench/foundation.sh --images 5000      # quick run on a small corpus
#   bench/foundation.sh --no-build --qcpass /path/to/qcpass --runs 5
#
# Steps: bench/.venv (pycocotools, Pillow, numpy from bench/requirements.txt) ->
# corpus in bench/data/ (generated when missing) -> `swift build -c release` ->
# bench/out/read_floor (cc -O2) -> warm the page cache -> each command N times ->
# table of medians in bench/out/foundation.txt.
#
# Measurements (whole-process wall time and peak RSS, median of N runs):
#   1. COCO JSON load: pycocotools COCO(instances_train.json) vs
#      `qcpass stats instances_train.json --no-headers`              target >= 10x faster
#   2. label-only check of the YOLO form, `--only input,background,class_balance`, vs
#      bench/out/read_floor (reads every label, 64 KiB of every image) target <= 2x the floor
#      The page cache is warm; qcpass reads every image header itself on each run.
#   3. peak RSS of qcpass on both forms (check on data.yaml and on
#      annotations/instances_train.json, stats on the JSON)          target <= 1500 MB
# qcpass exits 1 when the dataset is not ready (it is not: class balance fails), so
# exit codes 0 and 1 count as success. Exit status: 0 when every row passes, 1 otherwise.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/corpus_args.sh" "$@"

bench_paths coco_scale foundation

# --- python tooling ----------------------------------------------------------------
bench_venv "pycocotools, PIL, numpy"
"$PY" -c 'import pycocotools, PIL, numpy, sys; print("python", sys.version.split()[0], "numpy", numpy.__version__, "Pillow", PIL.__version__)'

# --- corpus --------------------------------------------------------------------------
step "corpus ($DATA)"
have=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["images"]["train"]+d["images"]["val"])' \
        "$DATA/corpus.json" 2>/dev/null || echo 0)
if [ "$have" != "$IMAGES" ]; then
  "$PY" "$BENCH/gen_coco_scale.py" --images "$IMAGES" --out "$DATA"
else
  echo "present: $IMAGES images"
fi
TRAIN_JSON="$DATA/annotations/instances_train.json"

# --- qcpass --------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  step "swift build -c release"
  if (cd "$ROOT" && swift build -c release 2>&1 | tail -n 5); then
    QCPASS="$ROOT/.build/release/qcpass"
  else
    echo "build failed: qcpass rows will be errors" >&2
  fi
fi
[ -n "$QCPASS" ] || QCPASS="$ROOT/.build/release/qcpass"
if [ -x "$QCPASS" ]; then echo "qcpass: $QCPASS"; else echo "qcpass not found at $QCPASS: its rows will be errors" >&2; fi

# --- the C floor -----------------------------------------------------------------------
step "read floor (cc -O2)"
cc -O2 -o "$OUT/read_floor" "$BENCH/read_floor.c"
FLOOR="$OUT/read_floor"

# --- warm the page cache -----------------------------------------------------------------
step "warm page cache"
"$FLOOR" "$DATA"
cat "$DATA"/annotations/*.json > /dev/null

# --- measurements -------------------------------------------------------------------------
M() { "$PY" "$BENCH/measure.py" run --results "$RESULTS" --runs "$RUNS" "$@"; }
CHECK_OUT=/tmp/qcbench
# --no-cache: every run reads all image headers itself, as the floor does (a cached
# re-run only stats them; bench/cache.sh measures that).
CHECK=(check "$DATA/data.yaml" --only input,background,class_balance --out "$CHECK_OUT" --quiet --no-cache)

step "1. COCO JSON load"
M --name pycocotools -- "$PY" -c 'import sys; from pycocotools.coco import COCO; COCO(sys.argv[1])' "$TRAIN_JSON"
M --name qcpass_stats -- "$QCPASS" stats "$TRAIN_JSON" --no-headers

step "2. label-only check, YOLO form, vs the read floor"
M --name read_floor -- "$FLOOR" "$DATA"
M --name qcpass_check_yolo --ok 0,1 -- "$QCPASS" "${CHECK[@]}"

step "3. peak RSS, COCO form"
M --name qcpass_check_coco --ok 0,1 -- \
  "$QCPASS" check "$TRAIN_JSON" --images "$DATA/images/train" --only input,background,class_balance \
  --out "$CHECK_OUT-coco" --quiet --no-cache

# --- table ------------------------------------------------------------------------------------
step "results"
HEADER="foundation benchmark — $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $IMAGES images ($("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(d["annotations"].values()), "boxes")' "$DATA/corpus.json")), $RUNS runs each, $(nproc) cores"
"$PY" "$BENCH/measure.py" table --results "$RESULTS" --out "$OUT/foundation.txt" --header "$HEADER"
