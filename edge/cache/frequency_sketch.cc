#include "edge/cache/frequency_sketch.h"

#include <algorithm>
#include <bit>

#include "edge/cache/key_mix.h"

namespace relais {

namespace {
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
      sample_size_(kSamplePerObject * round_objects(expected_objects)) {}

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

unsigned FrequencySketch::estimate(const ContentHash& key) const {
  const std::uint64_t h = mix_key(key, seed_);
  unsigned least = kMaxCount;
  for (unsigned i = 0; i < 4; ++i) {
    const Slot c = slot(h, block_mask_, i);
    least = std::min(least, static_cast<unsigned>((table_[c.word] >> c.shift) & 15));
  }
  return least;
}

void FrequencySketch::increment(const ContentHash& key) {
  const std::uint64_t h = mix_key(key, seed_);
  for (unsigned i = 0; i < 4; ++i) {
    const Slot c = slot(h, block_mask_, i);
    if (((table_[c.word] >> c.shift) & 15) < kMaxCount) table_[c.word] += std::uint64_t{1} << c.shift;
  }
  if (++additions_ >= sample_size_) age();
}

void FrequencySketch::set_cache_objects(std::size_t objects) {
  // Smaller objects than planned: more keys per sample than the table was
  // sized for, so it grows. By copies: a key's block index gains high bits
  // of its hash while its counters' places in the block (other bits) stay,
  // so every copy of the old block holds exactly its old counts and no
  // estimate changes (Caffeine's ensureCapacity forgets them instead).
  const std::uint64_t wanted = std::min<std::uint64_t>(kWordsPerResident * objects, kMaxObjects);
  if (wanted > table_.size()) {
    const std::size_t old = table_.size();
    table_.resize(std::bit_ceil(wanted));
    for (std::size_t i = old; i < table_.size(); ++i) table_[i] = table_[i - old];
    block_mask_ = table_.size() / kWordsPerBlock - 1;
    ++resizes_;
  }
  // Never more often than once per table word: age() walks the whole table,
  // so a cache holding a few objects in a table planned for many (a warm-up,
  // a bench of one file) would otherwise spend more on halving than counting.
  sample_size_ = std::max<std::uint64_t>(kSamplePerObject * std::max<std::uint64_t>(objects, kMinObjects), table_.size());
}

void FrequencySketch::age() {
  // Paper §3.3: halving every counter keeps the ranking and forgets half of
  // the past.
  for (std::uint64_t& w : table_) w = (w >> 1) & kHalfMask;
  additions_ = 0;
  ++agings_;
}

}  // namespace relais
