#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# t21_mosaicctl: every mosaicctl subcommand, its --json output and its
# error messages, against the real module (busybox sh, inside the VM).
#
# The tools come from ../tools next to bin/ (mk/install.mk puts them there):
# mosaicctl, json-check (a strict JSON parser that also picks out values;
# the VM has no jq or python) and run-as (to try /dev/mosaic unprivileged).
#
# One check unloads the module to see the "not loaded" message, and loads
# it again with the parameters it had; an EXIT trap reloads it whatever
# happens, so later programs still find it.

here=$(cd "$(dirname "$0")/.." && pwd)
ctl=$here/tools/mosaicctl
jc=$here/tools/json-check
runas=$here/tools/run-as
params_dir=/sys/module/mosaic/parameters
ko=${MOSAIC_MODULES_DIR:-/lib/mosaic}/mosaic.ko

n=0 fails=0 hold_pid='' mod_params=''
tmp=$(mktemp -d /tmp/t21.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }

cleanup() {
    [ -n "$hold_pid" ] && kill -KILL "$hold_pid" 2>/dev/null
    if [ ! -d /sys/module/mosaic ] && [ -f "$ko" ]; then
        # shellcheck disable=SC2086 # one word per parameter
        insmod "$ko" $mod_params && echo "# exit: reloaded the module"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

ok() {  # ok STATUS DESCRIPTION: STATUS 0 passes
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        fails=$((fails + 1))
        show
    fi
}
skip() { n=$((n + 1)); echo "ok $n - $2 # SKIP $1"; }
show() {
    [ -s "$tmp/out" ] && sed 's/^/#   out: /' "$tmp/out"
    [ -s "$tmp/err" ] && sed 's/^/#   err: /' "$tmp/err"
    return 0
}
# run ARGS...: mosaicctl ARGS; stdout in $tmp/out, stderr in $tmp/err, $rc
run() { "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
# jvalid: $tmp/out is exactly one JSON object
jvalid() { "$jc" -o <"$tmp/out" >/dev/null 2>>"$tmp/err"; }
# jget PATH: the value at PATH in $tmp/out ("" if none)
jget() { "$jc" -o -g "$1" <"$tmp/out" 2>/dev/null; }
has_out() { grep -q -- "$1" "$tmp/out"; }
has_err() { grep -q -- "$1" "$tmp/err"; }

echo "# t21_mosaicctl: subcommands, --json, error messages"
for f in "$ctl" "$jc" "$runas"; do
    [ -x "$f" ] || { echo "Bail out! missing $f (built by mk/install.mk)"; exit 1; }
done
[ -e /dev/mosaic ] || { echo "Bail out! /dev/mosaic missing: module not loaded"; exit 1; }

# ---- help, version, usage -------------------------------------------------
run --version
ok "$([ "$rc" -eq 0 ] && has_out '^mosaicctl [0-9]'; echo $?)" "--version prints the version"
run --help
ok "$([ "$rc" -eq 0 ] && has_out '^Usage: mosaicctl'; echo $?)" "--help prints the usage"
for cmd in features alloc info map sync export selftest stats; do
    run "$cmd" --help
    ok "$([ "$rc" -eq 0 ] && has_out "^Usage: mosaicctl $cmd"; echo $?)" "$cmd --help"
done
run help map
ok "$([ "$rc" -eq 0 ] && has_out '^Usage: mosaicctl map'; echo $?)" "help map"
run
ok "$([ "$rc" -eq 2 ] && has_err 'no command given'; echo $?)" "no command: exit 2"
run frobnicate
ok "$([ "$rc" -eq 2 ] && has_err "unknown command 'frobnicate'"; echo $?)" \
    "unknown command: exit 2, named"
run alloc --frob
ok "$([ "$rc" -eq 2 ] && has_err 'unknown option --frob'; echo $?)" \
    "unknown option: exit 2, named"
run alloc --size
ok "$([ "$rc" -eq 2 ] && has_err 'option --size needs a value'; echo $?)" \
    "option without its value: exit 2"
run features --size 1M
ok "$([ "$rc" -eq 2 ] && has_err 'does not apply to features'; echo $?)" \
    "option of another command: exit 2"
run alloc --size 12Q
ok "$([ "$rc" -eq 2 ] && has_err '12Q: not a size'; echo $?)" "bad size: exit 2, named"

# ---- stats ------------------------------------------------------------------
run stats
ok "$([ "$rc" -eq 0 ] && has_out '^buffers ' && has_out '^total pages '; echo $?)" \
    "stats prints the ledger"
run --json stats
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget ok)" = true ] &&
      [ "$(jget command)" = stats ]; echo $?)" "stats --json is one valid object"
