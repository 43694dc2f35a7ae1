#!/usr/bin/env bash
# Fuzzes every parser qcpass owns with qcpass-fuzz, a deterministic mutation fuzzer:
# each target starts from its seed corpus in Tests/fuzz-corpus/<target>/ and runs N
# mutated inputs. Prints executions and executions/s per target and the total.
#
#   Tests/fuzz/run.sh                      # 100000 executions per target, release build
#   Tests/fuzz/run.sh --runs 2000000       # a long run
#   Tests/fuzz/run.sh --smoke              # CI: a debug build, ~1 minute in all
#   Tests/fuzz/run.sh --targets "image-header number" --seed 7
#
# A crash or a hang (--timeout seconds per input, default 10) stops that target and
# leaves the input in fuzz-crashes/<target>-<crash|abort|timeout>-<hash>; reproduce with
#   .build-fuzz/release/qcpass-fuzz replay <target> fuzz-crashes/<file>
# then add the file to Tests/fuzz-corpus/regressions/<target>/ with the fix: the
# HostileInputTests replay every file there.
set -euo pipefail
cd "$(dirname "$0")/../.."

runs=100000
seed=1
timeout=10
configuration=release
scratch=.build-fuzz
targets=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --targets) targets="$2"; shift 2 ;;
    --scratch-path) scratch="$2"; shift 2 ;;
    --smoke) runs=2000; configuration=debug; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

swift build --scratch-path "$scratch" -c "$configuration" --product qcpass-fuzz >&2
fuzz="$scratch/$configuration/qcpass-fuzz"
[ -n "$targets" ] || targets=$("$fuzz" list)

mkdir -p fuzz-crashes
total=0
start=$(date +%s.%N)
status=0
for target in $targets; do
  # Image decoding is the slowest target by far: a tenth of the executions.
  n=$runs
  [ "$target" = image-decode ] && n=$((runs / 10))
  if line=$("$fuzz" run "$target" --corpus "Tests/fuzz-corpus/$target" --runs "$n" --seed "$seed" \
              --crashes fuzz-crashes --timeout "$timeout"); then
    echo "$line"
    total=$((total + $(echo "$line" | awk '{print $2}')))
  else
    echo "$target: FAILED (input saved in fuzz-crashes/)"
    status=1
  fi
done
end=$(date +%s.%N)
awk -v t="$total" -v s="$start" -v e="$end" 'BEGIN { printf "total %d execs in %.1f s (%.0f execs/s)\n", t, e - s, t / (e - s) }'
exit $status
