// Invalidation after an unsafe method (RFC 9111 §4.4): when a request with a
// method that is not safe (RFC 9110 §9.2.1) gets a non-error response (2xx or
// 3xx) from the origin, the stored responses for its target URI, and for the
// URIs in Location and Content-Location when they share its origin, are
// invalidated. A URI on another host is never invalidated (§4.4: that would
// let one origin purge another's objects).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace relais::freshness {

// RFC 9110 §9.2.1: GET, HEAD, OPTIONS, TRACE (case-sensitive).
bool is_safe_method(std::string_view method);

struct OriginOfRequest {
  std::string_view scheme;      // "http" or "https"
  std::string_view authority;   // host[:port] as configured for the origin
  std::string_view path;        // the target's path and query, "/..."
};

// The paths (origin-form, query kept) to invalidate; empty when the method is
// safe or the status is an error. Relative references are resolved against
// the target (RFC 3986 §5.2, without dot-segment removal: a dot segment in a
// Location is compared as sent, which can only invalidate less).
std::vector<std::string> invalidated_paths(std::string_view method, int status, const OriginOfRequest& request,
                                           std::string_view location, std::string_view content_location);

}  // namespace relais::freshness
