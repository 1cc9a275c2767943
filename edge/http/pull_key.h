// A pulled path's cache key within its site and the origin-form target the
// origin is asked for, made in one place: the responder (a GET's key) and a
// pass's invalidation (RFC 9111 §4.4: the key of a Location it names) must
// agree byte for byte, or a POST would invalidate nothing.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace relais::http {

struct PullKey {
  std::string key;            // normalised path, then the kept query ("?..." or nothing)
  std::string origin_target;  // the path percent-encoded again, then the same query
};

// path: normalised (target_normalizer.h); raw_query: as sent, without '?'.
// whole_query (PullRouting::whole_query): the whole query is kept, with the
// bytes a query may not carry raw percent-encoded; else only the query_keys
// parameters (query_key.h).
PullKey pull_key(std::string_view path, std::string_view raw_query, bool whole_query,
                 std::span<const std::string> query_keys);

// The whole query for a pass's origin request ("?..." or nothing): a pass is
// never stored, so a form's query reaches the application whatever the key keeps.
std::string whole_query_suffix(std::string_view raw_query);

// Percent-encodes a normalised path (for Location, or an origin request).
void append_encoded_path(std::string& out, std::string_view path);

}  // namespace relais::http
