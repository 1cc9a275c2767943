#!/usr/bin/env python3
"""Opens N keep-alive connections to an HTTP server, then holds them idle.

Each connection is bound before connect() to one of --sources loopback source
addresses (127.1.0.1, 127.1.0.2, ...), as clients behind many addresses would
be, so per-address limits of the server are not what the run measures. On each
connection it sends one GET, reads the whole response (Content-Length), and
then keeps the socket open without sending anything.

Protocol with the caller (bench/run-core.sh), on stdout:
  "held N failed M"   once every connection is either held or failed
  "closed K"          at exit: how many held connections the server had closed
It holds until stdin reaches EOF, SIGTERM, or --hold seconds (a bound, so a
forgotten holder never lingers). Every phase has a deadline. Python 3 stdlib.
"""

import argparse
import errno
import ipaddress
import selectors
import signal
import socket
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/")
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--sources", type=int, default=200, help="distinct source addresses")
    p.add_argument("--first-source", default="127.1.0.1")
    p.add_argument("--in-flight", type=int, default=256, help="connections being set up at once")
    p.add_argument("--setup-timeout", type=float, default=120.0, help="seconds to set up all connections")
    p.add_argument("--hold", type=float, default=300.0, help="seconds to hold at most")
    return p.parse_args()


class Conn:
    __slots__ = ("sock", "state", "buf", "need")

    def __init__(self, sock):
        self.sock = sock
        self.state = "connecting"
        self.buf = b""
        self.need = None  # total bytes (head + body) once the head is parsed


def response_complete(c):
    """True once the whole response is in c.buf; raises on a malformed response."""
    if c.need is None:
        end = c.buf.find(b"\r\n\r\n")
        if end < 0:
            if len(c.buf) > 65536:
                raise ValueError("response head too large")
            return False
        head = c.buf[:end].decode("latin-1").split("\r\n")
        if not head[0].startswith("HTTP/1.1 2"):
            raise ValueError("status: " + head[0])
        length = None
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if length is None:
            raise ValueError("no Content-Length")
        c.need = end + 4 + length
    return len(c.buf) >= c.need


def main():
    a = parse_args()
    request = (f"GET {a.path} HTTP/1.1\r\nHost: {a.host}:{a.port}\r\n"
               f"User-Agent: relais-bench-holder\r\n\r\n").encode()
    first = ipaddress.IPv4Address(a.first_source)
    sources = [str(first + i) for i in range(a.sources)]
    sel = selectors.DefaultSelector()
    held, failed, errors = [], 0, {}
    started = 0
    setting_up = 0
    deadline = time.monotonic() + a.setup_timeout

    def fail(c, why):
        nonlocal failed, setting_up
        errors[why] = errors.get(why, 0) + 1
        failed += 1
        setting_up -= 1
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()

    while (started < a.count or setting_up > 0) and time.monotonic() < deadline:
        while started < a.count and setting_up < a.in_flight:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            c = Conn(s)
            started += 1
            setting_up += 1
            try:
                s.bind((sources[started % len(sources)], 0))
                rc = s.connect_ex((a.host, a.port))
            except OSError as e:
                fail(c, errno.errorcode.get(e.errno, str(e.errno)))
                continue
            if rc not in (0, errno.EINPROGRESS):
                fail(c, errno.errorcode.get(rc, str(rc)))
                continue
            sel.register(s, selectors.EVENT_WRITE, c)
        for key, _ in sel.select(timeout=1.0):
            c = key.data
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(c, errno.errorcode.get(err, str(err)))
                    continue
                try:
                    c.sock.send(request)  # a few dozen bytes: one send suffices
                except OSError as e:
                    fail(c, errno.errorcode.get(e.errno, str(e.errno)))
                    continue
                c.state = "reading"
                sel.modify(c.sock, selectors.EVENT_READ, c)
            else:
                try:
                    data = c.sock.recv(262144)
                except BlockingIOError:
                    continue
                except OSError as e:
                    fail(c, errno.errorcode.get(e.errno, str(e.errno)))
                    continue
                if not data:
                    fail(c, "closed during response")
                    continue
                c.buf += data
                try:
                    done = response_complete(c)
                except ValueError as e:
                    fail(c, str(e))
                    continue
                if done:
                    sel.unregister(c.sock)
                    c.buf = b""
                    c.state = "held"
                    held.append(c)
                    setting_up -= 1
    failed += a.count - started + max(setting_up, 0)
    if setting_up > 0:
        errors["setup timeout"] = setting_up
    print(f"held {len(held)} failed {failed}", flush=True)
    if errors:
        print("errors: " + ", ".join(f"{k}={v}" for k, v in sorted(errors.items())), file=sys.stderr)

    # Hold: wait for stdin EOF, SIGTERM or the --hold bound.
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    hold_sel = selectors.DefaultSelector()
    try:
        hold_sel.register(sys.stdin, selectors.EVENT_READ)
    except (ValueError, PermissionError, OSError):
        pass  # stdin is /dev/null or a file: rely on SIGTERM and --hold
    end = time.monotonic() + a.hold
    while not stop and time.monotonic() < end:
        ready = hold_sel.select(timeout=0.5) if hold_sel.get_map() else (time.sleep(0.5) or [])
        if ready and not sys.stdin.buffer.read1(4096):
            break

    # Count the held connections the server closed meanwhile (EOF is readable).
    closed = 0
    check = selectors.DefaultSelector()
    for c in held:
        check.register(c.sock, selectors.EVENT_READ, c)
    for key, _ in check.select(timeout=0):
        try:
            if not key.fileobj.recv(1, socket.MSG_PEEK):
                closed += 1
        except OSError:
            closed += 1
    print(f"closed {closed}", flush=True)
    for c in held:
        c.sock.close()
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
