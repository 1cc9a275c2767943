#!/usr/bin/python3
"""Opens N HTTP/2 connections to a server, one GET on each, then holds them idle.

Over TLS (ALPN h2) or, with --h2c, HTTP/2 with prior knowledge. Each
connection is bound to one of --sources loopback source addresses, as in
hold-connections.py, so per-address limits are not what the run measures. It
sets up connections one after another (blocking sockets with a timeout each),
reads the whole response of one GET per connection, and then sends nothing
more (the client's SETTINGS ACK is the last frame).

Protocol with the caller (bench/h2), on stdout:
  "held N failed M"   once every connection is either held or failed
  "closed K"          at exit: how many held connections the server had closed
It holds until stdin reaches EOF or --hold seconds (a bound, so a forgotten
holder never lingers). Needs python3-h2 (Debian).
"""

import argparse
import ipaddress
import select
import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--path", default="/")
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--h2c", action="store_true", help="prior knowledge over plain TCP")
    p.add_argument("--sources", type=int, default=200)
    p.add_argument("--first-source", default="127.1.0.1")
    p.add_argument("--setup-timeout", type=float, default=120.0)
    p.add_argument("--hold", type=float, default=300.0)
    return p.parse_args()


def open_one(a, source, context):
    raw = socket.create_connection((a.host, a.port), timeout=10, source_address=(source, 0))
    sock = raw if a.h2c else context.wrap_socket(raw, server_hostname="localhost")
    if not a.h2c and sock.selected_alpn_protocol() != "h2":
        raise ValueError("ALPN did not select h2")
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":scheme", "http" if a.h2c else "https"),
                          (":authority", f"{a.host}:{a.port}"), (":path", a.path),
                          ("user-agent", "relais-bench-h2-holder")], end_stream=True)
    sock.sendall(conn.data_to_send())
    done = False
    while not done:
        data = sock.recv(262144)
        if not data:
            raise ValueError("closed during response")
        for ev in conn.receive_data(data):
            if isinstance(ev, h2.events.ResponseReceived):
                status = dict(ev.headers).get(":status")
                if not status.startswith("2"):
                    raise ValueError("status " + status)
            elif isinstance(ev, h2.events.DataReceived):
                conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
            elif isinstance(ev, h2.events.StreamEnded):
                done = True
            elif isinstance(ev, (h2.events.StreamReset, h2.events.ConnectionTerminated)):
                raise ValueError(type(ev).__name__)
        sock.sendall(conn.data_to_send())
    sock.setblocking(False)
    return sock


def main():
    a = parse_args()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    first = ipaddress.IPv4Address(a.first_source)
    held, failed, errors = [], 0, {}
    deadline = time.monotonic() + a.setup_timeout
    for i in range(a.count):
        if time.monotonic() > deadline:
            failed += a.count - i
            errors["setup deadline"] = a.count - i
            break
        try:
            held.append(open_one(a, str(first + i % a.sources), context))
        except (OSError, ValueError, h2.exceptions.ProtocolError) as e:
            failed += 1
            errors[str(e)[:60]] = errors.get(str(e)[:60], 0) + 1
    print(f"held {len(held)} failed {failed}", flush=True)
    if errors:
        print("errors " + "; ".join(f"{k}: {v}" for k, v in errors.items()), file=sys.stderr)
    end = time.monotonic() + a.hold
    while time.monotonic() < end:
        r, _, _ = select.select([sys.stdin], [], [], max(0.0, min(1.0, end - time.monotonic())))
        if r and not sys.stdin.readline():
            break
    closed = 0
    for s in held:
        try:
            r, _, _ = select.select([s], [], [], 0)
            if r:
                data = s.recv(65536)
                # A GOAWAY or an EOF: the server let the connection go.
                if not data or b"\x07" in data[3:4]:
                    closed += 1
        except (ssl.SSLWantReadError, BlockingIOError):
            pass  # a TLS record with no application data (a ticket): still open
        except (OSError, ssl.SSLError):
            closed += 1
    print(f"closed {closed}", flush=True)


if __name__ == "__main__":
    main()
