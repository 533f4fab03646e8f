#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# h10_bench_summary: `mosaicctl bench` hands mosaic-bench's records to
# bench/stats.py --summary (installed as mosaic-bench-stats), whose
# statistics bench/report uses for the make bench report too; mosaicctl
# only runs the two programs. A stand-in for mosaic-bench prints records
# written here, so every median, spread and per-MiB figure has a known
# value; the VM (t21_mosaicctl) runs the real program, which needs the
# module, but has no Python for the statistics.
set -uo pipefail
# shellcheck source=tests/host/lib.sh
. "$(dirname "$0")/lib.sh"

ctl=$BUILD/tools/mosaicctl
stats=$REPO/bench/stats.py
[[ -x $ctl ]] || { echo "Bail out! no $ctl (make mosaicctl)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The stand-in: its arguments go to $tmp/args, the records in $MOSAIC_FAKE_RECORDS
# to stdout, a progress line to stderr; it exits with $MOSAIC_FAKE_STATUS.
cat >"$tmp/mosaic-bench" <<'EOF'
#!/bin/sh
printf '%s\n' "$@" >"${0%/*}/args"
echo "# [1/1] fake" >&2
cat "$MOSAIC_FAKE_RECORDS"
exit "${MOSAIC_FAKE_STATUS:-0}"
EOF
chmod +x "$tmp/mosaic-bench"

# Three reps of an eager mosaic row and of anon/populate (no alloc or free
# phase) at 4 MiB, a skipped row; times in ns. insert-page: map 100, 300,
# 200 (median 200); totals 1000+200+50+100+10 = 1360 at the median rep,
# 1260 and 1460 at the others: spread 200/1360.
cat >"$tmp/ok.csv" <<'EOF'
meta,reps,3
row,pages/insert-page,mosaic,0,alloc,MOSAIC_IOC_ALLOC; mmap; close
row,anon/populate,anon,0,map,mmap(MAP_POPULATE)
row,heap/cma,dma-heap,1,alloc,the CMA heap
rep,pages/insert-page,4194304,0,1000,100,50,100,10,0,0,0,0,0,16384,1024,1024,0,0
rep,anon/populate,4194304,0,,500,40,80,,0,1024,0,0,0,8192,0,0,0,0
skip,heap/cma,4194304,no CMA heap, not here
rep,pages/insert-page,4194304,1,1000,300,50,100,10,0,0,0,0,0,16384,1024,1024,0,0
rep,anon/populate,4194304,1,,700,40,80,,0,1024,0,0,0,8192,0,0,0,0
rep,pages/insert-page,4194304,2,1000,200,50,100,10,0,0,0,0,0,16384,1024,1024,0,0
rep,anon/populate,4194304,2,,600,40,80,,0,1024,0,0,0,8192,0,0,0,0
end,2500000000
EOF
# Two reps (an even count: the median is the mean of the middle two) and
# a row that failed in its touch phase.
cat >"$tmp/fail.csv" <<'EOF'
meta,reps,2
row,pages/insert-page,mosaic,0,alloc,MOSAIC_IOC_ALLOC; mmap; close
row,pages/fault,mosaic,1,alloc,MOSAIC_IOC_ALLOC; mmap; close
rep,pages/insert-page,4194304,0,1000,100,50,100,10,0,0,0,0,0,16384,1024,1024,0,0
rep,pages/insert-page,4194304,1,1000,301,50,100,10,0,0,0,0,0,16384,1024,1024,0,0
fail,pages/fault,4194304,0,touch,Bad address
end,1000000000
EOF

export MOSAIC_BENCH=$tmp/mosaic-bench MOSAIC_BENCH_STATS=$stats
# bench ARGS...: mosaicctl bench; stdout in $tmp/out, stderr in $tmp/err, $rc
bench() { "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# jget PATH: a value of the JSON object in $tmp/out, as JSON ("" if none)
jget() {
    python3 - "$1" "$tmp/out" <<'EOF' 2>/dev/null
import json, sys
v = json.load(open(sys.argv[2]))
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(json.dumps(v))
EOF
}

export MOSAIC_FAKE_RECORDS=$tmp/ok.csv
bench bench --sizes 4M --reps 3 --rows 'x' -- --frag-size 8M
ok "$([[ $rc == 0 ]]; echo $?)" "bench on the records: exit 0 (status $rc)"
diag_file "$tmp/err"
ok "$(printf '%s\n' --sizes 4M --reps 3 --rows x --no-extras --frag-size 8M |
      cmp -s - "$tmp/args"; echo $?)" \
    "mosaic-bench gets --sizes, --reps, --rows, --no-extras and the ARGS after --"
ok "$(grep -q '^4 MiB buffers: median of 3, microseconds' "$tmp/out" &&
      grep -Eq '^pages/insert-page +1\.0 +0\.2 +0\.1 +0\.1 +0\.0 +1\.4 +14\.7% +0\.0 +16 KiB$' "$tmp/out" &&
      grep -Eq '^anon/populate +- +0\.6 +0\.0 +0\.1 +- +0\.7 +' "$tmp/out"; echo $?)" \
    "text: the medians of each phase in microseconds, spread, faults/MiB, VmPTE"
ok "$(grep -q '^heap/cma                 skipped: no CMA heap, not here$' "$tmp/out" &&
      grep -q "^bench: 2 measured, 1 skipped, 0 failed, 2.5 s ($tmp/mosaic-bench)$" "$tmp/out"; echo $?)" \
    "text: a skipped row with its reason (commas kept), the summary line"

