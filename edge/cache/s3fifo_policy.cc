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

S3FifoPolicy::S3FifoPolicy(std::uint64_t capacity_bytes, std::size_t expected_objects)
    : capacity_(capacity_bytes),
      small_capacity_(capacity_bytes / 100 * kSmallPercent + capacity_bytes % 100 * kSmallPercent / 100),
      main_capacity_(capacity_bytes - small_capacity_) {
  if (expected_objects == 0) {
    expected_objects = static_cast<std::size_t>(
        std::min<std::uint64_t>(capacity_bytes / kGuessedObjectBytes + 1, kMaxReservedObjects));
  }
  // Resident keys plus as many ghosts: the table never rehashes once warm.
  index_.reserve(2 * expected_objects + kMinGhostEntries);
  nodes_.reserve(2 * expected_objects + kMinGhostEntries);
  free_.reserve(2 * expected_objects + kMinGhostEntries);
}

bool S3FifoPolicy::access(const ContentHash& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  Node& n = nodes_[it->second];
  if (n.queue == kGhost) return false;
  if (n.freq < kMaxFrequency) ++n.freq;
  return true;
}

bool S3FifoPolicy::insert(const ContentHash& key, std::uint64_t bytes,
                          std::vector<ContentHash>& evicted) {
  if (bytes > capacity_) return false;
  bool was_ghost = false;
  if (auto it = index_.find(key); it != index_.end()) {
    // Take the key out first so that the evictions below cannot trim the
    // ghost entry we are about to honour, nor evict a stale resident copy.
    was_ghost = nodes_[it->second].queue == kGhost;
    Index old = it->second;
    unlink(old);
    index_.erase(it);
    release(old);
  }
  while (used_bytes() + bytes > capacity_) evict_one(evicted);
  Index i = allocate(key, bytes);
  index_.emplace(key, i);
  // A ghost hit means the key was evicted from small too early: it was
  // requested again within the ghost's reuse distance, so it earns main.
  push_head(was_ghost ? kMain : kSmall, i);
  trim_ghost();
  return true;
}

void S3FifoPolicy::erase(const ContentHash& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  Index i = it->second;
  index_.erase(it);
  unlink(i);
  release(i);
  trim_ghost();  // fewer objects, fewer ghosts: the bound holds after every call
}

bool S3FifoPolicy::contains(const ContentHash& key) const {
  const Node* n = find_node(key);
  return n != nullptr && n->queue != kGhost;
}

bool S3FifoPolicy::in_main(const ContentHash& key) const {
  const Node* n = find_node(key);
  return n != nullptr && n->queue == kMain;
}

bool S3FifoPolicy::in_ghost(const ContentHash& key) const {
  const Node* n = find_node(key);
  return n != nullptr && n->queue == kGhost;
}

const S3FifoPolicy::Node* S3FifoPolicy::find_node(const ContentHash& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &nodes_[it->second];
}

void S3FifoPolicy::evict_one(std::vector<ContentHash>& evicted) {
  const Queue& small = queues_[kSmall];
  // Paper, Algorithm 1: evict from small while it holds more than its share;
  // otherwise from main. Either call makes progress: small either evicts one
  // object or empties itself into main.
  if (small.count > 0 && (small.bytes > small_capacity_ || queues_[kMain].count == 0)) {
    evict_small(evicted);
  } else {
    evict_main(evicted);
  }
}

void S3FifoPolicy::evict_small(std::vector<ContentHash>& evicted) {
  Queue& small = queues_[kSmall];
  while (small.count > 0) {
    Index i = small.tail;
    unlink(i);
    Node& n = nodes_[i];
    if (n.freq > 0) {
      // Requested again while on probation: promote. The frequency restarts
      // so that main's reinsertions count only accesses made inside main.
      n.freq = 0;
      push_head(kMain, i);
      continue;
    }
    evicted.push_back(n.key);
    to_ghost(i);
    return;
  }
}

void S3FifoPolicy::evict_main(std::vector<ContentHash>& evicted) {
  Queue& main = queues_[kMain];
  RELAIS_ASSERT(main.count > 0);
  // Terminates: each turn either evicts or spends one unit of frequency, and
  // frequencies only grow in access().
  for (;;) {
    Index i = main.tail;
    unlink(i);
    Node& n = nodes_[i];
    if (n.freq > 0) {
      --n.freq;
      push_head(kMain, i);
      continue;
    }
    evicted.push_back(n.key);
    index_.erase(n.key);
    release(i);
    return;
  }
}

void S3FifoPolicy::to_ghost(Index i) {
  nodes_[i].freq = 0;
  push_head(kGhost, i);
  trim_ghost();
}

void S3FifoPolicy::trim_ghost() {
  Queue& ghost = queues_[kGhost];
  std::size_t max_entries = std::max(objects(), kMinGhostEntries);
  while (ghost.count > 0 && (ghost.count > max_entries || ghost.bytes > main_capacity_)) {
    Index i = ghost.tail;
    unlink(i);
    index_.erase(nodes_[i].key);
    release(i);
  }
}

S3FifoPolicy::Index S3FifoPolicy::allocate(const ContentHash& key, std::uint64_t bytes) {
  Index i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    RELAIS_ASSERT(nodes_.size() < kNil);
    i = static_cast<Index>(nodes_.size());
    nodes_.emplace_back();
  }
  nodes_[i] = Node{key, bytes, kNil, kNil, 0, kSmall};
  return i;
}

void S3FifoPolicy::release(Index i) { free_.push_back(i); }

void S3FifoPolicy::push_head(QueueId q, Index i) {
  Queue& queue = queues_[q];
  Node& n = nodes_[i];
  n.queue = q;
  n.prev = kNil;
  n.next = queue.head;
  if (queue.head != kNil) nodes_[queue.head].prev = i;
  queue.head = i;
  if (queue.tail == kNil) queue.tail = i;
  queue.bytes += n.bytes;
  ++queue.count;
}

void S3FifoPolicy::unlink(Index i) {
  Node& n = nodes_[i];
  Queue& queue = queues_[n.queue];
  if (n.prev != kNil) nodes_[n.prev].next = n.next; else queue.head = n.next;
  if (n.next != kNil) nodes_[n.next].prev = n.prev; else queue.tail = n.prev;
  n.prev = n.next = kNil;
  RELAIS_ASSERT(queue.count > 0 && queue.bytes >= n.bytes);
  queue.bytes -= n.bytes;
  --queue.count;
}

}  // namespace relais
