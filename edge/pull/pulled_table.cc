#include "edge/pull/pulled_table.h"

#include <algorithm>

#include "edge/cache/freshness/secondary_key.h"

namespace relais::pull {

std::uint64_t PulledObject::charge() const {
  std::uint64_t n = PulledTable::kObjectOverheadBytes + secondary.size() + (body ? body->bytes.size() : 0);
  for (const freshness::StoredField& f : fields) n += f.name.size() + f.value.size() + 32;
  if (coded) n += coded->bytes();
  return n;
}

PulledRef PulledTable::find(const std::string& primary, freshness::Fields request_fields, bool* any_variant) {
  if (any_variant != nullptr) *any_variant = false;
  auto it = by_primary_.find(primary);
  if (it == by_primary_.end()) return nullptr;
  if (any_variant != nullptr) *any_variant = true;
  auto& slots = it->second;
  for (auto s = slots.begin(); s != slots.end(); ++s) {
    const Lru::iterator slot = *s;
    const PulledObject& o = *slot->object;
    const std::optional<std::string> key = freshness::secondary_key(o.stored.facts.vary, request_fields);
    if (key && *key == o.secondary) {
      lru_.splice(lru_.begin(), lru_, slot);
      std::rotate(s, s + 1, slots.end());  // the key's most recent variant goes last
      return slot->object;
    }
  }
  return nullptr;
}

PulledRef PulledTable::peek(const std::string& primary, std::string_view secondary) const {
  auto it = by_primary_.find(primary);
  if (it == by_primary_.end()) return nullptr;
  for (Lru::iterator slot : it->second) {
    if (slot->object->secondary == secondary) return slot->object;
  }
  return nullptr;
}

bool PulledTable::put(const std::string& primary, PulledRef object) {
  // A body left in its file holds an fd, not RAM: the table would pin an fd
  // per object (and the unlinked files' disk space) for as long as it keeps it.
  if (object->file != nullptr) return false;
  const std::uint64_t charge = object->charge() + primary.size();
  if (charge > capacity_) return false;
  auto found = by_primary_.find(primary);
  if (found != by_primary_.end()) {
    auto& slots = found->second;
    auto same = std::find_if(slots.begin(), slots.end(),
                             [&](Lru::iterator s) { return s->object->secondary == object->secondary; });
    if (same != slots.end()) drop(*same);
    else if (slots.size() >= kMaxVariants) drop(slots.front());  // the key's least recently used variant
  }
  while (used_ + charge > capacity_ && !lru_.empty()) drop(std::prev(lru_.end()));
  lru_.push_front(Slot{primary, std::move(object)});
  by_primary_[primary].push_back(lru_.begin());
  used_ += charge;
  return true;
}

void PulledTable::erase(const std::string& primary, const PulledObject* object) {
  auto found = by_primary_.find(primary);
  if (found == by_primary_.end()) return;
  for (Lru::iterator slot : found->second) {
    if (slot->object.get() == object) {
      drop(slot);
      return;
    }
  }
}

bool purge_matches(std::string_view key, std::string_view primary, bool prefix) {
  if (prefix) return key.starts_with(primary);
  return key == primary || (key.starts_with(primary) && (key[primary.size()] == '?' || key[primary.size()] == '\n'));
}

std::size_t PulledTable::purge(std::string_view primary, bool prefix) {
  std::vector<Lru::iterator> gone;
  for (auto it = lru_.begin(); it != lru_.end(); ++it) {
    if (purge_matches(it->primary, primary, prefix)) gone.push_back(it);
  }
  for (Lru::iterator it : gone) drop(it);
  return gone.size();
}

std::size_t PulledTable::invalidate(const std::string& primary) {
  auto found = by_primary_.find(primary);
  if (found == by_primary_.end()) return 0;
  const std::vector<Lru::iterator> gone = found->second;  // drop() edits the list
  for (Lru::iterator it : gone) drop(it);
  return gone.size();
}

void PulledTable::drop(Lru::iterator it) {
  used_ -= it->object->charge() + it->primary.size();
  auto found = by_primary_.find(it->primary);
  auto& slots = found->second;
  slots.erase(std::find(slots.begin(), slots.end(), it));
  if (slots.empty()) by_primary_.erase(found);
  lru_.erase(it);
}

}  // namespace relais::pull
