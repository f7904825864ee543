#!/bin/bash
# The comparison point of bench/bench.sh: a re-implementation, for timing, of the setup sequence of
# OpenShift 3's egress router script (redirect mode), written from its documented behaviour (see
# /work/shared/research/baseline-perf.md, "Peer method"): the same steps, in the same order, with the
# same tools. It runs inside the router pod's namespace and expects macvlan0 to exist (OpenShift 3's
# SDN created it). Differences, all for the benchmark: the mapping lines may also come from
# EGRESS_DESTINATION_FILE (10,000 lines do not fit an environment variable, which is limited to
# 128 KiB), and when BENCH_BG_PIDFILE is set the PID of the delayed background arping subshell is
# written there, so that the harness can stop it by PID.
# Variables: EGRESS_SOURCE, EGRESS_GATEWAY, EGRESS_DESTINATION or EGRESS_DESTINATION_FILE,
# EGRESS_ROUTER_MODE (init: set up and exit; legacy: set up and sleep; unit-test: print the rules).
set -o errexit
set -o nounset
set -o pipefail

BLANK_LINE_OR_COMMENT_REGEX="([[:space:]]*$|#.*)"
PORT_REGEX="[[:digit:]]+"
PROTO_REGEX="(tcp|udp)"
IP_REGEX="[[:digit:]]+\.[[:digit:]]+\.[[:digit:]]+\.[[:digit:]]+"

die() {
    echo "$*" 1>&2
    exit 1
}

if [[ -n "${EGRESS_DESTINATION_FILE:-}" ]]; then
    EGRESS_DESTINATION=$(<"${EGRESS_DESTINATION_FILE}")
fi

check_prereqs() {
    if [[ ! "${EGRESS_SOURCE:-}" =~ ^${IP_REGEX}$ ]]; then
        die "EGRESS_SOURCE unspecified or invalid"
    fi
    if [[ ! "${EGRESS_GATEWAY:-}" =~ ^${IP_REGEX}$ ]]; then
        die "EGRESS_GATEWAY unspecified or invalid"
    fi
}

validate_port() {
    local port=$1
    if [[ "${port}" -lt 1 || "${port}" -gt 65535 ]]; then
        die "Invalid port: ${port}, must be in the range 1 to 65535"
    fi
}

setup_network() {
    # The pod may be restarted: add the address and routes only when they are not there yet.
    if ! ip route get "${EGRESS_GATEWAY}" | grep -q macvlan0; then
        ip addr add "${EGRESS_SOURCE}"/32 dev macvlan0
        ip link set up dev macvlan0
        ip route add "${EGRESS_GATEWAY}"/32 dev macvlan0
        ip route del default
        ip route add default via "${EGRESS_GATEWAY}" dev macvlan0
    fi
    # Update the neighbours' ARP caches, as ifup does; once now and once more two seconds later.
    arping -q -A -c 1 -I macvlan0 "${EGRESS_SOURCE}"
    ( sleep 2; arping -q -U -c 1 -I macvlan0 "${EGRESS_SOURCE}" || true ) > /dev/null 2>&1 < /dev/null &
    if [[ -n "${BENCH_BG_PIDFILE:-}" ]]; then
        echo $! > "${BENCH_BG_PIDFILE}"
    fi
}

gen_iptables_rules() {
    if [[ -z "${EGRESS_DESTINATION:-}" ]]; then
        die "No EGRESS_DESTINATION specified"
    fi
    local line proto src_port dest_ip dest_port fallback=""
    declare -A used_ports=()
    while read -r line; do
        if [[ -n "${fallback}" ]]; then
            die "EGRESS_DESTINATION fallback IP must be the last line"
        fi
        if [[ "${line}" =~ ^${BLANK_LINE_OR_COMMENT_REGEX} ]]; then
            continue
        fi
        if [[ "${line}" =~ ^(${PORT_REGEX})\ +(${PROTO_REGEX})\ +(${IP_REGEX})$ ]]; then
            src_port="${BASH_REMATCH[1]}"; proto="${BASH_REMATCH[2]}"; dest_ip="${BASH_REMATCH[4]}"
            validate_port "${src_port}"
            [[ -z "${used_ports[${src_port}]:-}" ]] || die "Duplicate port: ${src_port}"
            used_ports[${src_port}]=1
            echo "-A PREROUTING -i eth0 -p ${proto} --dport ${src_port} -j DNAT --to-destination ${dest_ip}"
        elif [[ "${line}" =~ ^(${PORT_REGEX})\ +(${PROTO_REGEX})\ +(${IP_REGEX})\ +(${PORT_REGEX})$ ]]; then
            src_port="${BASH_REMATCH[1]}"; proto="${BASH_REMATCH[2]}"; dest_ip="${BASH_REMATCH[4]}"; dest_port="${BASH_REMATCH[5]}"
            validate_port "${src_port}"
            validate_port "${dest_port}"
            [[ -z "${used_ports[${src_port}]:-}" ]] || die "Duplicate port: ${src_port}"
            used_ports[${src_port}]=1
            echo "-A PREROUTING -i eth0 -p ${proto} --dport ${src_port} -j DNAT --to-destination ${dest_ip}:${dest_port}"
        elif [[ "${line}" =~ ^(${IP_REGEX})$ ]]; then
            fallback="${BASH_REMATCH[1]}"
            echo "-A PREROUTING -i eth0 -j DNAT --to-destination ${fallback}"
        else
            die "EGRESS_DESTINATION value '${line}' is invalid"
        fi
    done <<< "${EGRESS_DESTINATION}"
    echo "-A POSTROUTING -j SNAT --to-source ${EGRESS_SOURCE}"
}

setup_iptables() {
    local rules
    rules=$(gen_iptables_rules)
    iptables -t nat -F
    iptables-restore --noflush --table nat <<EOR
*nat
${rules}
COMMIT
EOR
}

case "${EGRESS_ROUTER_MODE:=legacy}" in
    unit-test)
        check_prereqs
        gen_iptables_rules
        ;;
    init)
        check_prereqs
        setup_network
        setup_iptables
        ;;
    legacy)
        check_prereqs
        setup_network
        setup_iptables
        exec sleep infinity
        ;;
    *)
        die "Unrecognized EGRESS_ROUTER_MODE '${EGRESS_ROUTER_MODE}'"
        ;;
esac