base_buffers=$(jget buffers) base_pages=$(jget pages)
ok "$(case "$base_buffers$base_pages" in ''|*[!0-9]*) echo 1 ;; *) echo 0 ;; esac)" \
    "stats --json has numeric buffers ($base_buffers) and pages ($base_pages)"

# ---- features -----------------------------------------------------------------
run features
ok "$([ "$rc" -eq 0 ] && has_out '^pages  *supported' && has_out '^pfn-fault  *supported' &&
      has_out '^max_buffer_size'; echo $?)" "features lists backends, strategies, limit"
ok "$([ "$rc" -eq 0 ] && has_out '^huge  *supported' &&
      { has_out '^pages  *fault-pmd$' || has_out '^pages  *folio-pmd$' ||
        has_out '^pages  *pte-fallback$'; }; echo $?)" \
    "features lists strategy huge and the huge mode of each backend"
run --json features
limit=$(cat $params_dir/max_buffer_size)
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget backends.0.name)" = pages ] &&
      [ "$(jget backends.0.supported)" = true ] &&
      [ "$(jget strategies.5.name)" = pfn-fault ] &&
      [ "$(jget max_buffer_size)" = "$limit" ]; echo $?)" \
    "features --json: backends, strategies, max_buffer_size $limit"
cma_ok=$(jget backends.7.supported)
echo "# cma supported: $cma_ok ($(jget backends.7.error))"
ok "$([ "$(jget backends.8.name)" = mmio ] && [ "$(jget backends.8.supported)" = false ] &&
      [ "$(jget backends.8.error)" = ENODEV ]; echo $?)" \
    "features --json: mmio listed, not probed (ENODEV: needs a PCI BAR)"

# ---- alloc ---------------------------------------------------------------------
run alloc --size 1M
ok "$([ "$rc" -eq 0 ] &&
      has_out '^fd [0-9][0-9]*: 1 MiB, backend pages, strategy insert-pages'; echo $?)" \
    "alloc prints the fd, size, backend and strategy"
run --json alloc -s 2M -b compound
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget size)" = 2097152 ] &&
      [ "$(jget backend)" = compound ] && [ "$(jget fd)" -ge 3 ] &&
      [ "$(jget hold)" = false ]; echo $?)" "alloc --json: fd, size, backend"
run alloc -s 1M -b coherent --json
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget strategy)" = remap-pfn ]; echo $?)" \
    "alloc coherent: auto resolves to remap-pfn (--json after the command)"

# --hold: the buffer is alive, and visible in the ledger, until SIGTERM.
"$ctl" --json alloc --hold --size 4M >"$tmp/hold" 2>"$tmp/hold.err" &
hold_pid=$!
i=0
while [ ! -s "$tmp/hold" ] && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
cp "$tmp/hold" "$tmp/out"
ok "$(jvalid && [ "$(jget hold)" = true ] && [ "$(jget pid)" = "$hold_pid" ]; echo $?)" \
    "alloc --hold --json prints its object once the buffer is ready"
run --json stats
ok "$([ "$(jget buffers)" -eq $((base_buffers + 1)) ] &&
      [ "$(jget pages)" -eq $((base_pages + 1024)) ]; echo $?)" \
    "while held: the ledger shows +1 buffer, +1024 pages"
kill -TERM "$hold_pid"
wait "$hold_pid"
rc=$?
hold_pid=''
ok "$([ "$rc" -eq 0 ]; echo $?)" "alloc --hold exits 0 on SIGTERM (status $rc)"
run --json stats
ok "$([ "$(jget buffers)" -eq "$base_buffers" ] && [ "$(jget pages)" -eq "$base_pages" ]; echo $?)" \
    "after SIGTERM the ledger is back"
"$ctl" alloc --hold --size 1M >"$tmp/hold" 2>&1 &
hold_pid=$!
i=0
while ! grep -q '^ready: ' "$tmp/hold" && [ $i -lt 30 ]; do sleep 1; i=$((i + 1)); done
kill -INT "$hold_pid"
wait "$hold_pid"
rc=$?
hold_pid=''
cp "$tmp/hold" "$tmp/out"
ok "$([ "$rc" -eq 0 ] && has_out '^ready: fd [0-9]*: 1 MiB'; echo $?)" \
    "alloc --hold prints a ready line and exits 0 on SIGINT (status $rc)"

