#!/usr/bin/env python3
"""Slow and idle clients against one HTTP server: N connections that send half a request (a request
line and one header) and N that send nothing. Every second it counts how many the server still holds
open, times one ordinary request through the same server, and reads the server's resident memory.
Prints one JSON object. Usage: slow_clients.py HOST PORT PIDS(comma-separated) N PATH BODY_FILE SECONDS"""
import json, os, socket, sys, time

host, port, pids, n, path, body_file, limit = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6], float(sys.argv[7])
body = open(body_file, 'rb').read()
pids = [int(p) for p in pids.split(',') if p]


def rss_mb():
    total = 0
    for p in pids:
        try:
            for line in open(f'/proc/{p}/status'):
                if line.startswith('VmRSS:'):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


def probe():
    start = time.perf_counter()
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b'POST ' + path.encode() + b' HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\nconnection: close\r\n'
              + b'content-length: ' + str(len(body)).encode() + b'\r\n\r\n' + body)
    data = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    ok = data.startswith(b'HTTP/1.1 200')
    return ok, (time.perf_counter() - start) * 1000


def still_open(socks):
    alive = []
    for s in socks:
        try:
            if s.recv(4096, socket.MSG_DONTWAIT) == b'':
                s.close()
                continue
            alive.append(s)  # it answered something (an error page): count as open until it closes
        except BlockingIOError:
            alive.append(s)
        except OSError:
            s.close()
    return alive


rss_before = rss_mb()
socks = []
t0 = time.time()
for i in range(n):
    a = socket.create_connection((host, port))
    a.sendall(b'GET /v1/models HTTP/1.1\r\nhost: bench\r\n')
    socks.append(a)
    socks.append(socket.create_connection((host, port)))
opened_s = time.time() - t0
samples, latencies, failed, rss_peak, all_closed_at = [], [], 0, rss_mb(), None
while time.time() - t0 < limit:
    time.sleep(1)
    socks = still_open(socks)
    ok, ms = probe()
    latencies.append(ms)
    failed += 0 if ok else 1
    rss = rss_mb()
    rss_peak = max(rss_peak, rss)
    samples.append({'t': round(time.time() - t0, 1), 'open': len(socks), 'rss_mb': rss})
    if not socks and all_closed_at is None:
        all_closed_at = round(time.time() - t0, 1)
        break
for s in socks:
    s.close()
time.sleep(2)
latencies.sort()
print(json.dumps({'connections': 2 * n, 'opened_in_s': round(opened_s, 1), 'all_closed_after_s': all_closed_at,
                  'still_open_at_end': len(socks), 'probe_requests': len(latencies), 'probe_failed': failed,
                  'probe_ms_p50': round(latencies[len(latencies) // 2], 1), 'probe_ms_max': round(latencies[-1], 1),
                  'rss_mb_before': rss_before, 'rss_mb_peak': rss_peak, 'rss_mb_after': rss_mb(), 'samples': samples}))
