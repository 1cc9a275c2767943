// PublicationState: the newest signed publication a store has accepted, so
// that an older one (a rollback or freeze attack replaying a manifest that
// was once validly signed) is refused, also after the edge restarts.
//
// Kept in STORE/.publication, written atomically (temp, fsync, rename, fsync
// the directory) by the pull that put the publication in the store, under
// the store's sync lock, after the manifest:
//   relais-publication<TAB>1
//   published<TAB>SECONDS
//   manifest<TAB>XXH3-128 of the manifest's bytes
// A crash between the manifest and this file leaves the older state, which
// the next pull of the same publication brings up to date. A file that
// cannot be parsed is an error (never "no state"): deleting it is an
// operator's decision, since it lowers the floor.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "origin-sync/content_hash.h"
#include "origin-sync/publication_check.h"
#include "origin-sync/result.h"

namespace relais {

inline constexpr std::string_view kPublicationStateFileName = ".publication";

struct PublicationState {
  std::int64_t published = 0;
  ContentHash manifest;  // XXH3-128 of the manifest's bytes

  friend bool operator==(const PublicationState&, const PublicationState&) = default;
};

// Nothing when the file does not exist; storage error when it is unreadable or malformed.
Result<std::optional<PublicationState>> read_publication_state(const std::string& store);
Status write_publication_state(const std::string& store, const PublicationState& state);

enum class PublicationOrder : unsigned char {
  newer,  // published later than the floor (or no floor): accept
  same,   // the very publication of the floor: a replay, nothing to do
};

// Origin error, not retryable, when `stamp` is older than the floor, or as
// old with other bytes (two different publications cannot share a time).
// A publication dated more than this ahead of the local clock is refused.
inline constexpr std::int64_t kMaxPublicationAhead = 86'400;
Result<PublicationOrder> order_against(const std::optional<PublicationState>& floor, const PublicationStamp& stamp,
                                       std::int64_t now = static_cast<std::int64_t>(std::time(nullptr)));

}  // namespace relais
