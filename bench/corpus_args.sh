# Shared by the COCO-scale benchmarks (foundation.sh, label_cost.sh): their common
# options, the `step` banner, the Python venv and their data/output paths. Source it with the script's arguments:
#   source "$(dirname "${BASH_SOURCE[0]}")/corpus_args.sh" "$@"
# It sets BENCH, ROOT, IMAGES, RUNS, BUILD, QCPASS, DATA (empty: the script picks its
# corpus) from --images N, --runs N, --data DIR, --qcpass BIN, --no-build, -h.
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$BENCH")"
IMAGES=118287
RUNS=3
BUILD=1
QCPASS="${QCPASS_BIN:-}"
DATA=""

# The calling script's header comment, without the shebang.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --images) IMAGES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --qcpass) QCPASS="$2"; BUILD=0; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }

# bench/.venv with bench/requirements.txt, made when `import $1` fails. Sets PY.
bench_venv() {
  VENV="$BENCH/.venv"
  PY="$VENV/bin/python"
  step "python venv ($VENV)"
  if ! "$PY" -c "import $1" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$PY" -m pip install -q --disable-pip-version-check -r "$BENCH/requirements.txt"
  fi
}

# bench_paths NAME RESULTS: DATA defaults to bench/data/NAME (NAME_<images> for another
# size), OUT to bench/out, and RESULTS (OUT/RESULTS.jsonl) starts empty.
bench_paths() {
  if [ -z "$DATA" ]; then
    if [ "$IMAGES" = 118287 ]; then DATA="$BENCH/data/$1"; else DATA="$BENCH/data/$1_$IMAGES"; fi
  fi
  OUT="$BENCH/out"
  RESULTS="$OUT/$2.jsonl"
  mkdir -p "$OUT"
  : > "$RESULTS"
}
