#!/usr/bin/env bash
# The built-in lab: five network namespaces (client pod, egress router pod, node, gateway, destination)
# built through our netlink layer, with the router's macvlan created on the node's NIC and placed into
# the router's namespace. Shows what it made, proves the egress IP reaches the gateway, and removes the
# lab again (pass --keep to leave it up; `rr-lab down` removes it). Safe to run again.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"
[ "$(id -u)" -eq 0 ] || die "the lab creates network namespaces: run as root"

ensure_packages
ensure_dotnet

log "building the lab tool"
dotnet build tests/RedirectRouter.Lab -c Release --nologo -v quiet -clp:ErrorsOnly
lab="$root/tests/RedirectRouter.Lab/bin/Release/net10.0/rr-lab"

keep=false
[ "${1:-}" = "--keep" ] && keep=true
$keep || trap '"$lab" down' EXIT

"$lab" up

log "egress check: rrlab-router pings the gateway from the egress IP 192.168.12.99 over macvlan0"
ip netns exec rrlab-router ping -c 2 -W 1 -I 192.168.12.99 192.168.12.1
mac=$(ip -n rrlab-router -j link show macvlan0 | sed -n 's/.*"address":"\([^"]*\)".*/\1/p')
log "gateway's neighbour entry for the egress IP (must show macvlan0's MAC $mac):"
ip -n rrlab-gw neigh show 192.168.12.99
ip -n rrlab-gw neigh show 192.168.12.99 | grep -q "$mac" || die "the gateway did not learn the egress IP on macvlan0's MAC"
log "demo OK"
