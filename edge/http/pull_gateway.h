// Pull-through as the responder sees it (docs/PULL_THROUGH.md): which paths
// of a site go to its origin (PullRouting), and the interfaces between the
// responder, the pull layer (edge/pull/) and a protocol that can answer later.
//
// The responder decides the route only: a path of a `pull` site, or a path a
// `both` site's manifest does not hold under one of its pull prefixes, is
// handed to the PullGateway with the cache key and the origin-form target.
// The gateway answers at once through the ordinary ResponseSink (a hit, a
// refusal), or starts or joins an origin fetch and answers later through the
// protocol's StreamSink; the protocol then holds a PendingResponse until the
// sink's end(). Dropping the PendingResponse abandons the response (the client
// left): the gateway leaves the fetch's waiter set, never calls the sink again.
// HTTP/1's sink is edge/server/pull_sink.h, HTTP/2's each stream
// (edge/proto/h2/session_stream.h); a protocol without one gets a 503 on a
// miss.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "edge/http/request.h"
#include "edge/http/response.h"

namespace relais::http {

struct ResponseSummary;
struct RequestContext;

enum class PullMode : std::uint8_t { manifest, pull, both };

// A site's pull-through rules (config: mode, origin-url lines, pull-prefix).
struct PullRouting {
  PullMode mode = PullMode::manifest;
  std::vector<std::string> origin_urls;  // "http://10.0.0.5:8080": scheme and authority; in order of preference
  std::vector<std::string> prefixes;   // both: only these paths go to the origin; empty: every miss does
  // The request's whole query is part of a pulled object's key and goes to
  // the origin (as nginx's default proxy_cache_key): an origin's /search?q=a
  // and /search?q=b are two resources (RFC 9110 §4.2.2, the query identifies
  // the resource). False: only the query-key parameters, as for the manifest,
  // so a cache-busting ?v=random never reaches the origin.
  bool whole_query = true;
  // POST, PUT, PATCH, DELETE on a pull path are passed to the origin with a
  // body of at most this (read whole first); 0: refused with 405.
  std::uint64_t max_request_body = 0;

  // The request is an unsafe method this site forwards (on a pull path):
  // its body is read whole before it is answered. 0 when it is not.
  std::uint64_t request_body_limit(Method method) const;
  // A method passed to the origin on a pull path, never stored: those, and
  // OPTIONS (a CORS preflight is the application's to answer), with the
  // same switch (max_request_body 0: none is).
  bool passes(Method method) const;

  // A path the manifest does not answer (or any path in pull mode): origin?
  bool pulls(std::string_view path) const;
};

// The protocol's side of a response that comes later.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Once. body.kind stream: body() follows; any other kind is complete.
  virtual void head(const Response& response) = 0;
  // Returns how many bytes were taken; fewer: the sink is full and calls
  // PendingResponse::resume() when it has room. Never re-enters the gateway.
  virtual std::size_t body(std::string_view bytes) = 0;
  // Once, last. complete false: the body was cut, the connection must end.
  virtual void end(const ResponseSummary& summary, bool complete) = 0;
};

// The gateway's handle on a response in progress, held by the protocol.
class PendingResponse {
 public:
  virtual ~PendingResponse() = default;  // abandons it: the client left
  virtual void resume() = 0;             // the sink has room again
};

struct PullQuery {
  const Request& request;
  const PullRouting& routing;
  std::string_view key;            // normalised path and kept query: the cache key within the site
  std::string_view origin_target;  // the same, percent-encoded, as origin-form
  // A pass (PullRouting::request_body_limit): the path percent-encoded with
  // the client's whole query, which is no cache key (a form's action keeps
  // its `?sesskey=`); empty otherwise.
  std::string_view pass_target;
  bool head_only = false;
  bool close = false;
  // A GET with Authorization, passed with it (RFC 9111 §3.5: a shared cache
  // reuses no response to such a request unless the response says so; an
  // origin that needs the credential gets it). Never stored.
  bool credentialed = false;
};

class PullGateway {
 public:
  virtual ~PullGateway() = default;
  // Answers through `now` and returns its summary, or (context.stream set)
  // returns a summary with `deferred` set and *context.pending filled: the
  // answer goes to context.stream.
  virtual ResponseSummary serve(const PullQuery& query, const RequestContext& context, ResponseSink& now) = 0;
};

}  // namespace relais::http
