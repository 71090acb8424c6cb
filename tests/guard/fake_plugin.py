#!/usr/bin/env python3
"""fake_plugin.py SOCKET DIR: stands in for charon's zsec plugin towards zsecd.

Listens on SOCKET.  For every plan zsecd pushes (MSG_PLAN) it first runs
DIR/at-push (a command whose output it saves to DIR/push.N, N counting from
1): what the kernel held while charon was receiving the plan.  While the
file DIR/hold exists it then waits (charon taking its time with a big plan),
and answers ok, or refuses when the file DIR/refuse exists.  Other requests
get an empty answer.  Runs until killed.
"""
import os
import socket
import struct
import subprocess
import sys
import time

MSG_PLAN, MSG_RESULT, MSG_STATUS, MSG_STATUS_REPLY = 1, 2, 3, 4


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def send(conn, mtype, payload):
    conn.sendall(struct.pack("!IB", 5 + len(payload), mtype) + payload)


def serve(conn, folder, count):
    while True:
        length, mtype = struct.unpack("!IB", recv_exact(conn, 5))
        recv_exact(conn, length - 5)
        if mtype == MSG_PLAN:
            count += 1
            with open(os.path.join(folder, "push.%d" % count), "wb") as out:
                subprocess.run([os.path.join(folder, "at-push")], stdout=out, check=False)
            while os.path.exists(os.path.join(folder, "hold")):
                time.sleep(0.05)
            if os.path.exists(os.path.join(folder, "refuse")):
                send(conn, MSG_RESULT, b"\x01refused by the test")
            else:
                send(conn, MSG_RESULT, b"\x00plan taken by the test")
        elif mtype == MSG_STATUS:
            send(conn, MSG_STATUS_REPLY, b"")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    path, folder = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    count = len([f for f in os.listdir(folder) if f.startswith("push.")])
    while True:
        conn, _ = srv.accept()
        try:
            serve(conn, folder, count)
        except (EOFError, ConnectionError):
            pass
        count = len([f for f in os.listdir(folder) if f.startswith("push.")])
        conn.close()


if __name__ == "__main__":
    main()
