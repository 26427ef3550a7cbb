#!/usr/bin/python3
"""The probe of issue 14, against a running controller: idle connections, slow heads, TLS without a request,
wrong bearer tokens. Prints what the controller kept open, its RSS before, at the peak and after, and how the
wrong tokens were answered beside the same number of requests with the right token (the baseline).

usage: listener-flood.py PID API_PORT CA_FILE ADMIN_TOKEN [CONNECTIONS]
"""
import http.client, os, socket, ssl, sys, time

pid, port, ca, token = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
total = int(sys.argv[5]) if len(sys.argv) > 5 else 8248


def rss_mb():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def still_open(sockets):
    alive = 0
    for s in sockets:
        try:
            s.setblocking(False)
            data = s.recv(1, socket.MSG_PEEK)
            if data:
                alive += 1
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    return alive


def flood(count):
    """Idle TCP connections from 127.0.0.1 .. 127.0.0.200, so caps per address and in total both show."""
    held = []
    for i in range(count):
        s = socket.socket()
        try:
            s.bind((f"127.0.0.{1 + i % 200}", 0))
            s.connect(("127.0.0.1", port))
            held.append(s)
        except OSError:
            s.close()
    return held


before = rss_mb()
started = time.monotonic()
held = flood(total)
time.sleep(2)
peak = rss_mb()
open_after_2s = still_open(held)
time.sleep(33)
open_after_35s = still_open(held)
for s in held:
    s.close()
time.sleep(5)
after = rss_mb()
print(f"idle flood: {len(held)} of {total} connections opened from 200 loopback addresses; "
      f"{open_after_2s} still open after 2 s, {open_after_35s} after 35 s (idle timeout 30 s)")
print(f"controller RSS: {before:.1f} MB before, {peak:.1f} MB at the flood's peak, {after:.1f} MB 5 s after it ended")

context = ssl.create_default_context(cafile=ca)
context.check_hostname = False


def requests(count, bearer):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    statuses = {}
    start = time.monotonic()
    for _ in range(count):
        connection.request("GET", "/v1/devices", headers={"Authorization": f"Bearer {bearer}"})
        response = connection.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
            connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=10)
    connection.close()
    return time.monotonic() - start, statuses


good_seconds, good = requests(2000, token)
bad_seconds, bad = requests(2000, "HLA1.0000.0000")
print(f"2000 requests with the admin token: {good_seconds:.2f} s, statuses {good} (baseline)")
print(f"2000 wrong bearer tokens from one address: {bad_seconds:.2f} s, statuses {bad}")
