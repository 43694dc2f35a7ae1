#!/usr/bin/env bash
# The label-accuracy benchmark: does qcpass find injected label errors, and does it rank
# images at least as well as cleanlab's object_detection on the same labels and predictions?
#
#   bench/label_accuracy/run.sh                        # 2,000 images; qcpass from .build/release/qcpass
#   bench/label_accuracy/run.sh --qcpass /path/to/qcpass
#   bench/label_accuracy/run.sh --images 500 --regen   # another size (data in bench/data/label_accuracy_500)
#
# Steps: bench/.venv (numpy, Pillow, cleanlab: bench/label_accuracy/requirements.txt) ->
# the dataset in bench/data/label_accuracy/ (generated when missing: YOLO labels with known
# injected errors listed in truth.json, simulated predictions in predictions/labels/) ->
#   qcpass check DATA/data.yaml --predictions DATA/predictions/labels --out OUT --quiet
# (exit 0 and 1 both fine) -> cleanlab_baseline.py -> score.py -> the table.
# OUT is bench/out/label_accuracy/: qcpass's findings.json and reports, cleanlab.json,
# cleanlab_findings.json, score.json, label_accuracy.txt (the table).
#
# Targets: precision >= 0.8 and recall >= 0.8 for missing_box (vs dropped boxes),
# wrong_class (vs class swaps) and loose_box+tight_box (vs scaled boxes); qcpass's
# image-level AP >= cleanlab's. Exit status: 0 when every target passes, 1 otherwise.
# qcpass does not build here: build it first (swift build -c release) or pass --qcpass.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH="$(dirname "$HERE")"
ROOT="$(dirname "$BENCH")"
IMAGES=2000
DATA=""
OUT="$BENCH/out/label_accuracy"
QCPASS="${QCPASS_BIN:-}"
REGEN=0

usage() { sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --images) IMAGES="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --qcpass) QCPASS="$2"; shift 2 ;;
    --regen) REGEN=1; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
if [ -z "$DATA" ]; then
  if [ "$IMAGES" = 2000 ]; then DATA="$BENCH/data/label_accuracy"; else DATA="$BENCH/data/label_accuracy_$IMAGES"; fi
fi
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

# --- python tooling ----------------------------------------------------------------
VENV="$BENCH/.venv"
PY="$VENV/bin/python"
step "python venv ($VENV)"
if ! "$PY" -c 'import numpy, PIL, cleanlab' 2>/dev/null; then
  [ -x "$PY" ] || python3 -m venv "$VENV"
  "$PY" -m pip install -q --disable-pip-version-check -r "$HERE/requirements.txt"
fi
"$PY" -c 'import sys, numpy, PIL, cleanlab; print("python", sys.version.split()[0], "numpy", numpy.__version__, "Pillow", PIL.__version__, "cleanlab", cleanlab.__version__)'

# --- dataset -------------------------------------------------------------------------
step "dataset ($DATA)"
have=$("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["image_list"]))' \
        "$DATA/truth.json" 2>/dev/null || echo 0)
if [ "$REGEN" = 1 ] || [ "$have" != "$IMAGES" ]; then
  "$PY" "$HERE/gen_label_errors.py" --images "$IMAGES" --out "$DATA"
else
  echo "present: $IMAGES images"
fi

# --- qcpass --------------------------------------------------------------------------
step "qcpass check"
[ -n "$QCPASS" ] || QCPASS="$ROOT/.build/release/qcpass"
rm -f "$OUT/findings.json"
if [ -x "$QCPASS" ]; then
  echo "$QCPASS check $DATA/data.yaml --predictions $DATA/predictions/labels --out $OUT --quiet"
  t0=$(date +%s%N)
  set +e
  "$QCPASS" check "$DATA/data.yaml" --predictions "$DATA/predictions/labels" --out "$OUT" --quiet
  rc=$?
  set -e
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
  printf 'exit %d, %d.%03d s\n' "$rc" $((ms / 1000)) $((ms % 1000))
  if [ "$rc" != 0 ] && [ "$rc" != 1 ]; then echo "qcpass exited $rc: scoring whatever findings.json it wrote" >&2; fi
else
  echo "qcpass not found at $QCPASS (build it, or pass --qcpass): its figures will be n/a" >&2
fi

# --- cleanlab --------------------------------------------------------------------------
step "cleanlab baseline"
"$PY" "$HERE/cleanlab_baseline.py" --data "$DATA" --out "$OUT"

# --- score -------------------------------------------------------------------------------
step "results"
{
  echo "label-accuracy benchmark — $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $IMAGES images, $(nproc) cores"
  "$PY" "$HERE/score.py" --truth "$DATA/truth.json" --findings "$OUT/findings.json" \
    --json "$OUT/score.json" --cleanlab "$OUT/cleanlab.json"
} | tee "$OUT/label_accuracy.txt"
"$PY" -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get("all_targets_pass") else 1)' "$OUT/score.json"
