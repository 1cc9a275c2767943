// PolicyQueues: the bookkeeping shared by the memory tier's replacement
// policies (S3FifoPolicy, WTinyLfuPolicy): one node per key, linked into one
// of three byte-counted queues, and the hash index from key to node.
//
// Nodes live in one vector addressed by 32-bit indices; freed slots are
// reused, so a warm policy allocates only the hash-table node of a new key.
// Moving a node between queues (an LRU hit, a promotion, a demotion) is an
// unlink and a push: O(1), no allocation. Which queue means what, and what
// the per-node `freq` byte counts, is the policy's business.
//
// Lifecycle of a node: add() -> linked at the head of a queue -> move_to_head()
// any number of times -> remove() (unindexed, slot freed). Not thread-safe.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "origin-sync/content_hash.h"

namespace relais {

class PolicyQueues {
 public:
  using Index = std::uint32_t;
  static constexpr Index kNil = ~Index{0};
  static constexpr std::uint8_t kQueues = 3;

  struct Node {
    ContentHash key;
    std::uint64_t bytes = 0;
    Index prev = kNil;  // towards the head (newer)
    Index next = kNil;  // towards the tail (older)
    std::uint8_t freq = 0;   // policy-defined small counter
    std::uint8_t queue = 0;  // 0 .. kQueues - 1
  };

  // expected_nodes sizes the table and the slab up front: no rehash once warm.
  explicit PolicyQueues(std::size_t expected_nodes);

  // kNil if the key has no node.
  Index find(const ContentHash& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? kNil : it->second;
  }
  // Adds a node for a key that has none, at the head of queue q.
  Index add(const ContentHash& key, std::uint64_t bytes, std::uint8_t q);
  // Unlinks, unindexes and frees a node.
  void remove(Index i);
  // Unlinks a node from its queue and pushes it at the head of q (q may be its own).
  void move_to_head(Index i, std::uint8_t q);

  Node& node(Index i) { return nodes_[i]; }
  const Node& node(Index i) const { return nodes_[i]; }
  Index head(std::uint8_t q) const { return queues_[q].head; }  // most recently pushed
  Index tail(std::uint8_t q) const { return queues_[q].tail; }  // next to leave
  std::uint64_t bytes(std::uint8_t q) const { return queues_[q].bytes; }
  std::size_t count(std::uint8_t q) const { return queues_[q].count; }

 private:
  struct Queue {
    Index head = kNil;
    Index tail = kNil;
    std::uint64_t bytes = 0;
    std::size_t count = 0;
  };

  void push_head(Index i, std::uint8_t q);
  void unlink(Index i);

  Queue queues_[kQueues];
  std::vector<Node> nodes_;
  std::vector<Index> free_;
  std::unordered_map<ContentHash, Index, ContentHashHasher> index_;
};

}  // namespace relais
