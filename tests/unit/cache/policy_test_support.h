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

namespace relais::policy_test {

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
