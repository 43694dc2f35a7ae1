#!/bin/sh
# The grouped split benchmark (bench/README.md):
#  1. a YOLO set with planted leakage (300 scenes spread over train/val/test, 5% of the
#     images copied into another split): check finds group_leak and
#     cross_split_duplicate; `qcpass split` makes a new dataset; check on it finds none;
#     the table shows each class's share per split against the ratio (±3 pp promised for
#     classes in >= 20 groups).
#  2. the COCO-scale corpus (bench/gen_coco_scale.py) in 10,000 scenes: loading and the
#     split phase timed apart (promise: split <= 3 s). Its pictures are ~40 templates, so
#     duplicates are not joined there (--duplicates none).
set -eu
cd "$(dirname "$0")"
BIN=${QCPASS:-../.build/release/qcpass}
OUT=out/split
DATA=data/split_leaky
mkdir -p "$OUT"
rm -rf "$DATA" "$OUT/new" "$OUT/qc_before" "$OUT/qc_after"
python3 split/make_leaky.py "$DATA" --groups 300 | tee "$OUT/split.txt"
count() { python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['findings']; print(sum(1 for x in f if x['kind']==sys.argv[2]))" "$@"; }
"$BIN" check "$DATA" --out "$OUT/qc_before" --quiet --only split_leakage || true
echo "before: group_leak $(count "$OUT/qc_before/findings.json" group_leak), cross_split_duplicate $(count "$OUT/qc_before/findings.json" cross_split_duplicate)" | tee -a "$OUT/split.txt"
"$BIN" split "$DATA" --out "$OUT/new" --ratios 0.8,0.1,0.1 --seed 1 | tee -a "$OUT/split.txt"
"$BIN" check "$OUT/new" --out "$OUT/qc_after" --quiet --only split_leakage || true
echo "after:  group_leak $(count "$OUT/qc_after/findings.json" group_leak), cross_split_duplicate $(count "$OUT/qc_after/findings.json" cross_split_duplicate)" | tee -a "$OUT/split.txt"

if [ -d data/coco_scale/images ]; then
  python3 split/scale_groups.py data/coco_scale data/split_scale --groups 10000 | tee -a "$OUT/split.txt"
  QCPASS_TIMINGS=1 "$BIN" split data/split_scale/data.yaml --out "$OUT/scale_unused" --duplicates none --dry-run --no-cache 2>"$OUT/scale_timings.txt" \
    | tee -a "$OUT/split.txt"
  grep -E "timing: (load|split) " "$OUT/scale_timings.txt" | tee -a "$OUT/split.txt"
else
  echo "bench/data/coco_scale missing: run python3 bench/gen_coco_scale.py first" | tee -a "$OUT/split.txt"
fi
