// SimPolicy: what the simulator asks of a replacement policy.
//
// One call per request the memory tier would see (the simulator has already
// applied MemoryTier's admission rule and computed the charge). On a miss the
// policy decides whether and how to keep the object, within capacity bytes
// of charges. Objects are dense trace indices (see trace.h).
#pragma once

#include <cstdint>
#include <string_view>

namespace relais::sim {

class SimPolicy {
 public:
  virtual ~SimPolicy() = default;
  // True on a hit. charge: payload + MemoryTier::kObjectOverheadBytes, fixed
  // per object. next_use: position of the object's next request, or kNever
  // (only offline policies may look at it).
  virtual bool request(std::uint32_t object, std::uint64_t charge, std::uint32_t next_use) = 0;
  virtual std::string_view name() const = 0;
};

}  // namespace relais::sim
