#!/bin/sh
# KUnit suites of mosaic (kernel/kunit/), re-reported as TAP: each KUnit
# case becomes one test point. The suites run when mosaic_kunit.ko loads;
# the debug tier ships it next to mosaic.ko. Kernels without KUnit (the
# stock one) have no such module: one skip, with that reason.
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
# KTAP: "    ok 3 case_name" / "    not ok 3 case_name" under "# Subtest:".
dmesg | tail -n +"$((before + 1))" | sed 's/^\[[^]]*\] //' | awk '
	/# Subtest:/ { suite = $NF; next }
	suite != "" && /^ +(not )?ok [0-9]+ / {
		n++
		status = ($1 == "not") ? "not ok" : "ok"
		name = ($1 == "not") ? $4 : $3
		print status " " n " - kunit: " suite ": " name
		if (status == "not ok") failed++
		next
	}
	/^# .*: pass:[0-9]+ fail:[0-9]+/ { print "# " $0 }
	END {
		if (n == 0) { print "not ok 1 - kunit: no KTAP results in the kernel log"; n = 1; failed = 1 }
		print "1.." n
		exit failed ? 1 : 0
	}'
status=$?
rmmod mosaic_kunit
exit $status
