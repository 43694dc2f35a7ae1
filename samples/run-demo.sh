#!/usr/bin/env bash
# The newcomer's first command: install what is missing, build, and run `qcpass check`
# on the bundled YOLO sample. The sample is deliberately NOT ready to train (see
# samples/README.md), so qcpass itself exits 1; this demo exits 0 once the report is written.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
swift build -c release 2>&1 | tail -n 3
status=0
.build/release/qcpass check samples/yolo_forklift --out qc || status=$?
echo
case $status in
  0|1) echo "Demo done: qcpass exited $status (1 = not ready to train, as planted). Open qc/report.md and qc/findings.json." ;;
  *)   echo "qcpass failed with exit code $status"; exit $status ;;
esac
