// Range requests on pull-through paths (RFC 9110 §14, §13.1.5): the client's
// Range as the pull layer keeps it, which ranges a response's validators and
// length allow, and the 206 / 416 made of a stored object.
//
// The parsing, If-Range and multipart framing are the published path's own
// (http/range_set.h, preconditions.h, multipart.h); the protocols frame a
// stored 206 as they frame a published one (a BodySource with ranges).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/freshness/response_facts.h"
#include "edge/http/range_set.h"
#include "edge/http/request.h"
#include "edge/http/responder.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {

// Owned: an exchange outlives its request.
struct RangeAsk {
  std::string range;         // the Range value of a GET; empty: none
  std::string if_range;
  std::size_t max_ranges = 0;  // the site's (ResponderSettings::max_ranges)
  std::string boundary;        // multipart/byteranges, random per process
  bool wanted() const { return !range.empty(); }
};

// settings: the site's responder settings (nullptr: its defaults). §14.2:
// range handling is defined for GET only, so a HEAD's Range is dropped.
RangeAsk range_ask(const http::Request& request, const http::ResponderSettings* settings);

// The ranges ask selects of a response with these facts whose body has
// `length` bytes: ignore (the whole 200) unless a Range was asked, the status
// is 200 and If-Range holds (§13.1.5: a strong entity-tag match or the exact
// Last-Modified date); else satisfiable or unsatisfiable (range_set.h).
http::RangeSet select_ranges(const RangeAsk& ask, int status, const freshness::ResponseFacts& facts,
                             std::uint64_t length);

// A stored object's 206 (one range, or multipart/byteranges) or 416 with
// `Content-Range: bytes */length`, with Age and Cache-Status as send_stored's;
// nullopt when its Range selects nothing (the caller sends the whole).
std::optional<http::ResponseSummary> send_stored_ranges(const PulledObject& object, const ServeOptions& options,
                                                        http::ResponseSink& sink);

// fields: a response's fields as passed on. Drops what a 416 must not say of
// a body it does not carry: all but the §15.4.5 list, as a 304 (§15.5.17).
void keep_for_unsatisfiable(std::vector<http::HeaderField>& fields);
// A 416 of fields (already kept_for_unsatisfiable), Date `date`, for a
// representation of `length` bytes.
http::ResponseSummary send_unsatisfiable(std::span<const http::HeaderField> fields, std::string_view date,
                                         std::uint64_t length, const ServeOptions& options, http::ResponseSink& sink);

}  // namespace relais::pull
