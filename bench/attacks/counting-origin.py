#!/usr/bin/env python3
"""A static HTTP origin that logs every request it gets, one line each.

Usage: counting-origin.py ROOT LOG_FILE PORT_FILE [--max-seconds S]

Serves ROOT (a `relais-sync publish` output) on 127.0.0.1, an ephemeral port written
to PORT_FILE once listening. Each request appends "<unix time> <method> <path>" to
LOG_FILE (flushed at once), so bench/attacks/run can count what the edge asked the
origin for during a window. Exits after --max-seconds (default 900), on SIGTERM, or
SIGINT. Python 3 standard library only.
"""

import argparse
import functools
import http.server
import os
import signal
import sys
import threading
import time


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("root")
    p.add_argument("log")
    p.add_argument("port_file")
    p.add_argument("--max-seconds", type=float, default=900)
    a = p.parse_args()
    log = open(a.log, "a", buffering=1)
    lock = threading.Lock()

    class Handler(http.server.SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _count(self):
            with lock:
                log.write("%.3f %s %s\n" % (time.time(), self.command, self.path))

        def do_GET(self):
            self._count()
            super().do_GET()

        def do_HEAD(self):
            self._count()
            super().do_HEAD()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=a.root))
    server.daemon_threads = True
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(a.port_file + ".tmp", a.port_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    threading.Timer(a.max_seconds, lambda: os._exit(0)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
