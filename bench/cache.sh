#!/usr/bin/env bash
# The hash-cache benchmark: first `qcpass check` on the hashing corpus vs cached re-runs,
# and Ctrl-C in the middle of a first run (see bench/cache/run.py for what is measured).
#
#   bench/cache.sh                          # builds qcpass (release), needs the corpus
#   bench/cache.sh --no-build --runs 5
#
# The corpus is bench/hashing.sh's (bench/data/hashing/corpus, 2,077 JPEGs): run that
# script first on a fresh machine. Results: bench/out/cache/cache.txt.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
RUNS=3
BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
CORPUS="$BENCH/data/hashing/corpus"
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS: run bench/hashing.sh first" >&2; exit 2; }
if [ "$BUILD" = 1 ]; then (cd "$ROOT" && swift build -c release --product qcpass 2>&1 | tail -n 1); fi
QCPASS="$ROOT/.build/release/qcpass"
# warm the page cache so the first run measures decoding, not the disk
cat "$CORPUS"/*.jpg > /dev/null
python3 "$BENCH/cache/run.py" --qcpass "$QCPASS" --corpus "$CORPUS" --runs "$RUNS" --out "$BENCH/out/cache"
