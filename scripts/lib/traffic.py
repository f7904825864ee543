"""Lab traffic for the scripts: a destination server that answers "PEER PORT", and a client that prints the answer.

    python3 traffic.py serve tcp|udp PORT [LIFETIME_S]       (stops by itself after LIFETIME_S, default 60)
    python3 traffic.py ask tcp|udp HOST PORT [RETRY_FOR_S]    (retries until RETRY_FOR_S, default 0: one try)
Every wait is bounded; the exit code is non-zero when no answer came.
"""
import socket
import sys
import time


def serve(kind, port, lifetime):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.settimeout(lifetime)
    if kind == "tcp":
        s.listen(8)
        while True:
            c, a = s.accept()
            c.sendall(("%s %d\n" % (a[0], port)).encode())
            c.close()
    while True:
        d, a = s.recvfrom(512)
        s.sendto(("%s %d" % (a[0], port)).encode(), a)


def ask(kind, host, port, retry_for):
    deadline = time.time() + retry_for
    while True:
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
            s.settimeout(3 if retry_for == 0 else 1)
            if kind == "tcp":
                s.connect((host, port))
            else:
                s.sendto(b"ping", (host, port))
            print(s.recv(100).decode().strip())
            return
        except OSError:
            if time.time() >= deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 60)
    else:
        ask(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]) if len(sys.argv) > 5 else 0)
