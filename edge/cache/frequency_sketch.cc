#include "edge/cache/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace relais {

namespace {
// The paper's W/C: a sample of 10 requests per cached object is long enough
// for the counters to rank objects, short enough to forget last hour's.
constexpr std::uint64_t kSamplePerObject = 10;
constexpr std::uint64_t kWordsPerBlock = 8;  // 64 bytes: one cache line
// Halving 16 nibbles at once: shift, then clear the bit each nibble received
// from its neighbour.
constexpr std::uint64_t kHalfMask = 0x7777777777777777ull;

std::uint64_t round_objects(std::size_t expected_objects) {
  return std::bit_ceil(static_cast<std::uint64_t>(
      std::clamp(expected_objects, FrequencySketch::kMinObjects, FrequencySketch::kMaxObjects)));
}
}  // namespace

FrequencySketch::FrequencySketch(std::size_t expected_objects, std::uint64_t seed)
    : seed_(seed),
      // One 64-bit word (16 counters) per expected object, as Caffeine: with
      // 4 counters per key, ~4 counters per key in the table keeps the
      // count-min error well below one request for the keys that matter.
      table_(round_objects(expected_objects)),
      block_mask_(table_.size() / kWordsPerBlock - 1),
      // 8 doorkeeper bits per expected object, 2 probes: ~5 % false
      // positives when as many distinct keys as objects pass in a sample.
      door_(round_objects(expected_objects) / 8),
      door_mask_(door_.size() * 64 - 1),
      sample_size_(kSamplePerObject * round_objects(expected_objects)) {}

std::uint64_t FrequencySketch::mix(const ContentHash& key) const {
  // SplitMix64's finaliser over the seeded fold of both halves.
  std::uint64_t z = key.high ^ std::rotl(key.low, 32) ^ seed_;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

bool FrequencySketch::door_contains(std::uint64_t h) const {
  // A second, independent-enough pair of indices: an odd multiply permutes h.
  const std::uint64_t g = h * 0x9E3779B97F4A7C15ull;
  const std::uint64_t a = g & door_mask_, b = (g >> 32) & door_mask_;
  return ((door_[a >> 6] >> (a & 63)) & 1) != 0 && ((door_[b >> 6] >> (b & 63)) & 1) != 0;
}

void FrequencySketch::door_insert(std::uint64_t h) {
  const std::uint64_t g = h * 0x9E3779B97F4A7C15ull;
  const std::uint64_t a = g & door_mask_, b = (g >> 32) & door_mask_;
  door_[a >> 6] |= std::uint64_t{1} << (a & 63);
  door_[b >> 6] |= std::uint64_t{1} << (b & 63);
}

// Counter i of key h: block from the low bits, then one byte of the high
// half per row choosing one of the row's two words and a nibble in it.
struct Slot {
  std::uint64_t word;
  unsigned shift;
};
static inline Slot slot(std::uint64_t h, std::uint64_t block_mask, unsigned i) {
  const std::uint64_t byte = (h >> (32 + 8 * i)) & 0xff;
  return Slot{(h & block_mask) * kWordsPerBlock + 2 * i + (byte & 1), static_cast<unsigned>((byte >> 1) & 15) * 4};
}

unsigned FrequencySketch::sketch_estimate(std::uint64_t h) const {
  unsigned least = kMaxCount;
  for (unsigned i = 0; i < 4; ++i) {
    const Slot c = slot(h, block_mask_, i);
    least = std::min(least, static_cast<unsigned>((table_[c.word] >> c.shift) & 15));
  }
  return least;
}

unsigned FrequencySketch::estimate(const ContentHash& key) const {
  const std::uint64_t h = mix(key);
  if (!door_contains(h)) return 0;
  return sketch_estimate(h) + 1;
}

void FrequencySketch::increment(const ContentHash& key) {
  const std::uint64_t h = mix(key);
  if (!door_contains(h)) {
    door_insert(h);
  } else {
    for (unsigned i = 0; i < 4; ++i) {
      const Slot c = slot(h, block_mask_, i);
      if (((table_[c.word] >> c.shift) & 15) < kMaxCount) table_[c.word] += std::uint64_t{1} << c.shift;
    }
  }
  if (++additions_ >= sample_size_) age();
}

void FrequencySketch::set_cache_objects(std::size_t objects) {
  sample_size_ = kSamplePerObject * std::max<std::uint64_t>(objects, kMinObjects);
}

void FrequencySketch::age() {
  // Paper §3.3: halving every counter keeps the ranking and forgets half of
  // the past; the doorkeeper is reset with it.
  for (std::uint64_t& w : table_) w = (w >> 1) & kHalfMask;
  std::fill(door_.begin(), door_.end(), 0);
  additions_ = 0;
  ++agings_;
}

}  // namespace relais