# ---- info ------------------------------------------------------------------------
run info --backend compound --size 64M
ok "$([ "$rc" -eq 0 ] && has_out '^buffer  *64 MiB, backend compound' &&
      has_out '^segments ' && has_out '^runs ' && has_out '^order '; echo $?)" \
    "info prints the segment table and histogram"
run --json info --backend compound --size 64M
segs=$(jget segments) adj=$(jget adjacent) runs=$(jget runs)
pages=0 k=0
while [ $k -lt 16 ]; do
    c=$(jget order_count.$k)
    pages=$((pages + (${c:-0} << k)))
    k=$((k + 1))
done
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$runs" -eq $((segs - adj)) ] &&
      [ "$pages" -eq 16384 ]; echo $?)" \
    "info --json: runs = segments - adjacent ($runs = $segs - $adj), orders cover 64 MiB"
run --json info -s 1M
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget segments)" -eq 256 ] &&
      [ "$(jget order_count.0)" -eq 256 ]; echo $?)" \
    "info --json, pages backend: one order-0 segment per page"

# ---- map -------------------------------------------------------------------------
run map --size 8M --fill 7
ok "$([ "$rc" -eq 0 ] && has_out '^fill   seed 0x7: user wrote, second mapping verified: 0 mismatches' &&
      ! has_out '^verify'; echo $?)" "map --fill: user writes, a second mapping verifies"
run --json map -s 8M --verify 9 -b split -S fault
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget ok)" = true ] &&
      [ "$(jget verify.mismatches)" = 0 ] && [ "$(jget fill)" = null ] &&
      [ "$(jget strategy)" = fault ]; echo $?)" "map --verify --json (split/fault)"
run --json map -s 4M -b coherent
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget fill.mismatches)" = 0 ] &&
      [ "$(jget verify.mismatches)" = 0 ] && [ "$(jget strategy)" = remap-pfn ]; echo $?)" \
    "map without --fill/--verify does both (coherent/remap-pfn)"
run --json map -s 1M --offset 8K --length 64K --fill 3
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget offset)" = 8192 ] &&
      [ "$(jget length)" = 65536 ] && [ "$(jget fill.mismatches)" = 0 ]; echo $?)" \
    "map --offset --length maps and checks a sub-range"
run map -s 1M --offset 100
ok "$([ "$rc" -eq 2 ] && has_err 'not page aligned'; echo $?)" "map: misaligned --offset is a usage error"

# ---- selftest ----------------------------------------------------------------------
run selftest --size 256K
ok "$([ "$rc" -eq 0 ] && has_out '^selftest: [0-9]* passed, 0 failed' &&
      [ "$(grep -c '^\(ok\|FAIL\|skip\) ' "$tmp/out")" -ge 48 ]; echo $?)" \
    "selftest: one line per pair and a summary, nothing failed"
grep -E '^(FAIL|skip) ' "$tmp/out" | sed 's/^/# /'
run --json selftest --size 128K
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget ok)" = true ] && [ "$(jget failed)" = 0 ] &&
      [ -n "$(jget cases.47.result)" ] && [ "$(jget ledger_ok)" = true ]; echo $?)" \
    "selftest --json: 48 cases, none failed, ledger back"

# ---- sync -------------------------------------------------------------------------
run sync -s 1M
ok "$([ "$rc" -eq 0 ] && has_out '^synced 1 MiB at offset 0 of a 1 MiB buffer (rw)' &&
      has_out '^first_segment  0$' && has_out '^nr_segments    256 (of 256)$' &&
      has_out '^nr_synced '; echo $?)" "sync: the whole pages buffer, 256 segments"
run --json sync -s 1M --offset 12K --length 4K --direction read
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget ok)" = true ] &&
      [ "$(jget command)" = sync ] && [ "$(jget direction)" = read ] &&
      [ "$(jget first_segment)" = 3 ] && [ "$(jget nr_segments)" = 1 ] &&
      [ -n "$(jget nr_synced)" ]; echo $?)" \
    "sync --json of page 3: first_segment 3, nr_segments 1"
run --json sync -b streaming -s 1M --direction write
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget backend)" = streaming ] &&
      [ "$(jget nr_segments)" = "$(jget segments)" ]; echo $?)" \
    "sync --json on streaming: every segment touched ($(jget nr_synced) synced)"
