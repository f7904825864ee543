#!/usr/bin/env bash
# Benchmark: add then delete N routes (default 10,000) in a throw-away namespace, with our netlink
# library and with `ip -batch`, interleaved over several rounds. Prints both and, last, the ratio
# "ratio: <our time / ip -batch time>". A figure, not a test.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
prepare_bench RedirectRouter.Lab rr-lab
"$bench_binary" bench-netlink "${1:-10000}" "${2:-5}"
