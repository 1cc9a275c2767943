#include "origin-sync/manifest_delta.h"

#include <charconv>

namespace relais {
namespace {

// Canonical decimal, as every number of the manifest (MANIFEST.md).
bool parse_size(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Splits off the text before `sep`; the rest stays in `rest`. False if absent.
bool take(std::string_view& rest, char sep, std::string_view& field) {
  const auto pos = rest.find(sep);
  if (pos == std::string_view::npos) return false;
  field = rest.substr(0, pos);
  rest.remove_prefix(pos + 1);
  return true;
}

}  // namespace

void append_delta_record(std::string& out, const DeltaVariant& d) {
  out += kDeltaRecordKind;
  out += '\t';
  out += d.dictionary.hex();
  out += '\t';
  out += d.dictionary_blob.hex();
  out += '\t';
  out += kDictionaryDeltaEncoding;
  out += ':';
  out += d.hash.hex();
  out += ':';
  out += std::to_string(d.size);
  out += '\n';
}

bool parse_delta_record(std::string_view rest, DeltaVariant& out, std::string& what) {
  std::string_view sha, blob, encoding, hash;
  if (!take(rest, '\t', sha) || !take(rest, '\t', blob) || !take(rest, ':', encoding) || !take(rest, ':', hash)) {
    what = "delta record is not DICTIONARY-SHA256<TAB>DICTIONARY-BLOB<TAB>dcz:HASH:SIZE";
    return false;
  }
  auto dictionary = DictionaryHash::from_hex(sha);
  if (!dictionary) return what = "bad dictionary SHA-256", false;
  auto dictionary_blob = ContentHash::from_hex(blob);
  if (!dictionary_blob) return what = "bad dictionary blob hash", false;
  if (encoding != kDictionaryDeltaEncoding) return what = "delta encoding is not dcz", false;
  auto parsed = ContentHash::from_hex(hash);
  if (!parsed) return what = "bad hash", false;
  std::uint64_t size = 0;
  if (!parse_size(rest, size) || size == 0) return what = "bad size", false;
  out = DeltaVariant{*dictionary, *dictionary_blob, *parsed, size};
  return true;
}

}  // namespace relais