run sync -s 1M --direction sideways
ok "$([ "$rc" -eq 2 ] && has_err 'direction sideways: one of read, write, rw'; echo $?)" \
    "sync: bad --direction is a usage error"
run sync -s 1M --offset 1M
ok "$([ "$rc" -eq 6 ] && has_err 'refused' && has_err EINVAL; echo $?)" \
    "sync: a range past the end is refused, exit 6, EINVAL"
run --json sync -s 1M --length 0
ok "$([ "$rc" -eq 6 ] && jvalid && [ "$(jget errno)" = EINVAL ]; echo $?)" \
    "sync --json: length 0 is an EINVAL error object"
run map -s 1M --direction rw
ok "$([ "$rc" -eq 2 ] && has_err 'does not apply to map'; echo $?)" \
    "--direction belongs to sync only"

# ---- export ------------------------------------------------------------------------
run export -s 1M
ok "$([ "$rc" -eq 0 ] && has_out '^exported 1 MiB at offset 0 of a 1 MiB buffer as dma-buf fd' &&
      has_out '^dma-buf mmap: pattern ok'; echo $?)" \
    "export: the dma-buf mapping shows the pattern written before the export"
run --json export -s 1M --offset 64K --length 128K -b compound
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget ok)" = true ] &&
      [ "$(jget command)" = export ] && [ "$(jget offset)" = 65536 ] &&
      [ "$(jget length)" = 131072 ] && [ "$(jget checked)" = true ] &&
      [ "$(jget mismatches)" = 0 ]; echo $?)" "export --json of a sub-range of compound"
run --json export -b coherent -s 1M
ok "$([ "$rc" -eq 0 ] && jvalid && [ "$(jget mismatches)" = 0 ]; echo $?)" \
    "export --json of coherent memory"
run export -s 1M --offset 100
ok "$([ "$rc" -eq 2 ] && has_err 'page aligned'; echo $?)" "export: misaligned --offset is a usage error"
run --json export -s 1M --offset 1M --length 4K
ok "$([ "$rc" -eq 6 ] && jvalid && [ "$(jget errno)" = EINVAL ]; echo $?)" \
    "export --json past the end: EINVAL error object, exit 6"
run alloc -b mmio -s 4K
ok "$([ "$rc" -eq 6 ] && has_err 'backend mmio needs --pci-device'; echo $?)" \
    "alloc mmio without --pci-device: exit 6, explained"
run alloc --bar 2 -s 4K
ok "$([ "$rc" -eq 6 ] && has_err 'apply to mmio, not pages'; echo $?)" \
    "--bar on pages: exit 6, explained"
run alloc --cache fast -s 4K
ok "$([ "$rc" -eq 2 ] && has_err 'one of default, uncached, wc'; echo $?)" \
    "bad --cache: usage error"

# ---- errors ---------------------------------------------------------------------------
run alloc --backend bogus
ok "$([ "$rc" -eq 2 ] && has_err "unknown backend 'bogus' (known: pages, "; echo $?)" \
    "bad backend name: exit 2, the name and the known ones"
run --json alloc -b bogus
ok "$([ "$rc" -eq 2 ] && jvalid && [ "$(jget ok)" = false ] &&
      [ "$(jget exit_status)" = 2 ] && [ "$(jget errno)" = null ]; echo $?)" \
    "bad backend name with --json: an error object"
run alloc --backend coherent --strategy insert-pages --size 1M
ok "$([ "$rc" -eq 6 ] && has_err 'invalid combination: backend coherent cannot be mapped with strategy insert-pages' &&
      has_err EINVAL; echo $?)" "invalid pair: exit 6, the pair named, EINVAL"
run --json alloc -b noncontig -S fault -s 1M
ok "$([ "$rc" -eq 6 ] && jvalid && [ "$(jget errno)" = EINVAL ]; echo $?)" \
    "invalid pair with --json: errno EINVAL"
run alloc --max-order 3 --size 1M
ok "$([ "$rc" -eq 6 ] && has_err 'max-order applies to compound, split and streaming, not pages'; echo $?)" \
    "a knob the backend does not take: exit 6, explained"
run alloc --size $((limit + 4096))
ok "$([ "$rc" -eq 6 ] && has_err "max_buffer_size=$limit" && has_err EFBIG; echo $?)" \
    "size over the limit: exit 6, the limit from sysfs, EFBIG"
