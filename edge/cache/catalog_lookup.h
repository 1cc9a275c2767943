// CatalogLookup: what serving a request asks of a catalog.
//
// The responder finds entries through this interface, not through Catalog,
// so that it can be tested against a fake and, later, against a per-site or
// pull-through catalog. Catalog implements it (final, so direct calls on a
// Catalog stay non-virtual). Lookups are read-only, take no lock and
// allocate nothing; an implementation is shared by every worker.
#pragma once

#include <cstdint>
#include <string_view>

namespace relais {

class CatalogEntry;

class CatalogLookup {
 public:
  virtual ~CatalogLookup() = default;

  // path: normalised request path without its leading '/'. Exact match; nullptr if absent.
  virtual const CatalogEntry* find(std::string_view path) const = 0;
  // dir ("" or "a/b/") + "index.html" + suffix (the allow-listed query or empty).
  virtual const CatalogEntry* find_index(std::string_view dir, std::string_view suffix) const = 0;
  // True if some entry lives under path + "/" (the edge answers 301 to "path/").
  virtual bool is_directory(std::string_view path) const = 0;
  // Unique per catalog built by this process: keys data derived from an
  // entry's address (an entry of a freed catalog must never match).
  virtual std::uint64_t serial() const = 0;
};

}  // namespace relais
