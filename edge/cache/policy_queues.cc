#include "edge/cache/policy_queues.h"

#include "origin-sync/assert.h"

namespace relais {

PolicyQueues::PolicyQueues(std::size_t expected_nodes) {
  index_.reserve(expected_nodes);
  nodes_.reserve(expected_nodes);
  free_.reserve(expected_nodes);
}

PolicyQueues::Index PolicyQueues::add(const ContentHash& key, std::uint64_t bytes, std::uint8_t q) {
  Index i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else {
    RELAIS_ASSERT(nodes_.size() < kNil);
    i = static_cast<Index>(nodes_.size());
    nodes_.emplace_back();
  }
  nodes_[i] = Node{key, bytes, kNil, kNil, 0, q};
  const bool fresh = index_.emplace(key, i).second;
  RELAIS_ASSERT(fresh);
  push_head(i, q);
  return i;
}

void PolicyQueues::remove(Index i) {
  unlink(i);
  index_.erase(nodes_[i].key);
  free_.push_back(i);
}

void PolicyQueues::move_to_head(Index i, std::uint8_t q) {
  unlink(i);
  push_head(i, q);
}

void PolicyQueues::push_head(Index i, std::uint8_t q) {
  RELAIS_ASSERT(q < kQueues);
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

void PolicyQueues::unlink(Index i) {
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
