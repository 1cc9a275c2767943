// One access-log line per request, in one of two formats.
//
// combined: the combined log format operators' tools already read, plus the
// cache tier that served the body (memory, disk; for pull-through the outcome:
// pull-hit, pull-miss, pull-coalesced, pull-revalidated, pull-stale, pull-error), on an edge with [site.*] sections the site
// that answered ("-" when none did), and the request time in seconds
// (millisecond resolution, always the last field), as trailing fields like
// nginx's custom formats:
//
//   203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] "GET /cours/ HTTP/1.1" 200 5120 "-" "Mozilla/5.0" memory 0.012
//   203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] "GET /cours/ HTTP/1.1" 200 5120 "-" "Mozilla/5.0" memory rectorat 0.012
//
// json: one JSON object per line (JSON Lines), keys in this order:
//
//   {"time":"2026-11-23T08:00:01Z","remote_addr":"203.0.113.7","method":"GET","target":"/cours/",
//    "protocol":"HTTP/1.1","status":200,"bytes":5120,"tier":"memory","content_encoding":"br",
//    "user_agent":"Mozilla/5.0","referer":"","site":"default","request_time":0.012,"ttfb":0.001}
//
// Client-controlled text (method, target, Referer, User-Agent) is truncated
// to 512 bytes and escaped so a request can neither forge a line nor make one
// huge. combined: quotes, backslashes, control bytes and DEL as \xHH (as
// nginx does). json: quote and backslash as \" and \\, control bytes and DEL
// as \u00XX, and each byte that is not part of well-formed UTF-8 (overlong,
// surrogate, beyond U+10FFFF, cut) as \u00XX too: the line stays valid JSON,
// and because valid characters are written as themselves, \u00XX in a string
// always means "the raw byte XX" (U+FFFD would lose which byte was sent).
//
// A line is written in two parts because the request time is known only
// when the last byte of the response has been handed to the socket, long
// after the request's text (views into the receive buffer) is gone: the head
// when the response is queued, the tail when it is out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "edge/http/request.h"
#include "edge/http/responder.h"
#include "edge/server/peer_address.h"
#include "edge/server/response_histograms.h"

namespace relais {

enum class AccessLogFormat : std::uint8_t { combined, json };

// Parses "combined" or "json".
bool parse_access_log_format(std::string_view text, AccessLogFormat& format);
std::string_view access_log_format_name(AccessLogFormat format);

// What is known when a response is queued.
struct LogLineHead {
  std::int64_t unix_seconds = 0;
  const PeerAddress* peer = nullptr;
  const http::Request* request = nullptr;
  const http::ResponseSummary* summary = nullptr;
  std::string_view protocol;  // "HTTP/1.1", "HTTP/1.0", "HTTP/2"
  std::string_view site;      // the name of the request's site, "-" when none answered
  bool named_sites = false;   // [site.*] sections: the combined line names the site too
};

// Returns where in out the body byte count starts: a stream reset before its
// end is logged with the bytes it sent (Worker::stream_closed rewrites it).
std::size_t append_log_line_head(std::string& out, AccessLogFormat format, const LogLineHead& head);
// Completes the line (ends with '\n').
void append_log_line_tail(std::string& out, AccessLogFormat format, const ExchangeTiming& timing);

// The escaping of the json format, for one string value (without quotes).
void append_json_escaped(std::string& out, std::string_view text);

}  // namespace relais
