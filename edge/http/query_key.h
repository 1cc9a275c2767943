// The query allow-list: which query parameters are part of the lookup key.
//
// By default the query is ignored, so `?v=random` cannot bypass the cache or
// make the edge look anything up twice. A publisher whose site used a query
// to select a page (a mirrored `page?lang=fr`, published as a file of that
// name) lists the key (`--query-key lang`): the lookup then uses
// "page?lang=fr" and every other parameter is still dropped.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace relais::http {

// Writes "?k=v&k2=v2" into out: the pairs of `query` (raw, as sent, without
// the '?') whose key is in `allowed`, in allow-list order, then in request
// order for a key given twice, so `?b=2&a=1` and `?a=1&b=2` give one key.
// Pairs are compared and copied as sent (no percent-decoding): a key is a
// name in the catalog, never a file system path. Returns the bytes written;
// 0 when no pair is kept. out must hold query.size() + 1 bytes (asserted).
std::size_t append_allowed_query(std::string_view query, std::span<const std::string> allowed,
                                 std::span<char> out);

}  // namespace relais::http
