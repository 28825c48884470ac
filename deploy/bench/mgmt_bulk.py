#!/usr/bin/env python3
"""mgmt_bulk.py: many management-API requests over a few keep-alive connections (policy-bench.sh's helper).

Standard library only. Subcommands:

  requests  --url URL [--parallel N] [--budget S] [--user U --password P] [--timeout S] [--label TEXT]
            reads one request per line on stdin, METHOD<TAB>PATH[<TAB>JSON BODY], and sends them with N threads,
            each on its own HTTP/1.1 keep-alive connection (a process per request, as with xargs + curl, would
            cost more CPU than the broker's work and compete with it for the cores). With --budget, no request
            is started once S seconds have passed (those in flight finish). Prints one line:
            "ok=N failed=M skipped=K seconds=S rate=R" (rate = answered requests per second of wall time, first
            request sent to last answer received; skipped = not sent because of the budget); the first failures
            go to stderr. Exit status 0 when every request sent got a 2xx answer.

  check     --url URL --vhost V --prefix P --policy-prefix PP [--perf-prefix Q --perf-policy NAME]
            lists the vhost's queues (columns name,policy) and counts the queues named P<group>.<n> whose policy
            is PP<group>, and the queues named Q* whose policy is NAME. Prints
            "idle_queues=N idle_with_expected_policy=M perf_queues=K perf_with_expected_policy=L".

  policy-of --url URL --vhost V --queue NAME   prints the queue's policy ("" when none), or "NA" when the queue
            does not exist.
"""
import argparse
import base64
import http.client
import json
import sys
import threading
import time
import urllib.parse


class Client:
    def __init__(self, url, user, password, timeout):
        parts = urllib.parse.urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.conn = None

    def request(self, method, path, body=None):
        """Returns (status, text). Reconnects once when a kept-alive connection was closed by the server."""
        headers = {"Authorization": self.auth, "Accept": "application/json"}
        data = None
        if body is not None:
            data = body.encode()
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode(errors="replace")
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, text
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest, http.client.BadStatusLine):
                self.close()
                if attempt == 2:
                    raise

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None


def cmd_requests(args):
    reqs = []
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line:
            continue
        parts = line.split("\t", 2)
        reqs.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "failed": 0}
    failures = []

    def worker():
        client = Client(args.url, args.user, args.password, args.timeout)
        while True:
            with lock:
                i = state["next"]
                if i >= len(reqs) or (args.budget > 0 and time.monotonic() - t0 >= args.budget):
                    break
                state["next"] = i + 1
            method, path, body = reqs[i]
            try:
                status, text = client.request(method, path, body)
                good = 200 <= status < 300
                detail = f"HTTP {status} {text[:200]}"
            except Exception as e:  # noqa: BLE001 - any failure counts, and is reported
                good = False
                detail = f"{type(e).__name__}: {e}"
                client.close()
            with lock:
                if good:
                    state["ok"] += 1
                else:
                    state["failed"] += 1
                    if len(failures) < 5:
                        failures.append(f"{method} {path}: {detail}")
        client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(max(1, args.parallel))]
    t0 = time.monotonic()  # (read by the workers: set before they start)
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    for f in failures:
        print(f"mgmt_bulk{(' ' + args.label) if args.label else ''}: {f}", file=sys.stderr)
    done = state["ok"] + state["failed"]
    rate = done / secs if secs > 0 else 0.0
    print(f"ok={state['ok']} failed={state['failed']} skipped={len(reqs) - done} seconds={secs:.2f} rate={rate:.1f}")
    return 0 if state["failed"] == 0 else 1


def get_json(client, path):
    status, text = client.request("GET", path)
    if status != 200:
        raise SystemExit(f"mgmt_bulk: GET {path}: HTTP {status} {text[:200]}")
    return json.loads(text)


def cmd_check(args):
    client = Client(args.url, args.user, args.password, args.timeout)
    vh = urllib.parse.quote(args.vhost, safe="")
    queues = get_json(client, f"/api/queues/{vh}?columns=name,policy")
    idle = idle_ok = perf = perf_ok = 0
    for q in queues:
        name, policy = q.get("name", ""), q.get("policy") or ""
        if name.startswith(args.prefix):
            idle += 1
            group = name[len(args.prefix):].split(".", 1)[0]
            if policy == args.policy_prefix + group:
                idle_ok += 1
        elif args.perf_prefix and name.startswith(args.perf_prefix):
            perf += 1
            if policy == args.perf_policy:
                perf_ok += 1
    print(f"idle_queues={idle} idle_with_expected_policy={idle_ok} perf_queues={perf} perf_with_expected_policy={perf_ok}")
    return 0


def cmd_policy_of(args):
    client = Client(args.url, args.user, args.password, args.timeout)
    vh = urllib.parse.quote(args.vhost, safe="")
    status, text = client.request("GET", f"/api/queues/{vh}/{urllib.parse.quote(args.queue, safe='')}")
    if status == 404:
        print("NA")
    elif status != 200:
        print(f"mgmt_bulk: HTTP {status} {text[:200]}", file=sys.stderr)
        return 1
    else:
        print(json.loads(text).get("policy") or "")
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("requests", "check", "policy-of"):
        s = sub.add_parser(name)
        s.add_argument("--url", required=True, help="management base URL, e.g. http://127.0.0.1:15672")
        s.add_argument("--user", default="guest")
        s.add_argument("--password", default="guest")
        s.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
        if name == "requests":
            s.add_argument("--parallel", type=int, default=8)
            s.add_argument("--budget", type=float, default=0.0, help="seconds after which no request is started")
            s.add_argument("--label", default="")
        else:
            s.add_argument("--vhost", required=True)
        if name == "check":
            s.add_argument("--prefix", required=True)
            s.add_argument("--policy-prefix", required=True)
            s.add_argument("--perf-prefix", default="")
            s.add_argument("--perf-policy", default="")
        if name == "policy-of":
            s.add_argument("--queue", required=True)
    args = p.parse_args()
    return {"requests": cmd_requests, "check": cmd_check, "policy-of": cmd_policy_of}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
