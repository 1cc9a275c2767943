// One access-log line per request, in the combined log format operators'
// tools already read, plus the cache tier that served it and, on an edge
// with [site.*] sections, the site that answered (nothing when none did):
//
//   203.0.113.7 - - [23/Nov/2026:08:00:01 +0000] "GET /cours/ HTTP/1.1" 200 5120 "-" "Mozilla/5.0" memory rectorat
//
// Client-controlled text (target, Referer, User-Agent) is escaped (quotes,
// backslashes, control bytes as \xHH) and truncated, so a request can neither
// forge log lines nor make one huge.
#pragma once

#include <cstdint>
#include <string>

#include "edge/http/request.h"
#include "edge/http/responder.h"
#include "edge/server/peer_address.h"

namespace relais {

void append_request_log_line(std::string& out, std::int64_t unix_seconds, const PeerAddress& peer,
                             const http::Request& request, const http::ResponseSummary& summary);

}  // namespace relais
