#!/usr/bin/env bash
# The main job on the built-in lab: builds the lab (app pod, egress router pod, node, L2 segment, egress
# gateway, destination), runs the agent's `init` in the router pod's namespace with an OpenShift-style
# configuration, sends real TCP and UDP traffic from the app pod, shows that the destination saw the
# egress IP, prints what the agent set up, and removes everything again. Safe to run again.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
root=$(repo_root)
cd "$root"
[ "$(id -u)" -eq 0 ] || die "the lab creates network namespaces: run as root"

ensure_packages
ensure_dotnet

log "building the agent and the lab tool"
dotnet build src/RedirectRouter.Cli -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet build tests/RedirectRouter.Lab -c Release --nologo -v quiet -clp:ErrorsOnly
agent="$root/src/RedirectRouter.Cli/bin/Release/net10.0/redirect-router"
lab="$root/tests/RedirectRouter.Lab/bin/Release/net10.0/rr-lab"

servers=()
cleanup() {
    for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
    "$lab" down rrlab- >/dev/null
}
trap cleanup EXIT

"$lab" up rrlab-

# Destination servers (each answers "PEER PORT"; they stop by themselves after 60 s).
for spec in "tcp 80" "udp 53" "tcp 9000"; do
    # shellcheck disable=SC2086
    ip netns exec rrlab-dst timeout 60 python3 "$root/scripts/lib/traffic.py" serve $spec 60 & servers+=($!)
done
sleep 0.3

log "running the agent (init) in rrlab-router with the OpenShift egress router's variables"
ip netns exec rrlab-router env \
    EGRESS_SOURCE=192.168.12.99 EGRESS_GATEWAY=192.168.12.1 EGRESS_ROUTER_MODE=init \
    EGRESS_DESTINATION=$'8080 tcp 172.16.100.25 80\n53 udp 172.16.100.25\n172.16.100.26' \
    EGRESS_ROUTER_PARENT=nic0 EGRESS_ROUTER_HOST_NETNS=/run/netns/rrlab-node \
    "$agent"

check() {
    local kind=$1 port=$2 what=$3 answer
    answer=$(ip netns exec rrlab-client python3 "$root/scripts/lib/traffic.py" ask "$kind" 10.128.0.2 "$port" 2>&1) || die "$what: no answer ($answer)"
    printf '  %-44s -> destination saw: %s\n' "app pod $kind 10.128.0.2:$port ($what)" "$answer"
    [[ "$answer" == 192.168.12.99* ]] || die "$what: the destination did not see the egress IP"
}
log "traffic from the app pod (10.128.0.10) through the router"
check tcp 8080 "remapped to 172.16.100.25:80"
check udp 53 "to 172.16.100.25:53"
check tcp 9000 "fallback to 172.16.100.26"

log "what the agent set up in rrlab-router"
ip -n rrlab-router -d link show macvlan0 | sed -n '1,3p'
ip -n rrlab-router addr show dev macvlan0 scope global
ip -n rrlab-router route
ip netns exec rrlab-router nft list table ip redirect_router
log "the gateway's neighbour entry for the egress IP (announced by the agent):"
ip -n rrlab-gw neigh show 192.168.12.99
log "demo OK; removing the lab"
