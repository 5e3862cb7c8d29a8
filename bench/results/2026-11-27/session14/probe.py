#!/usr/bin/env python3
"""Appends one event at a time to URL until the file STOP exists; prints the epoch ms of each acknowledged append."""
import http.client, json, os, sys, time
url, stop = sys.argv[1], sys.argv[2]
host, port = url.replace("http://", "").split(":")
body = json.dumps({"actor": "probe", "action": "handoff"}).encode()
conn = None
while not os.path.exists(stop):
    try:
        if conn is None:
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.request("POST", "/v1/logs/audit/entries", body, {"content-type": "application/json"})
        r = conn.getresponse(); r.read()
        if r.status in (200, 201):
            print(int(time.time() * 1000), flush=True)
        else:
            time.sleep(0.005)
    except Exception:
        conn = None
        time.sleep(0.005)
