#!/usr/bin/env python3
"""bench/sse_clients.py - many GET /search/stream clients in one process
(asyncio), for bench/streams.sh.

usage: sse_clients.py URL QUERYFILE N SECONDS [SENTINEL]

Opens N streams, stream i asking the i-th query of QUERYFILE (in turn), and
reads them for SECONDS.  With SENTINEL one more stream asks that word; the
articles the bench commits with it carry their commit's start time (epoch
seconds) as their title, so the time from a commit's start to the event is
measured on it.  Prints one JSON object: streams asked and opened, events
received on the N streams, and the sentinel's delivery times (p50, max, n).
"""
import asyncio
import json
import sys
import time
import urllib.parse


async def stream(host, port, path, counts, lags, sentinel):
    try:
        r, w = await asyncio.open_connection(host, port, limit=1 << 22)
    except OSError:
        counts["failed"] += 1
        return
    w.write(("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n" % (path, host)).encode())
    await w.drain()
    status = await r.readline()
    if b" 200 " not in status:
        counts["failed"] += 1
        w.close()
        return
    counts["opened"] += 1
    try:
        while True:
            line = await r.readline()
            if not line:
                break
            if line.startswith(b"event: hit"):
                if not sentinel:
                    counts["events"] += 1
            elif sentinel and line.startswith(b"data: "):
                try:
                    t = float(json.loads(line[6:])["title"].split()[-1])
                    lags.append(time.time() - t)
                except (ValueError, KeyError, IndexError):
                    pass
    except (asyncio.CancelledError, ConnectionError):
        pass
    finally:
        w.close()


async def main():
    url, qfile, n, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    sentinel = sys.argv[5] if len(sys.argv) > 5 else None
    u = urllib.parse.urlsplit(url)
    queries = [q.strip() for q in open(qfile, encoding="utf-8") if q.strip() and not q.startswith("#")]
    counts = {"failed": 0, "opened": 0, "events": 0}
    lags = []
    tasks = []
    for i in range(n):
        path = "/search/stream?q=" + urllib.parse.quote(queries[i % len(queries)])
        tasks.append(asyncio.create_task(stream(u.hostname, u.port, path, counts, lags, False)))
        if i % 100 == 99:
            await asyncio.sleep(0.05)  # not all in one burst at the listen backlog
    if sentinel:
        path = "/search/stream?q=" + urllib.parse.quote(sentinel)
        tasks.append(asyncio.create_task(stream(u.hostname, u.port, path, counts, lags, True)))
    await asyncio.sleep(secs)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    lags.sort()
    out = {"streams": n, "opened": counts["opened"] - (1 if sentinel else 0), "failed": counts["failed"],
           "events": counts["events"], "sentinel_events": len(lags),
           "lag_p50_ms": round(lags[len(lags) // 2] * 1000) if lags else None,
           "lag_max_ms": round(lags[-1] * 1000) if lags else None}
    print(json.dumps(out))


asyncio.run(main())