if [ "$cma_ok" = false ]; then
    run alloc --backend cma --size 1M
    ok "$([ "$rc" -eq 5 ] && has_err 'backend cma is not supported on this kernel (EOPNOTSUPP)'; echo $?)" \
        "unsupported backend: exit 5, EOPNOTSUPP"
else
    skip "this kernel has CMA" "unsupported backend: exit 5, EOPNOTSUPP"
fi
"$runas" 65534 65534 "$ctl" stats >"$tmp/out" 2>"$tmp/err"
rc=$?
ok "$([ "$rc" -eq 4 ] && has_err 'permission denied opening /dev/mosaic (EACCES)'; echo $?)" \
    "no permission: exit 4, EACCES"
run --dev /nonexistent/mosaic stats
ok "$([ "$rc" -eq 3 ] && has_err '/nonexistent/mosaic does not exist'; echo $?)" \
    "--dev of a missing path: exit 3, the path named"
run --dev /dev/null stats
ok "$([ "$rc" -eq 3 ] && has_err '/dev/null is not a mosaic device'; echo $?)" \
    "--dev of another device: exit 3"

# ---- module not loaded ------------------------------------------------------------------
if [ -f "$ko" ]; then
    for p in "$params_dir"/*; do
        [ -f "$p" ] && mod_params="$mod_params ${p##*/}=$(cat "$p")"
    done
    echo "# module parameters to reload with:$mod_params"
    if rmmod mosaic 2>"$tmp/err"; then
        run stats
        ok "$([ "$rc" -eq 3 ] && has_err 'mosaic module not loaded'; echo $?)" \
            "module unloaded: exit 3, 'mosaic module not loaded'"
        run --json features
        ok "$([ "$rc" -eq 3 ] && jvalid && [ "$(jget ok)" = false ] &&
              [ "$(jget errno)" = ENOENT ]; echo $?)" "module unloaded, --json: an error object"
        # shellcheck disable=SC2086 # one word per parameter
        insmod "$ko" $mod_params 2>"$tmp/err"
        ok $? "module loads again ($ko)"
        run stats
        ok "$rc" "stats works after the reload"
    else
        ok 1 "rmmod mosaic (something still uses it?)"
    fi
else
    skip "no $ko" "module unloaded: exit 3, 'mosaic module not loaded'"
fi

# ---- bench: the wrapper over mosaic-bench -----------------------------------------
# mosaic-bench sits next to mosaicctl in ../tools (the Makefile's bench block
# puts it there). The runs are 4 MiB, one reference row and one peer, so
# they take a second or two; the full benchmark is `make bench`. The VM has
# no Python for mosaic-bench-stats, which turns the records into medians
# (tests/host/h10_bench_summary.sh checks it): here
# the records come out as they are (--raw) and awk checks them.
bench=$here/tools/mosaic-bench
brows='^(pages/insert-page|anon/populate)$'
# rep records: 1 rep, 2 NAME, 5-9 ALLOC..FREE ns, 10-14 their faults, 15 PTE bytes
rep_check() {  # rep_check NAME AWK-CONDITION: every rep record of NAME meets it
    awk -F, -v row="$1" '$1 == "rep" && $2 == row { n++; if (!('"$2"')) bad++ }
        END { exit !(n > 0 && !bad) }' "$tmp/out"
}
run bench --help
ok "$([ "$rc" -eq 0 ] && has_out '^Usage: mosaicctl bench' && has_out -- '--sizes LIST'; echo $?)" \
    "bench --help: usage with the bench options"
