#include "edge/cache/s3fifo_policy.h"

#include <algorithm>

#include "origin-sync/assert.h"

namespace relais {

namespace {
// The paper's split: 10 % of the bytes for the probation queue is enough for
// one-hit wonders to be filtered out and small enough not to cost hot objects.
constexpr std::uint64_t kSmallPercent = 10;
// Without a hint, assume lesson pages and exercise sheets (~4 KiB compressed);
// capped so a huge budget does not reserve a huge table before any traffic.
constexpr std::uint64_t kGuessedObjectBytes = 4096;
constexpr std::size_t kMaxReservedObjects = std::size_t{1} << 20;
}  // namespace

namespace {
std::size_t reserved_nodes(std::uint64_t capacity_bytes, std::size_t expected_objects) {
  if (expected_objects == 0) {
    expected_objects = static_cast<std::size_t>(
        std::min<std::uint64_t>(capacity_bytes / kGuessedObjectBytes + 1, kMaxReservedObjects));
  }
  // Resident keys plus as many ghosts: the table never rehashes once warm.
  return 2 * expected_objects + S3FifoPolicy::kMinGhostEntries;
}
}  // namespace

S3FifoPolicy::S3FifoPolicy(std::uint64_t capacity_bytes, std::size_t expected_objects)
    : capacity_(capacity_bytes),
      small_capacity_(capacity_bytes / 100 * kSmallPercent + capacity_bytes % 100 * kSmallPercent / 100),
      main_capacity_(capacity_bytes - small_capacity_),
      queues_(reserved_nodes(capacity_bytes, expected_objects)) {}

bool S3FifoPolicy::access(const ContentHash& key) {
  Index i = queues_.find(key);
  if (i == PolicyQueues::kNil) return false;
  PolicyQueues::Node& n = queues_.node(i);
  if (n.queue == kGhost) return false;
  if (n.freq < kMaxFrequency) ++n.freq;
  return true;
}

bool S3FifoPolicy::insert(const ContentHash& key, std::uint64_t bytes,
                          std::vector<ContentHash>& evicted) {
  if (bytes > capacity_) return false;
  bool was_ghost = false;
  if (Index old = queues_.find(key); old != PolicyQueues::kNil) {
    // Take the key out first so that the evictions below cannot trim the
    // ghost entry we are about to honour, nor evict a stale resident copy.
    was_ghost = queues_.node(old).queue == kGhost;
    queues_.remove(old);
  }
  while (used_bytes() + bytes > capacity_) evict_one(evicted);
  // A ghost hit means the key was evicted from small too early: it was
  // requested again within the ghost's reuse distance, so it earns main.
  (void)queues_.add(key, bytes, was_ghost ? kMain : kSmall);
  trim_ghost();
  return true;
}

void S3FifoPolicy::erase(const ContentHash& key) {
  Index i = queues_.find(key);
  if (i == PolicyQueues::kNil) return;
  queues_.remove(i);
  trim_ghost();  // fewer objects, fewer ghosts: the bound holds after every call
}

bool S3FifoPolicy::contains(const ContentHash& key) const {
  const PolicyQueues::Node* n = find_node(key);
  return n != nullptr && n->queue != kGhost;
}

bool S3FifoPolicy::in_main(const ContentHash& key) const {
  const PolicyQueues::Node* n = find_node(key);
  return n != nullptr && n->queue == kMain;
}

bool S3FifoPolicy::in_ghost(const ContentHash& key) const {
  const PolicyQueues::Node* n = find_node(key);
  return n != nullptr && n->queue == kGhost;
}

const PolicyQueues::Node* S3FifoPolicy::find_node(const ContentHash& key) const {
  Index i = queues_.find(key);
  return i == PolicyQueues::kNil ? nullptr : &queues_.node(i);
}

void S3FifoPolicy::evict_one(std::vector<ContentHash>& evicted) {
  // Paper, Algorithm 1: evict from small while it holds more than its share;
  // otherwise from main. Either call makes progress: small either evicts one
  // object or empties itself into main.
  if (queues_.count(kSmall) > 0 && (queues_.bytes(kSmall) > small_capacity_ || queues_.count(kMain) == 0)) {
    evict_small(evicted);
  } else {
    evict_main(evicted);
  }
}

void S3FifoPolicy::evict_small(std::vector<ContentHash>& evicted) {
  while (queues_.count(kSmall) > 0) {
    Index i = queues_.tail(kSmall);
    PolicyQueues::Node& n = queues_.node(i);
    if (n.freq > 0) {
      // Requested again while on probation: promote. The frequency restarts
      // so that main's reinsertions count only accesses made inside main.
      n.freq = 0;
      queues_.move_to_head(i, kMain);
      continue;
    }
    evicted.push_back(n.key);
    queues_.move_to_head(i, kGhost);  // key only, "seen once"; freq is already 0
    trim_ghost();
    return;
  }
}

void S3FifoPolicy::evict_main(std::vector<ContentHash>& evicted) {
  RELAIS_ASSERT(queues_.count(kMain) > 0);
  // Terminates: each turn either evicts or spends one unit of frequency, and
  // frequencies only grow in access().
  for (;;) {
    Index i = queues_.tail(kMain);
    PolicyQueues::Node& n = queues_.node(i);
    if (n.freq > 0) {
      --n.freq;
      queues_.move_to_head(i, kMain);
      continue;
    }
    evicted.push_back(n.key);
    queues_.remove(i);
    return;
  }
}

void S3FifoPolicy::trim_ghost() {
  std::size_t max_entries = std::max(objects(), kMinGhostEntries);
  while (queues_.count(kGhost) > 0 &&
         (queues_.count(kGhost) > max_entries || queues_.bytes(kGhost) > main_capacity_)) {
    queues_.remove(queues_.tail(kGhost));
  }
}

}  // namespace relais
