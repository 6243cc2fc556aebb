#!/usr/bin/env python3
"""openapi_check.py - walk idxd's OpenAPI document against the real server.

usage: openapi_check.py URL ADMIN_KEY SEARCH_KEY

Reads GET /openapi.json from the server at URL (an idxd started with --keys,
over a database holding the sample archive) and checks, printing one
"ok"/"FAIL" line per check and "#summary PASSED FAILED" at the end:
  - the document is OpenAPI 3.1 and every $ref in it resolves;
  - the routes it describes are exactly those idxd lists at GET /api;
  - a set of real requests (searches with facets and explain, suggestions,
    related articles, stored articles, writes and their tasks, keys, stats,
    health, metrics, the page, and errors: 400, 401, 403, 404, 405, 413, 415)
    answer with a status the document lists for that route and method, and
    every JSON answer validates against the document's schema for it
    (python3-jsonschema, Draft 2020-12);
  - every operation of the document was exercised by at least one request.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

from jsonschema import Draft202012Validator

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print("ok   " + name)


def fail(name, why):
    global failed
    failed += 1
    print("FAIL %s: %s" % (name, why))


def request(base, method, path, key=None, body=None, headers=None):
    req = urllib.request.Request(base + path, data=body, method=method)
    if key:
        req.add_header("Authorization", "Bearer " + key)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def resolve(node, doc, seen=()):
    """node with every local $ref replaced by what it points at."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/") or ref in seen:
                raise ValueError("unresolvable or cyclic $ref " + ref)
            target = doc
            for part in ref[2:].split("/"):
                target = target[part]
            return resolve(target, doc, seen + (ref,))
        return {k: resolve(v, doc, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [resolve(v, doc, seen) for v in node]
    return node


def template_of(doc_paths, path):
    """The document's path template matching a concrete path, or None."""
    parts = path.split("/")
    for tpl in doc_paths:
        tparts = tpl.split("/")
        if len(tparts) != len(parts):
            continue
        if all(t == p or (t.startswith("{") and t.endswith("}") and p) for t, p in zip(tparts, parts)):
            return tpl
    return None


def main():
    base, admin, skey = sys.argv[1], sys.argv[2], sys.argv[3]
    status, _, raw = request(base, "GET", "/openapi.json", skey)
    if status != 200:
        fail("GET /openapi.json", "status %d" % status)
        return
    doc = json.loads(raw)
    if doc.get("openapi", "").startswith("3.1") and isinstance(doc.get("paths"), dict):
        ok("GET /openapi.json is an OpenAPI 3.1 document")
    else:
        fail("OpenAPI 3.1", doc.get("openapi"))
    try:
        rdoc = resolve(doc, doc)
        ok("every $ref in it resolves")
    except (KeyError, ValueError) as e:
        fail("every $ref resolves", str(e))
        return
    paths = rdoc["paths"]
    ops = {(m.upper(), p) for p, item in paths.items() for m in item
           if m in ("get", "post", "delete", "put", "patch")}

    # the routes idxd says it serves, against the document's
    status, _, raw = request(base, "GET", "/api", skey)
    about = json.loads(raw)
    listed = set()
    for e in about.get("endpoints", []):
        method, path = e.split(" ")[:2]
        path = path.split("?")[0].replace("{id}", "{id}")
        listed.add((method, path))
    if listed == ops:
        ok("the document describes exactly the %d routes GET /api lists" % len(ops))
    else:
        fail("the document's routes are GET /api's",
             "only in /api: %s; only in the document: %s" % (sorted(listed - ops), sorted(ops - listed)))
    if about.get("openapi") == "/openapi.json":
        ok("GET /api points at /openapi.json")
    else:
        fail("GET /api points at /openapi.json", about.get("openapi"))

    # an article id and a task to ask about
    _, _, raw = request(base, "GET", "/search?q=" + urllib.parse.quote("南通") + "&limit=1", skey)
    doc_id = json.loads(raw)["hits"][0]["id"]
    qid = urllib.parse.quote(doc_id, safe="")
    line = json.dumps({"id": "openapi-1", "title": "接口文档 测试", "body": "接口文档"}, ensure_ascii=False)
    body = (line + "\n" + "not json\n").encode()
    nd = {"Content-Type": "application/x-ndjson"}
    enc = urllib.parse.quote
    cases = [
        ("GET", "/search?q=" + enc("南通") + "&facets=source,year,category&explain=1", skey, None, {}),
        ("GET", "/search?q=" + enc("经济") + "&dedup=0&sort=-date&limit=3&exact_total=1", skey, None, {}),
        ("GET", "/search?q=" + enc("中国") + "&histogram=month&fragments=2&since=0&until=3", skey, None, {}),
        ("GET", "/search?q=" + enc("南通") + "&limt=5", skey, None, {}),
        ("GET", "/search/stream?q=" + enc("南通") + "&limt=5", skey, None, {}),
        ("GET", "/search/stream?q=x", None, None, {}),
        ("GET", "/search?q=" + enc("南通") + "&limit=101", skey, None, {}),
        ("GET", "/search?q=%FF", skey, None, {}),
        ("GET", "/search?q=x", None, None, {}),
        ("GET", "/search?q=x", "not-a-key-at-all", None, {}),
        ("GET", "/suggest?q=" + enc("南通"), skey, None, {}),
        ("GET", "/suggest?limit=3", skey, None, {}),
        ("GET", "/docs/" + qid, skey, None, {}),
        ("GET", "/docs/no-such-article", skey, None, {}),
        ("GET", "/docs/" + qid + "/related?limit=3", skey, None, {}),
        ("GET", "/docs/no-such-article/related", skey, None, {}),
        ("POST", "/docs?wait=1", admin, body, nd),
        ("POST", "/docs", admin, body, nd),
        ("POST", "/docs", skey, body, nd),
        ("POST", "/docs", admin, b"x" * 5000, nd),
        ("POST", "/docs", admin, body, dict(nd, **{"Content-Encoding": "br"})),
        ("POST", "/docs", admin, b"", nd),
        ("PUT", "/docs", admin, body, nd),
        ("DELETE", "/docs/openapi-1?wait=1", admin, None, {}),
        ("DELETE", "/docs/openapi-1", admin, None, {}),
        ("GET", "/tasks/1", admin, None, {}),
        ("GET", "/tasks/999999", admin, None, {}),
        ("GET", "/tasks/1", skey, None, {}),
        ("GET", "/keys", admin, None, {}),
        ("GET", "/keys", skey, None, {}),
        ("GET", "/health", None, None, {}),
        ("GET", "/stats", admin, None, {}),
        ("GET", "/stats", skey, None, {}),
        ("GET", "/metrics", admin, None, {}),
        ("GET", "/api", skey, None, {}),
        ("GET", "/openapi.json", skey, None, {}),
        ("GET", "/", None, None, {}),
    ]
    used = set()
    for method, path, key, data, headers in cases:
        name = "%s %s%s" % (method, path[:60], "" if key else " (no key)")
        status, hdrs, raw = request(base, method, path, key, data, headers)
        tpl = template_of(paths, urllib.parse.urlsplit(path).path)
        op = paths.get(tpl, {}).get(method.lower()) if tpl else None
        if op is None:
            # a method the path does not take: the document says so by not listing it
            if status == 405 and tpl:
                ok(name + ": 405 for a method the document does not list")
            else:
                fail(name, "status %d, and the document has no %s %s" % (status, method, tpl))
            continue
        used.add((method, tpl))
        resp = op["responses"].get(str(status))
        if resp is None:
            fail(name, "status %d is not among the document's %s" % (status, sorted(op["responses"])))
            continue
        content = resp.get("content", {})
        ctype = (hdrs.get("Content-Type") or "").split(";")[0]
        if ctype not in content:
            fail(name, "Content-Type %s is not the document's %s" % (ctype, sorted(content)))
            continue
        if ctype == "application/json":
            errors = sorted(Draft202012Validator(content[ctype]["schema"]).iter_errors(json.loads(raw)),
                            key=lambda e: list(e.path))
            if errors:
                fail(name, "%d: %s at %s" % (status, errors[0].message[:200], list(errors[0].path)))
                continue
        ok("%s: %d %s valid against the document" % (name, status, ctype))
    # a stream is held open: its headers and first event, then closed
    tpl, op = "/search/stream", paths["/search/stream"]["get"]
    req = urllib.request.Request(base + tpl + "?q=" + enc("中国") + "&since=0",
                                 headers={"Authorization": "Bearer " + skey})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            ctype = (r.headers.get("Content-Type") or "").split(";")[0]
            data = None
            for raw_line in r:
                line = raw_line.decode().rstrip("\n")
                if line.startswith("data: "):
                    data = json.loads(line[6:])
                    break
            hit_schema = rdoc["components"]["schemas"]["Hit"]
            errors = list(Draft202012Validator(hit_schema).iter_errors(data)) if data else ["no event"]
            if r.status == 200 and ctype in op["responses"]["200"]["content"] and not errors:
                ok("GET /search/stream: 200 %s, its first event a Hit valid against the document" % ctype)
                used.add(("GET", tpl))
            else:
                fail("GET /search/stream", "status %d, %s, %s" % (r.status, ctype, errors[:1]))
    except (OSError, ValueError) as e:
        fail("GET /search/stream", str(e))
    missing = sorted(ops - used)
    if not missing:
        ok("every operation of the document was exercised")
    else:
        fail("every operation exercised", "not: %s" % missing)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash is a failure with its reason, not a silent exit
        fail("openapi_check", repr(e))
    print("#summary %d %d" % (passed, failed))
    sys.exit(1 if failed else 0)
