#include "edge/server/publication_watch.h"

#include <ctime>

namespace relais {

std::optional<std::string> expired_text(const std::optional<CatalogLoader::Publication>& p, std::int64_t now) {
  if (!p || p->expires > now) return std::nullopt;
  return "publication expired " + std::to_string(now - p->expires) + " s ago (published " + std::to_string(p->published) +
         ", expired " + std::to_string(p->expires) + ")";
}

std::optional<std::string> PublicationWatch::check(const std::optional<CatalogLoader::Publication>& p, std::int64_t now) {
  const bool expired = p && p->expires <= now;
  if (expired == expired_) return std::nullopt;
  expired_ = expired;
  if (expired)
    return "the signed " + *expired_text(p, now) +
           " and no newer one could be had; still serving it (/healthz: degraded) until the origin offers a fresh publication";
  return "a fresh signed publication is in service (expires " + std::to_string(p ? p->expires : 0) + "); no longer degraded";
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

}  // namespace relais
