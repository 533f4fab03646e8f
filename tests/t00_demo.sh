#!/bin/sh
# The demo as `make demo` shows it, with each of its checks as a TAP line:
# 64 MiB of scattered pages, data both ways, refcounts, page ledger.
exec "$(dirname "$0")/../tools/mosaic-demo" --tap 64
