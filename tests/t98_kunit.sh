#!/bin/sh
# KUnit suites of mosaic (kernel/kunit/), re-reported as TAP: each KUnit
# case becomes one test point. The suites run when mosaic_kunit.ko loads;
# the debug tier and the matrix kernels ship it next to mosaic.ko. Kernels
# without KUnit (the stock one) have no such module: one skip, with that
# reason.
ko=${MOSAIC_MODULES_DIR:-/lib/mosaic}/mosaic_kunit.ko
if [ ! -f "$ko" ]; then
	echo "1..0 # SKIP no mosaic_kunit.ko: this kernel has no KUnit (CONFIG_KUNIT)"
	exit 77
fi
before=$(dmesg | wc -l)
if ! insmod "$ko"; then
	echo "not ok 1 - insmod mosaic_kunit.ko"
	echo "1..1"
	exit 1
fi
# Each case is an indented result line under "# Subtest: SUITE", spelt
# two ways:
#   5.10 (TAP 14, lib/kunit/test.c "%s %zd - %s")  "    ok 3 - case_name"
#   later kernels (KTAP)                           "    ok 3 case_name"
# Since 5.12 ("kunit: Support skipped tests") a skipped case ends in
# "# SKIP reason", which stays a skip here.
dmesg | tail -n +"$((before + 1))" | sed 's/^\[[^]]*\] //' | awk '
	/# Subtest:/ { suite = $NF; next }
	suite != "" && /^[ \t]+(not )?ok [0-9]+ / {
		line = $0
		sub(/^[ \t]+/, "", line)
		status = (line ~ /^not /) ? "not ok" : "ok"
		sub(/^(not )?ok [0-9]+ (- )?/, "", line)
		directive = ""
		if (match(line, / # (SKIP|skip)/)) {
			directive = substr(line, RSTART)
			line = substr(line, 1, RSTART - 1)
		}
		split(line, w, " ")
		n++
		print status " " n " - kunit: " suite ": " w[1] directive
		if (status == "not ok") failed++
		next
	}
	/^[ \t]*# .*: pass:[0-9]+ fail:[0-9]+/ { sub(/^[ \t]+/, ""); print }
	END {
		if (n == 0) { print "not ok 1 - kunit: no KTAP results in the kernel log"; n = 1; failed = 1 }
		print "1.." n
		exit failed ? 1 : 0
	}'
status=$?
rmmod mosaic_kunit
exit $status