bench --json bench --sizes 4M
ok "$([[ $rc == 0 && $(python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>&1) == '' &&
         $(wc -l <"$tmp/out") == 1 ]]; echo $?)" "--json: one JSON object on one line"
ok "$([[ $(jget ok) == true && $(jget command) == '"bench"' &&
         $(jget program) == "\"$tmp/mosaic-bench\"" && $(jget reps) == 3 &&
         $(jget elapsed_ns) == 2500000000 && $(jget measured) == 2 &&
         $(jget skipped) == 1 && $(jget failed) == 0 ]]; echo $?)" \
    "--json: ok, command, program, reps, elapsed_ns and the counts"
ok "$([[ $(jget results.0.row) == '"pages/insert-page"' && $(jget results.0.size) == 4194304 &&
         $(jget results.0.reps) == 3 && $(jget results.0.median_ns.map) == 200 &&
         $(jget results.0.median_ns.total) == 1360 && $(jget results.0.total_min_ns) == 1260 &&
         $(jget results.0.total_max_ns) == 1460 &&
         $(jget results.0.vmpte_bytes) == 16384 && $(jget results.0.segments) == 1024 ]]; echo $?)" \
    "--json: medians, total min and max, VmPTE and segments of a row"
ok "$(python3 -c 'import sys; sys.exit(abs(float(sys.argv[1]) - 200 / 1360) > 1e-9)' \
      "$(jget results.0.spread)"; echo $?)" "--json: spread is (max - min) / median total ($(jget results.0.spread))"
ok "$([[ $(jget results.1.median_ns.alloc) == null && $(jget results.1.median_ns.free) == null &&
         $(jget results.1.faults_per_mib.map) == 256.0 && $(jget results.1.faults_per_mib.touch) == 0.0 ]]; echo $?)" \
    "--json: a phase the row lacks is null; 1024 MAP_POPULATE faults on 4 MiB are 256/MiB"
ok "$([[ $(jget results.2.status) == '"skipped"' &&
         $(jget results.2.reason) == '"no CMA heap, not here"' ]]; echo $?)" \
    "--json: a skipped row has its status and reason"

export MOSAIC_FAKE_RECORDS=$tmp/fail.csv
bench --json bench
ok "$([[ $rc == 1 && $(jget ok) == false && $(jget failed) == 1 &&
         $(jget results.0.median_ns.map) == 200.5 &&
         $(jget results.1.status) == '"failed"' &&
         $(jget results.1.reason) == '"touch: Bad address"' ]]; echo $?)" \
    "a failed row: exit 1, ok false, the phase and reason; an even count's median is the mean of the middle two"
bench bench --raw
ok "$([[ $rc == 1 ]] && cmp -s "$tmp/out" "$tmp/fail.csv"; echo $?)" \
    "--raw: the records as they are, exit 1 for the failed row"
MOSAIC_BENCH_STATS=/nonexistent/stats "$ctl" bench --raw >/dev/null 2>"$tmp/err"
ok "$([[ $? == 1 && ! -s $tmp/err ]]; echo $?)" "--raw needs no mosaic-bench-stats"

export MOSAIC_FAKE_RECORDS=$tmp/ok.csv
rm -f "$tmp/args"
printf '#!/bin/sh\nexit 127\n' >"$tmp/no-python" && chmod +x "$tmp/no-python"
MOSAIC_BENCH_STATS=$tmp/no-python bench bench
ok "$([[ $rc == 8 && ! -e $tmp/args && $(wc -l <"$tmp/err") == 1 ]] &&
      grep -q "^mosaicctl bench: $tmp/no-python cannot run: it needs python3" "$tmp/err"; echo $?)" \
    "mosaic-bench-stats that cannot run: exit 8 before anything is measured, one line"
mkdir -p "$tmp/alone" && cp "$ctl" "$tmp/alone/mosaicctl"
env -u MOSAIC_BENCH_STATS "$tmp/alone/mosaicctl" bench >"$tmp/out" 2>"$tmp/err"
rc=$?
ok "$([[ $rc == 8 && $(wc -l <"$tmp/err") == 1 ]] &&
      grep -q "^mosaicctl bench: mosaic-bench-stats not found (tried $tmp/alone/mosaic-bench-stats, " "$tmp/err" &&
      grep -q 'or set MOSAIC_BENCH_STATS)$' "$tmp/err"; echo $?)" \
    "no mosaic-bench-stats: exit 8, one line saying where it looked"

MOSAIC_FAKE_STATUS=2 bench bench
ok "$([[ $rc == 2 ]] && grep -q 'mosaic-bench refused the options' "$tmp/err" && [[ ! -s $tmp/out ]]; echo $?)" \
    "mosaic-bench refusing its options: exit 2, no statistics printed"
head -3 "$tmp/ok.csv" >"$tmp/cut.csv"
MOSAIC_FAKE_RECORDS=$tmp/cut.csv bench --json bench
ok "$([[ $rc == 7 && $(jget ok) == false && $(jget exit_status) == 7 ]] &&
      grep -q 'mosaic-bench exited with status 0 before its end record' "$tmp/err"; echo $?)" \
    "records without their end: exit 7, an error object and nothing else"
done_testing
