// Helpers shared by the replacement-policy tests: a reference LRU and a
// deterministic Zipf sampler (test-only; the simulator has its own).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <list>
#include <random>
#include <unordered_map>
#include <vector>

#include "origin-sync/content_hash.h"

namespace relais::policy_test {

// Synthetic keys, as the simulator uses them.
inline ContentHash key(std::uint64_t i) { return ContentHash{i, 0}; }

// Request = access, and insert on a miss: what the memory tier does.
template <typename Policy>
bool request(Policy& p, std::uint64_t k, std::uint64_t bytes, std::vector<ContentHash>* out = nullptr) {
  if (p.access(key(k))) return true;
  std::vector<ContentHash> evicted;
  (void)p.insert(key(k), bytes, out ? *out : evicted);
  return false;
}

// A warm hot set of 200 objects, then a one-pass scan of 10x the capacity in
// never-repeated keys with the hot set still requested in between (one hot
// request per 5 scan requests). Returns the hot set's hit ratio during the scan.
template <typename Policy>
double hot_set_hit_ratio_during_scan(Policy& policy, std::uint64_t capacity, std::uint64_t object, std::uint64_t hot) {
  for (int round = 0; round < 5; ++round) {
    for (std::uint64_t h = 0; h < hot; ++h) request(policy, h, object);
  }
  std::uint64_t hot_requests = 0, hot_hits = 0, next_hot = 0;
  for (std::uint64_t s = 0; s < 10 * capacity / object; ++s) {
    if (request(policy, 1'000'000 + s, object)) return -1;  // a never-seen key cannot hit
    if (s % 5 == 0) {
      ++hot_requests;
      hot_hits += request(policy, next_hot, object) ? 1 : 0;
      next_hot = (next_hot + 1) % hot;
    }
  }
  return static_cast<double>(hot_hits) / static_cast<double>(hot_requests);
}

// Reference model: plain byte-bounded LRU.
class Lru {
 public:
  explicit Lru(std::uint64_t capacity) : capacity_(capacity) {}
  bool access(std::uint64_t k) {
    auto it = map_.find(k);
    if (it == map_.end()) return false;
    list_.splice(list_.begin(), list_, it->second);
    return true;
  }
  void insert(std::uint64_t k, std::uint64_t bytes) {
    if (bytes > capacity_) return;
    while (used_ + bytes > capacity_) {
      used_ -= list_.back().second;
      map_.erase(list_.back().first);
      list_.pop_back();
    }
    list_.emplace_front(k, bytes);
    map_[k] = list_.begin();
    used_ += bytes;
  }

 private:
  std::uint64_t capacity_;
  std::uint64_t used_ = 0;
  std::list<std::pair<std::uint64_t, std::uint64_t>> list_;
  std::unordered_map<std::uint64_t, std::list<std::pair<std::uint64_t, std::uint64_t>>::iterator> map_;
};

// Zipf(alpha) over n ranks, by inverse CDF: deterministic for a seed.
class Zipf {
 public:
  Zipf(std::size_t n, double alpha) : cdf_(n) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / std::pow(static_cast<double>(i + 1), alpha));
    for (double& c : cdf_) c /= sum;
  }
  std::uint64_t operator()(std::mt19937_64& rng) const {
    double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    return static_cast<std::uint64_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
  }

 private:
  std::vector<double> cdf_;
};

// 0.5 .. 8 KiB, fixed per key.
inline std::uint64_t size_of(std::uint64_t k) { return 512 + (k * 2654435761u) % 7680; }

}  // namespace relais::policy_test
