#include "edge/http/dictionary_negotiation.h"

#include <cstring>

#include "edge/http/ascii_case.h"

namespace relais::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// q=0 in any of its spellings (RFC 9110 §12.4.2: 0, 0., 0.0, 0.00, 0.000).
bool is_zero_q(std::string_view v) {
  if (v.empty() || v[0] != '0') return false;
  if (v.size() == 1) return true;
  if (v[1] != '.' || v.size() > 5) return false;
  for (std::size_t i = 2; i < v.size(); ++i)
    if (v[i] != '0') return false;
  return true;
}

bool is_loopback_host(std::string_view host) {
  // Host without its port; an IPv6 literal keeps its brackets.
  if (!host.empty() && host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
    return host == "[::1]";
  }
  host = host.substr(0, host.find(':'));
  return equals_ignore_case(host, "localhost") || host.starts_with("127.");
}

// The request path as a URLPattern that matches exactly it: percent-encoded
// so that no pattern syntax (* : { } ( ) + ? \\) and no quote survives.
// Written straight into the head: no allocation per response.
// Appends to a fixed buffer; remembers that something did not fit.
struct Appender {
  std::span<char> space;
  std::size_t used = 0;
  bool overflow = false;
  void raw(std::string_view s) {
    if (overflow || space.size() - used < s.size()) {
      overflow = true;
      return;
    }
    std::memcpy(space.data() + used, s.data(), s.size());
    used += s.size();
  }
};

// The path as a URLPattern pathname, inside an RFC 8941 string. Browsers
// send sub-delimiters and URLPattern's syntax characters in paths as they
// are: the latter (* : ( ) +) are escaped with a backslash (itself escaped
// for the sf-string), not percent-encoded, or the pattern would never match
// the request (found by the hostile review with Chromium). Everything else
// outside the unreserved set is percent-encoded, as browsers encode it.
void write_match_pattern(Appender& w, std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr std::string_view kAsIs = "-._~!$&'=,;@/";
  static constexpr std::string_view kSyntax = "*:()+";
  for (const char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        kAsIs.find(ch) != std::string_view::npos) {
      w.raw(std::string_view(&ch, 1));
    } else if (kSyntax.find(ch) != std::string_view::npos) {
      const char escaped[3] = {'\\', '\\', ch};
      w.raw(std::string_view(escaped, 3));
    } else {
      const char escaped[3] = {'%', kHex[c >> 4], kHex[c & 15]};
      w.raw(std::string_view(escaped, 3));
    }
  }
}

}  // namespace

bool DictionaryPolicy::offers(std::string_view request_path, std::string_view content_type) const {
  for (const std::string& p : path_prefixes)
    if (request_path.starts_with(p)) return true;
  for (const std::string& t : content_types)
    if (content_type.starts_with(t)) return true;
  return false;
}

std::optional<DictionaryHash> parse_available_dictionary(std::string_view value) {
  value = trim(value);
  constexpr std::size_t kBase64Length = 44;  // 32 bytes: 10 groups of 4, then 2 bytes as "xxx="
  if (value.size() != kBase64Length + 2 || value.front() != ':' || value.back() != ':') return std::nullopt;
  const std::string_view text = value.substr(1, kBase64Length);
  if (text[43] != '=') return std::nullopt;
  DictionaryHash h;
  std::size_t out = 0;
  for (std::size_t i = 0; i < kBase64Length; i += 4) {
    int v[4];
    const int chars = i + 4 == kBase64Length ? 3 : 4;
    for (int k = 0; k < chars; ++k) {
      v[k] = base64_value(text[i + k]);
      if (v[k] < 0) return std::nullopt;
    }
    const std::uint32_t group = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                                (static_cast<std::uint32_t>(v[2]) << 6) | (chars == 4 ? static_cast<std::uint32_t>(v[3]) : 0);
    h.bytes[out++] = static_cast<std::uint8_t>(group >> 16);
    h.bytes[out++] = static_cast<std::uint8_t>(group >> 8);
    if (chars == 4) {
      h.bytes[out++] = static_cast<std::uint8_t>(group);
    } else if ((group & 0xff) != 0) {
      return std::nullopt;  // RFC 4648 §3.5: the unused bits are zero in canonical base64
    }
  }
  return h;
}

bool accepts_coding(std::string_view accept_encoding, std::string_view coding) {
  while (!accept_encoding.empty()) {
    const auto comma = accept_encoding.find(',');
    std::string_view element = accept_encoding.substr(0, comma);
    accept_encoding = comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const auto semicolon = element.find(';');
    if (!equals_ignore_case(trim(element.substr(0, semicolon)), coding)) continue;
    if (semicolon == std::string_view::npos) return true;
    const std::string_view params = trim(element.substr(semicolon + 1));
    if (params.size() >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=')
      return !is_zero_q(trim(params.substr(2)));
    return true;
  }
  return false;
}

bool secure_context(bool tls, std::string_view host) { return tls || is_loopback_host(host); }

DictionaryOffer negotiate_dictionary(const DictionaryPolicy& policy, const Request& request, const CatalogEntry& entry,
                                     std::string_view request_path, bool secure) {
  DictionaryOffer offer;
  if (!secure) return offer;
  offer.request_path = request_path;
  offer.offer = policy.offers(request_path, entry.content_type());
  offer.varies = !entry.deltas().empty();
  if (!offer.varies || !accepts_coding(request.accept_encoding, "dcz")) return offer;
  // Found by a linear scan of the headers only for an entry with deltas and
  // a client that takes dcz: the parser keeps no slot for this header.
  std::optional<DictionaryHash> available;
  for (std::size_t i = 0; i < request.header_count; ++i) {
    if (equals_ignore_case(request.headers[i].name, "available-dictionary")) {
      available = parse_available_dictionary(request.headers[i].value);
      break;
    }
  }
  if (!available) return offer;
  for (const DeltaVariant& d : entry.deltas()) {
    if (d.dictionary == *available) {
      offer.delta = &d;
      break;
    }
  }
  return offer;
}

void add_dictionary_fields(Response& r, const DictionaryOffer& offer, const CatalogEntry& entry,
                           std::span<char, kUseAsDictionaryMax> value_space) {
  if (offer.varies && offer.delta == nullptr) r.add(field::vary, "available-dictionary");
  if (!offer.offer) return;
  // RFC 9842 §2.1: an sf-dictionary; the id comes back in Dictionary-ID
  // and names the version (its identity hash), so a log shows which one a
  // client held.
  char id[ContentHash::kHexLength];
  entry.variants()[0].hash.write_hex(id);
  Appender w{value_space};
  w.raw("match=\"");
  write_match_pattern(w, offer.request_path);
  w.raw("\", id=\"");
  w.raw(std::string_view(id, sizeof id));
  w.raw("\"");
  if (!w.overflow) r.add(field::use_as_dictionary, std::string_view(value_space.data(), w.used));
}

}  // namespace relais::http
