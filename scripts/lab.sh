#!/usr/bin/env bash
# The reference lab in network namespaces (PREFIX defaults to rrlab-):
#   PREFIXclient (app pod) -- PREFIXrouter (egress router pod, eth0) ; PREFIXnode (nic0, nic1: macvlan parents)
#   -- PREFIXseg (the node's L2 segment) -- PREFIXgw (egress gateway) -- PREFIXdst (destination). IPv4 and IPv6.
# Usage: scripts/lab.sh up|down|show [PREFIX]
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
[ "$(id -u)" -eq 0 ] || die "the lab creates network namespaces: run as root"
case "${1:-}" in
    up|down|show) ;;
    *) die "usage: scripts/lab.sh up|down|show [PREFIX]" ;;
esac
ensure_packages
ensure_dotnet
dotnet build "$root/tests/RedirectRouter.Lab" -c Release --nologo -v quiet -clp:ErrorsOnly
"$root/tests/RedirectRouter.Lab/bin/Release/net10.0/rr-lab" "$1" "${2:-rrlab-}"
