#!/usr/bin/env bash
# The hashing benchmark: decoding + pHash throughput, the near-duplicate index, accuracy.
#
#   bench/hashing.sh                     # fetch + build the corpus when missing, build, measure
#   bench/hashing.sh --runs 5 --jobs 2
#   bench/hashing.sh --no-build --bench .build/release/qcpass-bench
#   bench/hashing.sh --skip-index        # throughput and accuracy only
#
# Steps: bench/.venv (+ imagehash, opencv-python-headless from bench/hashing/requirements.txt)
# -> corpus in bench/data/hashing/ (apt-get download opencv-doc python3-skimage, dpkg -x,
# bench/hashing/make_corpus.py; run `apt-get update` first on a fresh machine) ->
# `swift build -c release --product qcpass-bench` -> bench/out/decode_floor (cc -O2) ->
# warm the page cache -> rounds of measurements -> bench/out/hashing/hashing.txt.
#
# Throughput (images/s, every tool timing its own loop over the same 2,077 JPEGs, page
# cache warm; one round runs each tool once, ratios are taken within a round):
#   decode_floor        C, libjpeg-turbo at 1/8 scale, grayscale, one thread (the floor)
#   qcpass_j1           qcpass-bench hash --jobs 1 (read + xxh3-128 + decode + pHash)
#   imagehash_plain     ImageHash phash, PIL decoding the full image
#   imagehash_draft     ImageHash phash after Image.draft('L', (64, 64))
#   qcpass_jN           qcpass-bench hash --jobs N (N = --jobs, default all cores)
# Targets: qcpass_j1 >= 3x imagehash_plain, >= 1.2x imagehash_draft, >= 0.8x decode_floor.
# Index: all pairs within radius 8 among 100k and 1M random 64-bit hashes (seeded), jobs 1
# and N; 1M <= 10 s, t(1M)/t(100k) <= 20. References, one run each: brute force at 100k,
# BK-tree and the index at 20k.
# Accuracy: bench/hashing/score.py on the accuracy set (66 bases x 6 files): recall >= 0.9 at
# precision >= 0.95 at distance 10, printed next to ImageHash phash (plain and draft).
# Exit status: 0 when every target passes, 1 otherwise.
set -euo pipefail

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
RUNS=3
JOBS="$(nproc)"
BUILD=1
INDEX=1
QCBENCH="${QCPASS_BENCH_BIN:-}"
SCRATCH="${SCRATCH_PATH:-$ROOT/.build}"

