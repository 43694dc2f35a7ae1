#!/usr/bin/env python3
"""The hash-cache benchmark: a full `qcpass check` on the hashing corpus, first run (empty
cache) vs re-run (unchanged files) vs re-run after every file's mtime changed (a fresh
clone), medians of --runs; then Ctrl-C in the middle of a first run and the run after it.

    bench/cache/run.py --qcpass .build/release/qcpass --corpus bench/data/hashing/corpus

Targets: cached re-run >= 20x faster than the first run; after touching every file
>= 5x. Interrupt: the next run reports what the interrupted one had hashed as taken
from the cache, and finishes with the same findings as an uninterrupted run.
Standard library only. Exit status 0 when every target passes, 1 otherwise.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def check(qcpass, data_yaml, cache, out, extra=()):
    start = time.monotonic()
    proc = subprocess.run([qcpass, "check", data_yaml, "--cache-dir", cache, "--out", out, "--quiet", *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if proc.returncode not in (0, 1):
        sys.exit("qcpass exited %d: %s" % (proc.returncode, proc.stderr))
    return wall


def hashing(out):
    with open(os.path.join(out, "findings.json")) as f:
        doc = json.load(f)
    dup = next(c for c in doc["checks"] if c["id"] == "duplicates")
    return dup["metrics"]["hashing"], sorted(x["id"] for x in doc["findings"])


def touch_all(files):
    now = time.time()
    for i, path in enumerate(files):
        os.utime(path, (now, now + 1e-3 * (i + 1)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcpass", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="bench/out/cache")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="qcpass-cache-bench-")
    corpus = os.path.abspath(args.corpus)
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".jpg"))
    data_yaml = os.path.join(work, "data.yaml")
    with open(data_yaml, "w") as f:
        f.write("path: %s\ntrain: .\nnames: [thing]\n" % corpus)
    out = os.path.join(work, "out")
    cache = os.path.join(work, "cache")

    first, cached, touched = [], [], []
    for r in range(args.runs):
        shutil.rmtree(cache, ignore_errors=True)
        first.append(check(args.qcpass, data_yaml, cache, out))
        h_first, ids_first = hashing(out)
        cached.append(check(args.qcpass, data_yaml, cache, out))
        h_cached, ids_cached = hashing(out)
        touch_all(files)
        touched.append(check(args.qcpass, data_yaml, cache, out))
        h_touched, ids_touched = hashing(out)
        print("round %d: first %.3f s (decoded %d), cached %.3f s (from cache %d), touched %.3f s (re-read, from cache %d, decoded %d)"
              % (r + 1, first[-1], h_first["decoded"], cached[-1], h_cached["from_cache"], touched[-1],
                 h_touched["from_cache_content"], h_touched["decoded"]))
        assert ids_first == ids_cached == ids_touched, "a cached run changed the findings"

    # Ctrl-C half-way through a first run, then the run after it.
    shutil.rmtree(cache, ignore_errors=True)
    proc = subprocess.Popen([args.qcpass, "check", data_yaml, "--cache-dir", cache, "--out", out, "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(statistics.median(first) * 0.5)
    proc.send_signal(signal.SIGINT)
    code = proc.wait()
    log = os.path.join(cache, "image-hashes-v1.log")
    log_bytes = os.path.getsize(log) if os.path.exists(log) else 0
    resumed = check(args.qcpass, data_yaml, cache, out)
    h_resumed, ids_resumed = hashing(out)
    interrupt_ok = code != 0 and h_resumed["from_cache"] > 0 and ids_resumed == ids_first

    m_first, m_cached, m_touched = (statistics.median(x) for x in (first, cached, touched))
    rows = [
        ("first run (empty cache)", m_first, "", ""),
        ("re-run, unchanged files", m_cached, "%.1fx" % (m_first / m_cached), ">= 20x"),
        ("re-run after touching every file", m_touched, "%.1fx" % (m_first / m_touched), ">= 5x"),
    ]
    lines = ["qcpass check on %d JPEGs (%s), medians of %d" % (len(files), corpus, args.runs), ""]
    lines.append("| run | wall s | speed-up vs first | target |")
    lines.append("|---|---|---|---|")
    for name, wall, ratio, target in rows:
        lines.append("| %s | %.3f | %s | %s |" % (name, wall, ratio, target))
    lines.append("")
    lines.append("Ctrl-C after %.2f s: exit %d, cache log %d bytes; next run %.3f s took %d hashes from the cache, decoded %d, same findings: %s"
                 % (statistics.median(first) * 0.5, code, log_bytes, resumed, h_resumed["from_cache"], h_resumed["decoded"],
                    "yes" if ids_resumed == ids_first else "NO"))
    ok = m_first / m_cached >= 20 and m_first / m_touched >= 5 and interrupt_ok
    lines.append("targets: %s" % ("PASS" if ok else "FAIL"))
    text = "\n".join(lines)
    print("\n" + text)
    with open(os.path.join(args.out, "cache.txt"), "w") as f:
        f.write(text + "\n")
    shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
