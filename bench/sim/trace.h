// Trace: a sequence of requests over a set of objects, ready to replay.
//
// Objects are interned to dense indices (0 .. objects-1) so that reference
// policies can keep their state in plain vectors; each object has one size,
// its full payload in bytes (the size the memory tier would be charged).
// Readers and generators fill a Trace through TraceBuilder, then the
// simulator replays it read-only, once per policy and cache size.
//
// Bounds: at most kMaxRequests requests (32-bit positions, and a replay of
// every policy at every size must stay in seconds, not hours).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace relais::sim {

// Size of an object whose full length a trace never showed (e.g. a path that
// only ever answered 206): larger than any memory tier admits, so it bypasses.
inline constexpr std::uint64_t kUnknownSize = ~std::uint64_t{0};
inline constexpr std::uint64_t kMaxRequests = std::uint64_t{1} << 30;

struct Trace {
  std::string name;
  std::vector<std::uint32_t> requests;      // object index of each request, in order
  std::vector<std::uint64_t> object_bytes;  // full size of each object, or kUnknownSize
  std::uint64_t skipped_lines = 0;          // input lines that were not replayable requests

  std::size_t objects() const { return object_bytes.size(); }
};

// Interns keys to dense object indices. An object's size is the largest size
// any of its requests reported: partial answers (ranges, aborted transfers)
// never shrink the object a full response showed.
class TraceBuilder {
 public:
  explicit TraceBuilder(std::string name);

  // Appends one request; false (nothing appended) once kMaxRequests is reached.
  bool add(std::uint64_t key, std::uint64_t bytes);
  // A request that says nothing about the object's size (kUnknownSize stays
  // unless another request of the key reports one).
  bool add_unsized(std::uint64_t key);
  void skip_line() { ++trace_.skipped_lines; }
  std::size_t requests() const { return trace_.requests.size(); }

  Trace finish() &&;

 private:
  std::uint32_t intern(std::uint64_t key);

  Trace trace_;
  std::vector<bool> sized_;
  std::unordered_map<std::uint64_t, std::uint32_t> index_;
};

// 64-bit key of a textual object name (a path, a hashed URL), via XXH3.
std::uint64_t key_of(std::string_view name);

// For each request, the position of the next request of the same object, or
// kNever: what Belady's MIN looks ahead at.
inline constexpr std::uint32_t kNever = ~std::uint32_t{0};
std::vector<std::uint32_t> next_use(const Trace& trace);

}  // namespace relais::sim
