#!/bin/sh
# Opens gallery.html and report.html in headless Chromium and checks that their script
# ran without console errors and shows the expected cards and boxes (BrowserPageTests).
# Needs Debian's chromium (apt-get install -y chromium, about a minute). Screenshots of
# both pages land in ${QCPASS_SCREENSHOT_DIR:-qc-screenshots}.
set -eu
cd "$(dirname "$0")/../.."
command -v chromium >/dev/null 2>&1 || { echo "chromium is not installed: apt-get install -y chromium" >&2; exit 2; }
QCPASS_SCREENSHOT_DIR="${QCPASS_SCREENSHOT_DIR:-$PWD/qc-screenshots}"
mkdir -p "$QCPASS_SCREENSHOT_DIR"
export QCPASS_BROWSER_TESTS=1 QCPASS_SCREENSHOT_DIR
swift test ${SWIFT_TEST_FLAGS:-} --disable-swift-testing --filter QCPassCLITests.BrowserPageTests
echo "Screenshots: $QCPASS_SCREENSHOT_DIR/gallery.png, $QCPASS_SCREENSHOT_DIR/report.png"
