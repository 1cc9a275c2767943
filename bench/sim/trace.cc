#include "bench/sim/trace.h"

#include <algorithm>
#include <utility>

#include "origin-sync/assert.h"
#include "origin-sync/content_hash.h"

namespace relais::sim {

TraceBuilder::TraceBuilder(std::string name) { trace_.name = std::move(name); }

std::uint32_t TraceBuilder::intern(std::uint64_t key) {
  auto [it, fresh] = index_.try_emplace(key, static_cast<std::uint32_t>(trace_.object_bytes.size()));
  if (fresh) {
    RELAIS_ASSERT(trace_.object_bytes.size() < kNever);
    trace_.object_bytes.push_back(kUnknownSize);
    sized_.push_back(false);
  }
  return it->second;
}

bool TraceBuilder::add(std::uint64_t key, std::uint64_t bytes) {
  if (trace_.requests.size() >= kMaxRequests) return false;
  std::uint32_t object = intern(key);
  std::uint64_t& size = trace_.object_bytes[object];
  size = sized_[object] ? std::max(size, bytes) : bytes;
  sized_[object] = true;
  trace_.requests.push_back(object);
  return true;
}

bool TraceBuilder::add_unsized(std::uint64_t key) {
  if (trace_.requests.size() >= kMaxRequests) return false;
  trace_.requests.push_back(intern(key));
  return true;
}

Trace TraceBuilder::finish() && {
  index_.clear();
  return std::move(trace_);
}

std::uint64_t key_of(std::string_view name) {
  ContentHash h = hash_bytes(name);
  return h.low ^ h.high;
}

std::vector<std::uint32_t> next_use(const Trace& trace) {
  RELAIS_ASSERT(trace.requests.size() < kNever);
  std::vector<std::uint32_t> next(trace.requests.size(), kNever);
  std::vector<std::uint32_t> last(trace.objects(), kNever);
  for (std::size_t i = trace.requests.size(); i-- > 0;) {
    std::uint32_t object = trace.requests[i];
    next[i] = last[object];
    last[object] = static_cast<std::uint32_t>(i);
  }
  return next;
}

}  // namespace relais::sim
