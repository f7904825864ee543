#!/bin/sh
# Captures the nf_tables messages nft sends for each operation our library implements, as golden test data.
# Run as root from this directory: sh capture.sh. Each capture runs in a fresh, anonymous network namespace
# (unshare -n), so nothing outside it is touched. It needs nft and strace.
#
# For every operation the file records: the nft command, what `nft --debug=netlink` printed for it, and the
# bytes of the message(s) nft wrote to its netlink socket (from strace's hex dump of sendmsg/sendto), one
# message per "message" line. Replies (recvmsg) are recorded the same way where a decoder is tested against them.
set -eu

SETUP='
table ip redirect_router {
	map dnat_ports { type inet_proto . inet_service : ipv4_addr . inet_service; counter; }
	map dnat_ranges { type inet_proto . inet_service : ipv4_addr; flags interval; counter; }
	map home_marks { type inet_proto . inet_service : mark; flags interval; }
	chain dnat_rules {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "eth1" counter dnat ip to meta l4proto . th dport map @dnat_ports
	}
}
table ip6 redirect_router {
	map dnat_ports { type inet_proto . inet_service : ipv6_addr . inet_service; counter; }
}
'
PRELOAD='
add element ip redirect_router dnat_ports { tcp . 8080 : 10.0.0.5 . 80 }
add element ip redirect_router dnat_ranges { udp . 9000-9010 : 10.0.0.6 }
'

# capture NAME PRELOAD(yes|no) SYSCALLS NFT-ARGS...: writes NAME.txt.
capture() {
	name=$1; preload=$2; calls=$3; shift 3
	out="$name.txt"
	unshare -n sh -c '
		set -eu
		printf "%s" "$1" | nft -f -
		if [ "$2" = yes ]; then printf "%s" "$3" | nft -f -; fi
		shift 3
		strace -o /tmp/nft-capture.$$ -e trace=sendto,sendmsg,recvmsg -xx -s 65535 -e write=all -e read=all nft --debug=netlink "$@" >/tmp/nft-capture-out.$$ 2>&1 || true
		cat /tmp/nft-capture-out.$$ >&3
		cat /tmp/nft-capture.$$ >&4
		rm -f /tmp/nft-capture.$$ /tmp/nft-capture-out.$$
	' capture "$SETUP" "$preload" "$PRELOAD" "$@" 3>"$out.debug" 4>"$out.strace"
	{
		echo "# Captured on $(uname -r), $(nft --version), with:"
		echo "#   unshare -n sh -c 'nft -f setup; [nft -f preload;] strace -e trace=sendto,sendmsg,recvmsg -xx -s 65535 -e write=all -e read=all nft --debug=netlink $*'"
		echo "# (setup and preload: see capture.sh). nft --debug=netlink printed:"
		sed 's/^/#   /' "$out.debug"
		# One "send"/"recv" line per syscall, then one "message" line per netlink message in it (hex).
		awk -v calls="$calls" '
			/^[0-9]* *(sendto|sendmsg|recvmsg)\(/ || /^(sendto|sendmsg|recvmsg)\(/ {
				flush(); kind = ($0 ~ /recvmsg\(/) ? "recv" : "send"; hex = ""; keep = (calls ~ kind); next }
			/^ \| [0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { if (keep) { line = substr($0, 11, 48); gsub(/ /, "", line); hex = hex line }; next }
			function hexnum(h,   i, v) { v = 0; for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
			function flush(   len, n) {
				if (hex == "" || !keep) { hex = ""; return }
				while (length(hex) >= 32) {
					len = hexnum(substr(hex, 7, 2) substr(hex, 5, 2) substr(hex, 3, 2) substr(hex, 1, 2))
					n = (int((len + 3) / 4) * 4) * 2
					print kind " " substr(hex, 1, len * 2)
					hex = substr(hex, n + 1)
				}
				hex = ""
			}
			END { flush() }
		' "$out.strace"
	} >"$out"
	rm -f "$out.debug" "$out.strace"
}

capture add-port-ip no send add element ip redirect_router dnat_ports '{ tcp . 8080 : 10.0.0.5 . 80, udp . 53 : 10.0.0.9 . 5353 }'
capture add-port-ip6 no send add element ip6 redirect_router dnat_ports '{ tcp . 443 : fd00::5 . 8443 }'
capture add-range no send add element ip redirect_router dnat_ranges '{ udp . 9000-9010 : 10.0.0.6 }'
capture add-mark no send add element ip redirect_router home_marks '{ tcp . 7000-7001 : 0x00000010 }'
capture create-port no send create element ip redirect_router dnat_ports '{ tcp . 8080 : 10.0.0.5 . 80 }'
capture delete-port yes send delete element ip redirect_router dnat_ports '{ tcp . 8080 }'
capture delete-range yes send delete element ip redirect_router dnat_ranges '{ udp . 9000-9010 }'
capture replace-port yes send -f /dev/stdin <<'NFT'
delete element ip redirect_router dnat_ports { tcp . 8080 }
add element ip redirect_router dnat_ports { tcp . 8080 : 10.0.0.7 . 81 }
NFT
capture list-set yes sendrecv list set ip redirect_router dnat_ports
capture list-range-set yes sendrecv list set ip redirect_router dnat_ranges
capture list-chain yes sendrecv list chain ip redirect_router dnat_rules
capture list-table yes send list table ip redirect_router
