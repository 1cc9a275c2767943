#include "edge/pull/pulled_disk_index.h"

#include <algorithm>

#include "edge/cache/freshness/secondary_key.h"

namespace relais::pull {

ContentHash PulledDiskIndex::key_of(std::string_view primary, std::string_view secondary) {
  std::string text(primary);
  text.push_back('\n');
  text.append(secondary);
  return hash_bytes(text);
}

bool PulledDiskIndex::insert(DiskEntry entry, std::vector<ContentHash>& evicted) {
  const ContentHash key = key_of(entry.primary, entry.secondary);
  const std::size_t first = evicted.size();
  if (!policy_.insert(key, entry.bytes, evicted)) {
    // Too large for the whole store: what it replaces is gone too.
    if (entries_.contains(key)) {
      policy_.erase(key);
      forget(key);
      evicted.push_back(key);
    }
    return false;
  }
  for (std::size_t i = first; i < evicted.size(); ++i) forget(evicted[i]);
  entry.generation = next_generation_++;
  auto [it, added] = entries_.insert_or_assign(key, std::move(entry));
  if (added) by_primary_[it->second.primary].push_back(key);
  return true;
}

std::optional<ContentHash> PulledDiskIndex::find(const std::string& primary, freshness::Fields request_fields) {
  auto found = by_primary_.find(primary);
  if (found == by_primary_.end()) return std::nullopt;
  for (const ContentHash& key : found->second) {
    const DiskEntry& e = entries_.at(key);
    const std::optional<std::string> wanted = freshness::secondary_key(e.vary, request_fields);
    if (wanted && *wanted == e.secondary) {
      policy_.access(key);
      return key;
    }
  }
  return std::nullopt;
}

const DiskEntry* PulledDiskIndex::entry(const ContentHash& key) const {
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : &it->second;
}

void PulledDiskIndex::mark_verified(const ContentHash& key, std::uint64_t generation) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.generation == generation) it->second.verified = true;
}

void PulledDiskIndex::erase(const ContentHash& key) {
  policy_.erase(key);
  forget(key);
}

std::vector<ContentHash> PulledDiskIndex::purge(std::string_view primary, bool prefix) {
  std::vector<ContentHash> gone;
  for (const auto& [key, keys] : by_primary_) {
    if (purge_matches(key, primary, prefix)) gone.insert(gone.end(), keys.begin(), keys.end());
  }
  for (const ContentHash& key : gone) erase(key);
  return gone;
}

std::vector<ContentHash> PulledDiskIndex::invalidate(const std::string& primary) {
  auto found = by_primary_.find(primary);
  if (found == by_primary_.end()) return {};
  const std::vector<ContentHash> gone = found->second;  // erase() edits the list
  for (const ContentHash& key : gone) erase(key);
  return gone;
}

void PulledDiskIndex::forget(const ContentHash& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  auto found = by_primary_.find(it->second.primary);
  std::erase(found->second, key);
  if (found->second.empty()) by_primary_.erase(found);
  entries_.erase(it);
}

}  // namespace relais::pull
