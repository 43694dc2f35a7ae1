#!/usr/bin/env python3
"""Time a command like /usr/bin/time -f "%e %M" would, N times, and keep the figures.

    measure.py run --name ID --runs 3 --ok 0,1 --results FILE [--fresh-dir DIR] -- CMD ARGS...
    measure.py table --results FILE --out TABLE_FILE [--rows foundation|label_cost]

`run` starts each command under /usr/bin/time -f "%e %M" (GNU time; the peak RSS in KiB
comes from it) and waits with os.wait4, so wall time is the whole process, start to
reap. Without GNU time the RSS is the child's ru_maxrss, which includes this Python
process's RSS (~15 MB) inherited through fork. Exit codes outside
--ok make the measurement an error; so does a missing program. Each run may get a
fresh empty directory (--fresh-dir, substituted for {fresh} in CMD) so a tool's own
cache starts cold every time. One JSON line per measurement is appended to FILE.

`table` pairs measurements into the foundation (or label_cost) table; the pairs and targets are
listed in ROWS and LABEL_COST_ROWS below. Records of the same name are merged (their runs
pooled), so a script may interleave its commands one run at a time: on a shared machine
whose load drifts, round-robin runs put every command under the same conditions, where
back-to-back blocks of runs can give one command a quiet minute and another a busy one.
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
import threading
import time

TIMEOUT_S = 1800
# GNU time reports the child's own peak RSS; measured from here (os.wait4) the child
# would also carry this Python process's RSS, inherited through fork before exec.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    ok = {int(c) for c in args.ok.split(",")}
    rec = {"name": args.name, "cmd": cmd, "runs": 0, "walls": [], "rss_kb": [], "codes": [], "error": None}
    for i in range(args.runs):
        argv = cmd
        if args.fresh_dir:
            shutil.rmtree(args.fresh_dir, ignore_errors=True)
            os.makedirs(args.fresh_dir)
            argv = [a.replace("{fresh}", args.fresh_dir) for a in cmd]
        errfile = tempfile.TemporaryFile()
        timefile = tempfile.NamedTemporaryFile(prefix="measure-", suffix=".time", delete=False)
        timefile.close()
        launcher = [GNU_TIME, "-f", "%e %M", "-o", timefile.name] if GNU_TIME else []
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(launcher + argv, stdout=subprocess.DEVNULL, stderr=errfile, start_new_session=True)
        except OSError as e:
            rec["error"] = "cannot start %s: %s" % (os.path.basename(argv[0]), e.strerror)
            break
        timer = threading.Timer(TIMEOUT_S, lambda: os.killpg(p.pid, signal.SIGKILL))
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)  # blocking: wall time ends when the child is reaped
        wall = time.perf_counter() - t0
        timed_out = not timer.is_alive()
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        errfile.seek(0)
        err = errfile.read().decode("utf-8", "replace")
        errfile.close()
        rss_kb = usage.ru_maxrss
        with open(timefile.name) as f:
            tail = f.read().strip().splitlines()
        os.unlink(timefile.name)
        if GNU_TIME:
            # the last line is "%e %M"; a line before it may say the command failed
            try:
                rss_kb = int(tail[-1].split()[1])
            except (IndexError, ValueError):
                rec["error"] = "cannot start %s: %s" % (os.path.basename(argv[0]), err.strip()[-200:])
                break
            if p.returncode == 127 and "No such file" in err:
                rec["error"] = "cannot start %s: not found" % os.path.basename(argv[0])
                break
        if timed_out:
            rec["error"] = "timed out after %d s" % TIMEOUT_S
        if rec["error"]:
            break
        code = p.returncode
        rec["codes"].append(code)
        if code not in ok:
            rec["error"] = "exit %d: %s" % (code, err.strip().splitlines()[-1][:200] if err.strip() else "")
            break
        rec["runs"] += 1
        rec["walls"].append(round(wall, 4))
        rec["rss_kb"].append(rss_kb)
    if args.fresh_dir:
        shutil.rmtree(args.fresh_dir, ignore_errors=True)
    if rec["walls"]:
        rec["median_s"] = statistics.median(rec["walls"])
        rec["peak_rss_kb"] = max(rec["rss_kb"])
    with open(args.results, "a") as f:
        f.write(json.dumps(rec) + "\n")
    status = "error: " + rec["error"] if rec["error"] else "median %.3f s, peak %.0f MB" % (
        rec["median_s"], rec["peak_rss_kb"] / 1024)
    print("  %-26s %d run(s)  %s" % (args.name, rec["runs"], status), flush=True)
    return 0


# (label, measured, baseline, kind, target): kind "faster" = baseline/measured >= target,
# "floor" = measured/baseline <= target, "rss" = peak RSS of all measured names <= target MB
ROWS = [
    ("COCO JSON load (stats vs pycocotools)", "qcpass_stats", "pycocotools", "faster", 10.0),
    ("label check YOLO (vs read floor)", "qcpass_check_yolo", "read_floor", "floor", 2.0),
    ("peak RSS check YOLO form", "qcpass_check_yolo", None, "rss", 1500.0),
    ("peak RSS check COCO form", "qcpass_check_coco", None, "rss", 1500.0),
    ("peak RSS stats COCO JSON", "qcpass_stats", None, "rss", 1500.0),
]

# bench/label_cost.sh: the label checks with predictions against the label-only pass.
LABEL_COST_ROWS = [
    ("label checks + YOLO-txt predictions (vs label-only)", "label_checks_txt", "label_only", "floor", 1.5),
    ("label checks + COCO-results JSON (vs label-only)", "label_checks_json", "label_only", "floor", 1.5),
    ("  the checks alone (vs label-only + predictions)", "label_checks_txt", "label_only_preds", "info", 0.0),
    ("  loading the predictions, no checks (vs label-only)", "label_only_preds", "label_only", "info", 0.0),
    ("  C read floor: predictions/ (vs labels + images)", "read_floor_predictions", "read_floor_labels", "info", 0.0),
    ("peak RSS label checks + YOLO-txt predictions", "label_checks_txt", None, "rss", 1500.0),
    ("peak RSS label checks + COCO-results JSON", "label_checks_json", None, "rss", 1500.0),
]
PRESETS = {"foundation": (ROWS, ("pycocotools", "read_floor")),
           "label_cost": (LABEL_COST_ROWS, ("label_only", "label_only_preds", "read_floor_labels",
                                              "read_floor_predictions"))}


def table(args):
    recs = {}
    if os.path.exists(args.results):
        for line in open(args.results):
            r = json.loads(line)
            if r["name"] in recs:
                merged = recs[r["name"]]
                merged["runs"] += r["runs"]
                merged["walls"] += r["walls"]
                merged["rss_kb"] += r["rss_kb"]
                merged["codes"] += r["codes"]
                merged["error"] = merged["error"] or r["error"]
                if merged["walls"]:
                    merged["median_s"] = statistics.median(merged["walls"])
                    merged["peak_rss_kb"] = max(merged["rss_kb"])
            else:
                recs[r["name"]] = r
    head = ("measurement", "runs", "median s", "baseline s", "ratio", "peak MB", "target", "result")
    rows = []
    failed = False
    rows_spec, baselines = PRESETS[args.rows]
    for label, name, base, kind, target in rows_spec:
        m, b = recs.get(name), recs.get(base) if base else None
        if m is None:
            continue
        runs = str(m["runs"])
        med = "%.3f" % m["median_s"] if "median_s" in m else "-"
        bmed = "%.3f" % b["median_s"] if b and "median_s" in b else "-"
        peak = "%.0f" % (m["peak_rss_kb"] / 1024) if "peak_rss_kb" in m else "-"
        ratio, result = "-", "n/a"
        if m.get("error") or (b is not None and b.get("error")) or (base and b is None):
            why = m.get("error") or (b or {}).get("error") or "baseline missing"
            result = "ERROR (%s)" % why[:60]
            failed = True
        elif kind == "faster":
            ratio_v = b["median_s"] / m["median_s"]
            ratio, result = "%.1fx" % ratio_v, "PASS" if ratio_v >= target else "FAIL"
        elif kind == "floor":
            ratio_v = m["median_s"] / b["median_s"]
            ratio, result = "%.2fx" % ratio_v, "PASS" if ratio_v <= target else "FAIL"
        elif kind == "info":
            ratio, result = "%.2fx" % (m["median_s"] / b["median_s"]), "-"
        elif kind == "rss":
            result = "PASS" if m["peak_rss_kb"] / 1024 <= target else "FAIL"
        failed |= result == "FAIL"
        tgt = {"faster": ">= %gx" % target, "floor": "<= %gx" % target, "rss": "<= %g MB" % target, "info": "-"}[kind]
        rows.append((label, runs, med, bmed, ratio, peak, tgt, result))
    # baselines alone, for the record
    for name in baselines:
        r = recs.get(name)
        if r and "median_s" in r:
            rows.append(("  baseline: " + name, str(r["runs"]), "%.3f" % r["median_s"], "-", "-",
                         "%.0f" % (r["peak_rss_kb"] / 1024), "-", "-"))
    widths = [max(len(str(x[i])) for x in [head] + rows) for i in range(len(head))]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
             for row in [head] + rows]
    lines.insert(1, "-" * len(lines[0]))
    text = "\n".join(lines) + "\n"
    if args.header:
        text = args.header.rstrip("\n") + "\n\n" + text
    sys.stdout.write(text)
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out + ".part", "w") as f:
            f.write(text)
        os.replace(args.out + ".part", args.out)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    r = sub.add_parser("run")
    r.add_argument("--name", required=True)
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--ok", default="0")
    r.add_argument("--results", required=True)
    r.add_argument("--fresh-dir")
    r.add_argument("cmd", nargs=argparse.REMAINDER)
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    t.add_argument("--out")
    t.add_argument("--header")
    t.add_argument("--rows", choices=sorted(PRESETS), default="foundation")
    a = ap.parse_args()
    return run(a) if a.what == "run" else table(a)


if __name__ == "__main__":
    sys.exit(main())