if [ -x "$bench" ]; then
    run bench --sizes 4M --reps 2 --rows "$brows" --raw
    ok "$([ "$rc" -eq 0 ] && [ "$(grep -c '^rep,pages/insert-page,4194304,' "$tmp/out")" -eq 2 ] &&
          [ "$(grep -c '^rep,anon/populate,4194304,' "$tmp/out")" -eq 2 ] && has_out '^end,' &&
          ! has_out '^fail,'; echo $?)" \
        "bench --raw --sizes 4M --reps 2: two rep records per row, the end record"
    # An eager mapping takes no fault at first touch; MAP_POPULATE one per page.
    # shellcheck disable=SC2016 # awk's fields, not the shell's
    ok "$(rep_check pages/insert-page '$6 > 0 && $12 == 0 && $15 > 0' &&
          rep_check anon/populate '$11 >= 1024'; echo $?)" \
        "bench --raw: insert-page maps with no touch fault and grows VmPTE; MAP_POPULATE faults every page"
    # shellcheck disable=SC2016 # awk's fields, not the shell's
    ok "$(rep_check anon/populate '$5 == "" && $9 == ""' &&
          rep_check pages/insert-page '$5 > 0 && $9 > 0'; echo $?)" \
        "bench --raw: a phase the row lacks is empty"
    run bench --sizes 4M --reps 1 --rows "$brows" --progress --raw
    ok "$([ "$rc" -eq 0 ] && has_err '^bench: \[1/2\]' && has_err '^bench: \[2/2\]'; echo $?)" \
        "bench --progress: a progress line per measurement on stderr"
    mkdir -p "$tmp/bin" && cp "$ctl" "$tmp/bin/mosaicctl"
    MOSAIC_BENCH=$bench "$tmp/bin/mosaicctl" bench --raw --sizes 4M --reps 1 \
        --rows '^anon/populate$' >"$tmp/out" 2>"$tmp/err"
    rc=$?
    ok "$([ "$rc" -eq 0 ] && has_out '^rep,anon/populate,4194304,0,'; echo $?)" \
        "bench finds mosaic-bench through \$MOSAIC_BENCH"
    env -u MOSAIC_BENCH_STATS "$ctl" bench --sizes 4M --reps 1 --rows "$brows" \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    ok "$([ "$rc" -eq 8 ] && has_err '^mosaicctl bench: mosaic-bench-stats not found (tried ' &&
          [ "$(wc -l <"$tmp/err")" -eq 1 ] && [ ! -s "$tmp/out" ]; echo $?)" \
        "bench without mosaic-bench-stats (no Python here): exit 8 before measuring, one line"
else
    for what in "--raw" "--raw faults" "--raw empty phases" "--progress" "\$MOSAIC_BENCH" \
                "without mosaic-bench-stats"; do
        skip "no $bench (built by make tests)" "bench $what"
    done
    mkdir -p "$tmp/bin" && cp "$ctl" "$tmp/bin/mosaicctl"
fi
run bench --sizes 4X
ok "$([ "$rc" -eq 2 ] && has_err "^mosaicctl bench: --sizes: '4X' is not a size"; echo $?)" \
    "bench --sizes 4X: exit 2, the size named"
run bench --raw --sizes 4M --reps 1 --rows "$brows" -- --no-such-option
ok "$([ "$rc" -eq 2 ] && has_err 'mosaic-bench refused the options'; echo $?)" \
    "bench -- ARGS: passed to mosaic-bench, whose refusal is exit 2"
MOSAIC_BENCH=/nonexistent/mosaic-bench "$ctl" bench >"$tmp/out" 2>"$tmp/err"
rc=$?
ok "$([ "$rc" -eq 8 ] && has_err '^mosaicctl bench: MOSAIC_BENCH=/nonexistent/mosaic-bench: not an executable file (ENOENT)$' &&
      [ "$(wc -l <"$tmp/err")" -eq 1 ]; echo $?)" \
    "bench with a wrong \$MOSAIC_BENCH: exit 8, one line naming it"
# Alone in a directory, with no libexec install: nowhere to find it.
env -u MOSAIC_BENCH "$tmp/bin/mosaicctl" bench >"$tmp/out" 2>"$tmp/err"
rc=$?
ok "$([ "$rc" -eq 8 ] && has_err "^mosaicctl bench: mosaic-bench not found (tried $tmp/bin/mosaic-bench, " &&
      has_err 'install it with make install, or set MOSAIC_BENCH' && [ "$(wc -l <"$tmp/err")" -eq 1 ]; echo $?)" \
    "bench without mosaic-bench: exit 8, one line saying where it looked"
env -u MOSAIC_BENCH "$tmp/bin/mosaicctl" --json bench >"$tmp/out" 2>"$tmp/err"
rc=$?
ok "$([ "$rc" -eq 8 ] && jvalid && [ "$(jget ok)" = false ] && [ "$(jget exit_status)" -eq 8 ] &&
      [ "$(jget errno)" = ENOENT ]; echo $?)" "bench --json without mosaic-bench: an error object, exit 8"

run --json stats
ok "$([ "$(jget buffers)" -eq 0 ] && [ "$(jget pages)" -eq 0 ]; echo $?)" \
    "nothing left allocated at the end"

echo "1..$n"
[ "$fails" -eq 0 ]
