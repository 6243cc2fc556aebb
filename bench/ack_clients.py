#!/usr/bin/env python3
"""bench/ack_clients.py - concurrent POST /docs clients, for bench/acks.sh.

usage: ack_clients.py URL KEY CONNECTIONS SECONDS PREFIX

CONNECTIONS threads, each on its own keep-alive connection, send one small
article a request (ids PREFIX-THREAD-N, new each time) without ?wait=1, as
fast as the answers come, for SECONDS.  An answer is the acknowledgement:
the article is in idxd's journal, fsync'd.  Prints one JSON object:
requests answered 202, other answers, acknowledgements a second, and the
acknowledgement latency p50/p99 in ms.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse


def client(host, port, key, prefix, n, until, out):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    hdrs = {"Authorization": "Bearer " + key, "Content-Type": "application/x-ndjson"}
    lat, other, i = [], 0, 0
    while time.monotonic() < until:
        i += 1
        body = json.dumps({"id": "%s-%d-%d" % (prefix, n, i), "title": "确认 测试 %d" % i,
                           "body": "一篇用来测量确认延迟的短文。", "date": "2024-01-01"},
                          ensure_ascii=False) + "\n"
        t0 = time.monotonic()
        try:
            conn.request("POST", "/docs", body.encode(), hdrs)
            r = conn.getresponse()
            r.read()
        except (OSError, http.client.HTTPException):
            other += 1
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=30)
            continue
        if r.status == 202:
            lat.append(time.monotonic() - t0)
        else:
            other += 1
    out.append((lat, other))


def main():
    url, key, conns, secs, prefix = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    u = urllib.parse.urlsplit(url)
    until = time.monotonic() + secs
    out = []
    ts = [threading.Thread(target=client, args=(u.hostname, u.port, key, prefix, n, until, out))
          for n in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat = sorted(x for l, _ in out for x in l)
    other = sum(o for _, o in out)
    pct = lambda p: round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))] * 1000, 2) if lat else None
    print(json.dumps({"acked": len(lat), "other": other, "acks_per_s": round(len(lat) / secs, 1),
                      "p50_ms": pct(50), "p99_ms": pct(99)}))


main()
