#!/usr/bin/env bash
# Benchmark: add then delete N routes (default 10,000) in a throw-away namespace, with our netlink
# library and with `ip -batch`, interleaved over several rounds. Prints both and, last, the ratio
# "ratio: <our time / ip -batch time>". A figure, not a test.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"
[ "$(id -u)" -eq 0 ] || die "the benchmark creates a network namespace: run as root"

ensure_packages
ensure_dotnet
dotnet build tests/RedirectRouter.Lab -c Release --nologo -v quiet -clp:ErrorsOnly
"$root/tests/RedirectRouter.Lab/bin/Release/net10.0/rr-lab" bench-netlink "${1:-10000}" "${2:-5}"
