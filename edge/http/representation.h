// Representation: the catalog entry and variant a response is about, and the
// header fields that depend on it alone.
//
// Built once per request by the responder, on its stack. The ETag is
// formatted here (the catalog stores none: catalog.h), no allocation.
// full_representation_fields() is the one definition of what a 200 says
// about its representation; every protocol writer emits it, and HTTP/1's
// HeadCache keeps its serialised form per (entry, catalog, rule, variant).
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "edge/cache/catalog.h"
#include "origin-sync/dictionary_delta.h"
#include "origin-sync/manifest_delta.h"
#include "edge/http/http_date.h"
#include "edge/http/response.h"

namespace relais::http {

struct Representation {
  Representation(const CatalogEntry* e, std::string_view cc, std::uint64_t serial)
      : entry(e), cache_control(cc), catalog_serial(serial) {
    select(0);
  }
  void select(std::size_t v) {
    variant = v;
    tag = entity_tag(*entry, v);
  }
  // A dcz delta (dictionary_negotiation.h) replaces the chosen variant.
  void select_delta(const DeltaVariant& d) {
    delta = &d;
    delta_body = Variant{Encoding::identity, d.hash, d.size};
    tag = EntityTag{};
    tag.text[0] = '"';
    d.hash.write_hex(tag.text + 1);
    tag.text[ContentHash::kHexLength + 1] = '"';
    tag.size = ContentHash::kHexLength + 2;
  }
  // Back to the chosen variant (its blob could not be read).
  void drop_delta() {
    delta = nullptr;
    tag = entity_tag(*entry, variant);
  }
  bool has_variants() const { return entry->variants().size() > 1 || delta != nullptr; }
  const Variant& chosen() const { return delta != nullptr ? delta_body : entry->variants()[variant]; }
  std::string_view etag() const { return tag.view(); }
  // The Vary value when has_variants(): a delta varies on the dictionary too (RFC 9842 §6.2).
  std::string_view vary() const {
    return delta != nullptr ? std::string_view("accept-encoding, available-dictionary") : std::string_view("Accept-Encoding");
  }

  const CatalogEntry* entry = nullptr;
  std::size_t variant = 0;
  std::string_view cache_control;  // the rule's value: stable for the process
  std::uint64_t catalog_serial = 0;  // of the catalog entry belongs to
  EntityTag tag;
  const DeltaVariant* delta = nullptr;
  Variant delta_body;  // the delta's blob, for the cache
};

// Calls emit(const FieldName&, std::string_view) for each field of a full
// response that depends on the representation alone, in the order sent:
// Content-Type, Content-Length, Content-Encoding (not for identity),
// Last-Modified, ETag, Cache-Control, Vary (with siblings), Accept-Ranges,
// X-Content-Type-Options. Values live on this function's stack: emit copies.
template <class Emit>
void full_representation_fields(const Representation& rep, Emit&& emit) {
  const Variant& v = rep.chosen();
  emit(field::content_type, rep.entry->content_type());
  char digits[20];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, v.size);
  (void)ec;  // 20 digits always hold a uint64_t
  emit(field::content_length, std::string_view(digits, static_cast<std::size_t>(end - digits)));
  if (rep.delta != nullptr) {
    emit(field::content_encoding, kDictionaryDeltaEncoding);
  } else if (v.encoding != Encoding::identity) {
    emit(field::content_encoding, encoding_name(v.encoding));
  }
  char date[kHttpDateLength];
  format_http_date(rep.entry->last_modified(), date);
  emit(field::last_modified, std::string_view(date, kHttpDateLength));
  emit(field::etag, rep.etag());
  emit(field::cache_control, rep.cache_control);
  if (rep.has_variants()) emit(field::vary, rep.vary());
  emit(field::accept_ranges, std::string_view("bytes"));
  emit(field::nosniff, std::string_view("nosniff"));
}

}  // namespace relais::http
