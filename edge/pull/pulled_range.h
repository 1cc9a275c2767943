// Range requests on pull-through paths (RFC 9110 §14, §13.1.5): the client's
// Range as the pull layer keeps it, which ranges a response's validators and
// length allow, the 206 / 416 made of a stored object, and the one range cut
// out of a body still arriving from the origin (a cold key).
//
// The parsing, If-Range and multipart framing are the published path's own
// (http/range_set.h, preconditions.h, multipart.h); the protocols frame a
// stored 206 as they frame a published one (a BodySource with ranges).
// A cold key is fetched whole (the origin never sees the client's Range: one
// coalesced fetch serves every waiter and the store); its client gets only its
// single range as the bytes pass, or the whole 200 when the origin gave no
// length or several ranges were asked (§14.2: a server may ignore Range).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "edge/cache/freshness/response_facts.h"
#include "edge/http/pull_gateway.h"
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

// What a cold key's client gets of a body of facts.content_length bytes
// arriving from the origin: the whole (no Range, no length, several ranges,
// If-Range false), one range (a 206 cut as it passes) or a 416.
struct ColdRange {
  enum class Kind : unsigned char { whole, one, unsatisfiable };
  Kind kind = Kind::whole;
  http::ByteRange range;
};
ColdRange cold_range(const RangeAsk& ask, int status, const freshness::ResponseFacts& facts);

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

// One range of a body that streams in: what of each arriving chunk is sent.
// Bytes before the range are passed over, the range's are sent, and once
// they all were the rest is not waited for.
class RangeCut {
 public:
  RangeCut() = default;  // the whole body
  explicit RangeCut(const http::ByteRange& range) : first_(range.first), end_(range.last + 1) {}
  // Of chunk (the body's next bytes), how many come before the range.
  std::size_t before(std::string_view chunk) const;
  // Of chunk (starting at the range, or inside it), the range's bytes.
  std::string_view inside(std::string_view chunk) const;
  void advance(std::size_t bytes) { position_ += bytes; }
  bool complete() const { return position_ >= end_; }
  std::uint64_t position() const { return position_; }
  // Passes over chunk's bytes before the range and gives sink the range's,
  // as many as it takes (added to *sent); returns how much of chunk was used.
  std::size_t feed(std::string_view chunk, http::StreamSink& sink, std::uint64_t& sent);

 private:
  std::uint64_t first_ = 0;
  std::uint64_t end_ = UINT64_MAX;
  std::uint64_t position_ = 0;  // body bytes passed or sent so far
};

}  // namespace relais::pull
