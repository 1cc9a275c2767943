// PublicationWatch: notices when the signed publication in service expires
// (a freeze: the origin keeps offering the same manifest, or none) and when
// a fresh one replaces it, so that each change is one log line, not one per
// second. The edge keeps serving the expired publication: a pupil gets the
// last authentic lesson; /healthz says "degraded" and /metrics shows its age.
// Called once a second from the edge's main thread; `now` is passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "edge/server/catalog_loader.h"

namespace relais {

class PublicationWatch {
 public:
  // A line to log when the state changed since the last call, else nothing.
  std::optional<std::string> check(const std::optional<CatalogLoader::Publication>& in_service, std::int64_t now);

 private:
  bool expired_ = false;
};

// "publication expired N s ago (published P, expired E)" when it has, else nothing.
std::optional<std::string> expired_text(const std::optional<CatalogLoader::Publication>& in_service, std::int64_t now);

std::int64_t unix_now();

}  // namespace relais
