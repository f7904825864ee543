#!/usr/bin/env python3
"""Repair latency of a running agent, per fault kind.

repair.py ROUTER_NETNS KIND REPS
KIND: route (delete the default route), addr (flush macvlan0's addresses), link (delete macvlan0),
nft-flush (flush the agent's nftables table), nft-delete (delete it).
For each repetition: wait until the whole state is present (bounded), inject the fault, then poll
(`ip -j ...` / `nft -j ...`, every 5 ms, at most 10 s) until it is back. Prints "KIND\trepair_ms\tX"
per repetition; a repair not seen within 10 s is printed as "KIND\ttimeout\t1".
"""
import json
import subprocess
import sys
import time

ns, kind, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
TABLE = ("ip", "redirect_router")


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=5)


def route_ok():
    r = run("ip", "-n", ns, "-j", "route", "show", "default")
    try:
        return any(x.get("gateway") == "192.168.12.1" and x.get("dev") == "macvlan0" for x in json.loads(r.stdout or "[]"))
    except ValueError:
        return False


def addr_ok():
    r = run("ip", "-n", ns, "-j", "addr", "show", "dev", "macvlan0")
    if r.returncode:
        return False
    try:
        return any(a.get("local") == "192.168.12.99" for l in json.loads(r.stdout or "[]") for a in l.get("addr_info", []))
    except ValueError:
        return False


def rules():
    r = run("ip", "netns", "exec", ns, "nft", "-j", "list", "table", *TABLE)
    if r.returncode:
        return 0
    try:
        return sum(1 for o in json.loads(r.stdout)["nftables"] if "rule" in o)
    except (ValueError, KeyError):
        return 0


baseline_rules = None


def nft_ok():
    return rules() >= baseline_rules


def link_ok():
    return addr_ok() and route_ok()


check = {"route": route_ok, "addr": addr_ok, "link": link_ok, "nft-flush": nft_ok, "nft-delete": nft_ok}[kind]
inject = {
    "route": ["ip", "-n", ns, "route", "del", "default"],
    "addr": ["ip", "-n", ns, "addr", "flush", "dev", "macvlan0"],
    "link": ["ip", "-n", ns, "link", "del", "macvlan0"],
    "nft-flush": ["ip", "netns", "exec", ns, "nft", "flush", "table", *TABLE],
    "nft-delete": ["ip", "netns", "exec", ns, "nft", "delete", "table", *TABLE],
}[kind]

baseline_rules = rules()
if baseline_rules == 0 and kind.startswith("nft"):
    sys.exit(f"repair.py: no {TABLE} table with rules in {ns}")


def settle():
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if route_ok() and addr_ok() and rules() >= baseline_rules:
            return True
        time.sleep(0.05)
    return False


for i in range(reps):
    if not settle():
        sys.exit(f"repair.py: the router did not return to its full state before repetition {i + 1}")
    time.sleep(0.2)  # let the agent go quiet again
    t0 = time.monotonic()
    r = subprocess.run(inject, capture_output=True, text=True, timeout=5)
    if r.returncode:
        sys.exit(f"repair.py: injecting {kind} failed: {r.stderr.strip()}")
    # t0 is taken before the injecting command starts: its spawn (~2-3 ms) is included, an upper bound.
    deadline = t0 + 10
    ok = False
    while time.monotonic() < deadline:
        if check():
            ok = True
            break
        time.sleep(0.005)
    if ok:
        print(f"{kind}\trepair_ms\t{(time.monotonic() - t0) * 1000:.1f}", flush=True)
    else:
        print(f"{kind}\ttimeout\t1", flush=True)
