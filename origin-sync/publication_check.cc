#include "origin-sync/publication_check.h"

#include <optional>

#include "origin-sync/canonical_number.h"
#include "origin-sync/manifest_trust.h"

namespace relais {
namespace {

// [start, end) of the line that ends just before `before` (an offset just
// past a LF, or the text's end); nullopt when there is none.
std::optional<std::pair<std::size_t, std::size_t>> line_before(std::string_view text, std::size_t before) {
  if (before == 0 || text[before - 1] != '\n') return std::nullopt;
  const std::size_t end = before - 1;
  const std::size_t start = end == 0 ? 0 : text.rfind('\n', end - 1) + 1;  // npos + 1 == 0
  return std::pair{start, end};
}

// The value of line `number` (1-based) if it is "NAME<TAB>VALUE".
std::optional<std::string_view> header_value(std::string_view text, int number, std::string_view name) {
  std::size_t start = 0;
  for (int i = 1; i < number; ++i) {
    const std::size_t eol = text.find('\n', start);
    if (eol == std::string_view::npos) return std::nullopt;
    start = eol + 1;
  }
  const std::size_t eol = text.find('\n', start);
  if (eol == std::string_view::npos) return std::nullopt;
  std::string_view line = text.substr(start, eol - start);
  if (!line.starts_with(name) || line.size() <= name.size() || line[name.size()] != '\t') return std::nullopt;
  return line.substr(name.size() + 1);
}

Error refused(const std::string& why) { return Error::origin(why, /*retry=*/false); }

}  // namespace

Result<PublicationStamp> verify_publication(std::string_view text, const TrustedKeys& keys) {
  const auto end_line = line_before(text, text.size());
  const auto signature_line = end_line ? line_before(text, end_line->first) : std::nullopt;
  std::optional<ManifestSignature> signature;
  std::string_view signature_text;
  if (signature_line) {
    signature_text = text.substr(signature_line->first, signature_line->second - signature_line->first);
    signature = parse_signature_record(signature_text);
  }
  // A damaged signature is not the same news as a publisher who never signs.
  if (!signature && signature_text.starts_with("signature\t"))
    return refused("manifest signature record is malformed (not signature<TAB>ed25519<TAB>KEYID<TAB>SIGNATURE): refused");
  if (!signature) return refused("manifest is not signed (a --trusted-key is set): refused");
  const PublicKey* key = keys.find(signature->key_id);
  if (key == nullptr)
    return refused("manifest is signed by key " + signature->key_id + ", which is not trusted (trusted: " + keys.ids() +
                   "): refused");
  const std::string_view signed_bytes = text.substr(0, signature_line->first);
  if (!key->verify(signed_bytes, signature->bytes))
    return refused("manifest signature does not verify with key " + signature->key_id +
                   " (tampered with, or signed over other bytes): refused");
  // From here on the bytes are the publisher's own.
  PublicationStamp stamp;
  stamp.key_id = signature->key_id;
  stamp.digest = hash_bytes(text);
  const auto expires_line = line_before(text, signature_line->first);
  std::optional<std::int64_t> expires;
  if (expires_line) {
    std::string_view line = text.substr(expires_line->first, expires_line->second - expires_line->first);
    if (line.starts_with("expires\t")) expires = parse_i64(line.substr(8));
  }
  auto generation = header_value(signed_bytes, 2, "generation");
  auto published = header_value(signed_bytes, 3, "published");
  std::optional<std::uint64_t> g = generation ? parse_u64(*generation) : std::nullopt;
  std::optional<std::int64_t> p = published ? parse_i64(*published) : std::nullopt;
  // A key that signed a malformed manifest: still refused as a whole.
  if (!expires || !g || !p) return refused("signed manifest lacks its generation, published or expires line: refused");
  stamp.generation = *g;
  stamp.published = *p;
  stamp.expires = *expires;
  return stamp;
}

}  // namespace relais
