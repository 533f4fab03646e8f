#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/stats.py: the statistics of mosaic-bench's records, computed once.

Usage:
  bench/stats.py --summary FILE [--json] [--program PATH]
  bench/stats.py --check

FILE (- for stdin) holds the records mosaic-bench printed (see the comment
at the top of bench/mosaic-bench/main.c). Pass reads them and stat()
computes the medians, minimum, maximum and spread of a row at a size;
bench/report builds the make bench report from them, and --summary prints
them as a table per size, or with --json as one JSON object: what
`mosaicctl bench` shows (installed as libexec/mosaic/mosaic-bench-stats).
Exit status 1 if a row failed. --check only says that Python can run this
file (mosaicctl asks before it measures).
"""
import argparse
import json
import os
import statistics
import sys

PHASES = ["alloc", "map", "touch", "munmap", "free"]
MiB = 1 << 20


def size_str(n):
    n = int(n)
    if n >= 1 << 30 and n % (1 << 30) == 0:
        return "%dG" % (n >> 30)
    if n >= MiB:
        return "%dM" % (n // MiB)
    return "%dK" % (n >> 10)


class Pass:
    """Everything one mosaic-bench run printed."""

    def __init__(self, path, unit_div, unit):
        self.path = path
        self.unit_div = unit_div      # ns -> display unit
        self.unit = unit
        self.meta = {}
        self.rows = []                # names, in order
        self.rowinfo = {}             # name -> dict
        self.reps = {}                # (row, size) -> [rep dict]
        self.skips = {}               # (row, size) -> reason
        self.fails = {}               # (row, size) -> (phase, reason)
        self.orders = []              # dicts
        self.fa = []                  # dicts
        self.frag = {}
        self.frag_reps = {}           # (row, size) -> [dict]
        self.end_ns = None
        self.sizes = []
        self.read()

    def read(self):
        f = sys.stdin if self.path == "-" else open(self.path, errors="replace")
        with f:
            for line in f:
                line = line.rstrip("\r\n")
                if not line or line.startswith("#") or line.startswith("vm/run"):
                    continue
                p = line.split(",")
                t = p[0]
                try:
                    self.record(t, p)
                except (IndexError, ValueError):
                    print("%s: %s: bad record: %s" % (
                        os.path.basename(sys.argv[0]), self.path, line),
                        file=sys.stderr)

    def add_size(self, s):
        if s not in self.sizes:
            self.sizes.append(s)
            self.sizes.sort()

    def record(self, t, p):
        if t == "meta":
            self.meta[p[1]] = ",".join(p[2:])
        elif t == "row":
            name = p[1]
            if name not in self.rowinfo:
                self.rows.append(name)
            self.rowinfo[name] = dict(kind=p[2], lazy=p[3] == "1",
                                      zeroed_in=p[4], desc=",".join(p[5:]))
        elif t == "rep":
            name, size = p[1], int(p[2])
            vals = p[4:]
            r = {}
            for i, ph in enumerate(PHASES):
                r[ph] = int(vals[i]) if vals[i] != "" else None
            for i, ph in enumerate(PHASES):
                r["flt_" + ph] = int(vals[5 + i])
            r["pte"] = int(vals[10])
            r["segments"] = int(vals[11])
            r["runs"] = int(vals[12])
            r["huge_kb"] = int(vals[13])
            r["ge4"] = int(vals[14])
            self.reps.setdefault((name, size), []).append(r)
            self.add_size(size)
        elif t == "skip":
            if p[1].startswith("fa:"):
                return
            self.skips[(p[1], int(p[2]))] = ",".join(p[3:])
            self.add_size(int(p[2]))
        elif t == "fail":
            self.fails[(p[1], int(p[2]))] = (p[4], ",".join(p[5:]))
            self.add_size(int(p[2]))
        elif t == "orders":
            self.orders.append(dict(tag=p[1], row=p[2], size=int(p[3]),
                                    rep=int(p[4]), alloc=int(p[5]),
                                    counts=[int(x) for x in p[6:22]]))
        elif t == "fa":
            self.fa.append(dict(row=p[1], size=int(p[2]), fab=int(p[3]),
                                aligned=p[4] == "1", rep=int(p[5]),
                                touch=int(p[6]), faults=int(p[7]),
                                segments=int(p[8]), runs=int(p[9])))
        elif t == "frag":
            if p[1] == "rep":
                self.frag_reps.setdefault((p[2], int(p[3])), []).append(
                    dict(alloc=int(p[5]), map=int(p[6]), munmap=int(p[7]),
                         free=int(p[8]), segments=int(p[9])))
            elif p[1] in ("skip", "fail"):
                self.frag.setdefault("not_run", []).append(
                    "%s %s: %s" % (p[2], size_str(p[3]), ",".join(p[4:])))
            else:
                self.frag[p[1]] = ",".join(p[2:])
        elif t == "end":
            self.end_ns = int(p[1])

    # ---------------------------------------------------------- statistics
    def stat(self, row, size):
        """Medians etc. of one row at one size, or None."""
        reps = self.reps.get((row, size))
        if not reps or (row, size) in self.fails:
            return None
        s = {"n": len(reps)}
        for ph in PHASES:
            v = [r[ph] for r in reps if r[ph] is not None]
            if v:
                s[ph] = statistics.median(v)
                s[ph + "_min"] = min(v)
                s[ph + "_max"] = max(v)
            else:
                s[ph] = s[ph + "_min"] = s[ph + "_max"] = None
            s["flt_" + ph] = statistics.median([r["flt_" + ph] for r in reps])
        tot = [sum(r[ph] for ph in PHASES if r[ph] is not None) for r in reps]
        s["total"] = statistics.median(tot)
        s["total_min"], s["total_max"] = min(tot), max(tot)
        s["spread"] = (max(tot) - min(tot)) / s["total"] if s["total"] else 0
        s["faults"] = sum(s["flt_" + ph] for ph in PHASES)
        for k in ("pte", "segments", "runs", "huge_kb", "ge4"):
            s[k] = statistics.median([r[k] for r in reps])
        return s

    def val(self, row, size, key):
        s = self.stat(row, size)
        return None if s is None else s.get(key)

    def u(self, ns):
        return None if ns is None else ns / self.unit_div

    def cells(self):
        """(row, size, status) of every row that ran or was left out at a
        size, in the order of the records: status ok, skipped or failed."""
        for size in self.sizes:
            for row in self.rows:
                if (row, size) in self.fails:
                    yield row, size, "failed"
                elif (row, size) in self.skips:
                    yield row, size, "skipped"
                elif (row, size) in self.reps:
                    yield row, size, "ok"

    def reason(self, row, size):
        if (row, size) in self.fails:
            return "%s: %s" % self.fails[(row, size)]
        return self.skips[(row, size)]


# ---------------------------------------------------------------- summary
# What `mosaicctl bench` prints: the statistics of stat() per row and size.

def human_size(n):
    """64 MiB, 5000 bytes: exact binary units where they fit."""
    n = int(n)
    for shift, unit in ((40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")):
        if n and n % (1 << shift) == 0:
            return "%d %s" % (n >> shift, unit)
    return "%d bytes" % n


def plain(v):
    """A median as JSON has it: an integer where it is one."""
    return int(v) if v is not None and v == int(v) else v


def summary_counts(ps):
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    for _, _, status in ps.cells():
        counts[status] += 1
    return counts


def summary_text(ps, program):
    out, size_now = [], None
    for row, size, status in ps.cells():
        if size != size_now:
            size_now = size
            out.append("%s%s buffers: median of %s, microseconds (under QEMU -icount:\n"
                       "thousands of guest instructions)"
                       % ("\n" if out else "", human_size(size), ps.meta.get("reps", "?")))
            out.append("%-24s %9s %9s %9s %9s %9s %10s %7s %10s %8s" % (
                "row", "alloc", "map", "touch", "munmap", "free", "total", "spread",
                "faults/MiB", "VmPTE"))
        if status != "ok":
            out.append("%-24s %s: %s" % (row, "skipped" if status == "skipped" else "FAILED",
                                         ps.reason(row, size)))
            continue
        s = ps.stat(row, size)
        line = "%-24s" % row
        for ph in PHASES:
            line += " %9s" % "-" if s[ph] is None else " %9.1f" % (s[ph] / 1e3)
        line += " %10.1f %6.1f%% %10.1f %5d KiB" % (
            s["total"] / 1e3, 100 * s["spread"], s["faults"] / (size / MiB),
            s["pte"] // 1024)
        out.append(line)
    c = summary_counts(ps)
    out.append("\nbench: %d measured, %d skipped, %d failed, %.1f s (%s)" % (
        c["ok"], c["skipped"], c["failed"], (ps.end_ns or 0) / 1e9, program))
    return "\n".join(out) + "\n"


def summary_json(ps, program):
    results = []
    for row, size, status in ps.cells():
        r = {"row": row, "size": size, "status": status}
        if status != "ok":
            r["reason"] = ps.reason(row, size)
            results.append(r)
            continue
        s = ps.stat(row, size)
        r["reps"] = s["n"]
        r["median_ns"] = {ph: plain(s[ph]) for ph in PHASES + ["total"]}
        r["total_min_ns"] = s["total_min"]
        r["total_max_ns"] = s["total_max"]
        r["spread"] = s["spread"]
        r["faults_per_mib"] = {ph: s["flt_" + ph] / (size / MiB) for ph in PHASES}
        r["vmpte_bytes"] = plain(s["pte"])
        r["segments"] = plain(s["segments"])
        results.append(r)
    c = summary_counts(ps)
    obj = {"ok": not c["failed"], "command": "bench", "program": program,
           "reps": int(ps.meta.get("reps", 0)), "elapsed_ns": ps.end_ns,
           "results": results, "measured": c["ok"], "skipped": c["skipped"],
           "failed": c["failed"]}
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n"


def summary(args):
    ps = Pass(args.summary, 1e3, "us")
    text = summary_json if args.json else summary_text
    sys.stdout.write(text(ps, args.program))
    sys.exit(1 if summary_counts(ps)["failed"] else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--summary", metavar="FILE")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--program", default="mosaic-bench")
    args = ap.parse_args()
    if args.check:
        return
    if not args.summary:
        ap.error("--summary FILE or --check")
    summary(args)


if __name__ == "__main__":
    main()