usage() { sed -n '2,29p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --bench) QCBENCH="$2"; BUILD=0; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --skip-index) INDEX=0; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
DATA="$BENCH/data/hashing"
OUT="$BENCH/out/hashing"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

# --- python tooling ------------------------------------------------------------------
VENV="$BENCH/.venv"
PY="$VENV/bin/python"
step "python venv ($VENV)"
if ! "$PY" -c 'import PIL, numpy, imagehash, cv2' 2>/dev/null; then
  [ -x "$PY" ] || python3 -m venv "$VENV"
  "$PY" -m pip install -q --disable-pip-version-check -r "$BENCH/requirements.txt" -r "$BENCH/hashing/requirements.txt"
fi
"$PY" -c 'import sys, PIL, imagehash, cv2; print("python", sys.version.split()[0], "Pillow", PIL.__version__, "ImageHash", imagehash.__version__, "OpenCV", cv2.__version__)'

# --- corpus --------------------------------------------------------------------------
step "corpus ($DATA)"
if [ ! -f "$DATA/done.json" ]; then
  mkdir -p "$DATA/debs"
  (cd "$DATA/debs" && ls opencv-doc_*.deb >/dev/null 2>&1 || apt-get download opencv-doc)
  (cd "$DATA/debs" && ls python3-skimage_*.deb >/dev/null 2>&1 || apt-get download python3-skimage)
  for deb in "$DATA"/debs/*.deb; do dpkg -x "$deb" "$DATA/debs/root"; done
  "$PY" "$BENCH/hashing/make_corpus.py" --src "$DATA/debs/root" --out "$DATA"
else
  cat "$DATA/done.json"; echo
fi
CORPUS="$DATA/corpus.txt"

# --- binaries ------------------------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  step "swift build -c release --product qcpass-bench"
  (cd "$ROOT" && swift build -c release --scratch-path "$SCRATCH" --product qcpass-bench 2>&1 | tail -n 3)
  QCBENCH="$SCRATCH/release/qcpass-bench"
fi
[ -n "$QCBENCH" ] || QCBENCH="$SCRATCH/release/qcpass-bench"
[ -x "$QCBENCH" ] || { echo "qcpass-bench not found at $QCBENCH" >&2; exit 2; }
step "decode floor (cc -O2)"
cc -O2 -o "$BENCH/out/decode_floor" "$BENCH/decode_floor.c" -lturbojpeg
FLOOR="$BENCH/out/decode_floor"

step "warm page cache"
xargs -d '\n' cat < "$CORPUS" > /dev/null
xargs -d '\n' cat < "$DATA/accuracy.txt" > /dev/null

# --- throughput ------------------------------------------------------------------------
: > "$OUT/throughput.jsonl"
record() { # round name json
  "$PY" -c 'import json,sys; r=json.loads(sys.argv[3]); r["round"]=int(sys.argv[1]); r["name"]=sys.argv[2]; print(json.dumps(r))' "$@" >> "$OUT/throughput.jsonl"
  printf '  %-16s %s\n' "$2" "$("$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.0f images/s (%d images, %.2f s)" % (r["images_per_s"], r["images"], r["seconds"]))' "$3")"
}
for round in $(seq 1 "$RUNS"); do
  step "throughput round $round/$RUNS"
  record "$round" decode_floor "$("$FLOOR" "$CORPUS")"
  record "$round" qcpass_j1 "$("$QCBENCH" hash --list "$CORPUS" --jobs 1)"
  record "$round" imagehash_plain "$("$PY" "$BENCH/hashing/pil_phash.py" --list "$CORPUS" --mode plain)"
  record "$round" imagehash_draft "$("$PY" "$BENCH/hashing/pil_phash.py" --list "$CORPUS" --mode draft)"
  [ "$JOBS" = 1 ] || record "$round" "qcpass_j$JOBS" "$("$QCBENCH" hash --list "$CORPUS" --jobs "$JOBS")"
done

# --- index -------------------------------------------------------------------------------
: > "$OUT/index.jsonl"
if [ "$INDEX" = 1 ]; then
  step "near-duplicate index, radius 8, random hashes"
  idx() { "$QCBENCH" index --radius 8 "$@" | tee -a "$OUT/index.jsonl"; }
  for round in $(seq 1 "$RUNS"); do
    for jobs in $(printf '%s\n' 1 "$JOBS" | sort -u); do
      idx --count 100000 --jobs "$jobs"
      idx --count 1000000 --jobs "$jobs"
    done
  done
  idx --count 100000 --jobs 1 --method brute
  idx --count 20000 --jobs 1 --method bktree
  idx --count 20000 --jobs 1
fi

# --- accuracy ------------------------------------------------------------------------------
step "accuracy (near-duplicate pairs)"
"$QCBENCH" hash --list "$DATA/accuracy.txt" --dump "$OUT/accuracy_qcpass.tsv" > /dev/null
"$PY" "$BENCH/hashing/pil_phash.py" --list "$DATA/accuracy.txt" --mode plain --dump "$OUT/accuracy_imagehash.tsv" > /dev/null
"$PY" "$BENCH/hashing/pil_phash.py" --list "$DATA/accuracy.txt" --mode draft --dump "$OUT/accuracy_imagehash_draft.tsv" > /dev/null
"$PY" "$BENCH/hashing/score.py" --truth "$DATA/truth.json" --at 10 --max 16 --json "$OUT/accuracy.json" \
  --hashes qcpass="$OUT/accuracy_qcpass.tsv" imagehash="$OUT/accuracy_imagehash.tsv" \
           imagehash_draft="$OUT/accuracy_imagehash_draft.tsv"

# --- table -----------------------------------------------------------------------------------
step "results"
HEADER="hashing benchmark — $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $(wc -l < "$CORPUS") JPEGs, $RUNS rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" "$BENCH/hashing/report.py" --out "$OUT" --header "$HEADER"
