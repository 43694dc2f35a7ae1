#!/usr/bin/env bash
# Runs the XCTest suite under AddressSanitizer and ThreadSanitizer, each in its own
# scratch folder (sanitized objects never mix with the normal build).
#
#   Tests/sanitizers.sh                      # both, the whole suite
#   Tests/sanitizers.sh address              # one of them
#   Tests/sanitizers.sh thread QCLuaTests    # a --filter for swift test
#
# Leak checking is off: the Swift runtime and Foundation keep caches alive on purpose,
# which LeakSanitizer reports as leaks of no interest here.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers="${1:-address thread}"
filter="${2:-}"
status=0
for sanitizer in $sanitizers; do
  args=(--sanitize="$sanitizer" --scratch-path ".build-$sanitizer" --disable-swift-testing)
  [ -n "$filter" ] && args+=(--filter "$filter")
  echo "== swift test ${args[*]}"
  start=$(date +%s)
  if ASAN_OPTIONS="detect_leaks=0:halt_on_error=1" TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
     swift test "${args[@]}"; then
    echo "== $sanitizer: clean ($(( $(date +%s) - start )) s)"
  else
    echo "== $sanitizer: FAILED ($(( $(date +%s) - start )) s)"
    status=1
  fi
done
exit $status
