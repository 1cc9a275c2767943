#include "origin-sync/manifest_trust.h"

#include <algorithm>

#include "origin-sync/canonical_number.h"

namespace relais {
namespace {

bool hash_less(const ContentHash& a, const ContentHash& b) {
  return a.high != b.high ? a.high < b.high : a.low < b.low;
}

// Fields after the kind, split on TAB; nullopt when the count differs.
template <std::size_t N>
std::optional<std::array<std::string_view, N>> fields_of(std::string_view line) {
  std::array<std::string_view, N> out{};
  std::size_t pos = line.find('\t');
  for (std::size_t i = 0; i < N; ++i) {
    if (pos == std::string_view::npos) return std::nullopt;
    const std::size_t next = line.find('\t', pos + 1);
    out[i] = line.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    pos = next;
  }
  if (pos != std::string_view::npos) return std::nullopt;
  return out;
}

std::optional<Ed25519Signature> signature_from_hex(std::string_view hex) {
  // Sha256::from_hex parses 32 bytes of lower-case hex: two halves make 64.
  if (hex.size() != 2 * kEd25519SignatureBytes) return std::nullopt;
  auto first = Sha256::from_hex(hex.substr(0, Sha256::kHexLength));
  auto second = Sha256::from_hex(hex.substr(Sha256::kHexLength));
  if (!first || !second) return std::nullopt;
  Ed25519Signature out{};
  std::copy(first->bytes.begin(), first->bytes.end(), out.begin());
  std::copy(second->bytes.begin(), second->bytes.end(), out.begin() + 32);
  return out;
}

std::string signature_hex(const Ed25519Signature& s) {
  Sha256 first, second;
  std::copy(s.begin(), s.begin() + 32, first.bytes.begin());
  std::copy(s.begin() + 32, s.end(), second.bytes.begin());
  return first.hex() + second.hex();
}

bool valid_key_id(std::string_view id) {
  return id.size() == kKeyIdHexLength &&
         std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

const Sha256* ManifestTrust::sha256_of(const ContentHash& blob) const {
  auto it = std::lower_bound(sha256.begin(), sha256.end(), blob,
                             [](const BlobSha256& e, const ContentHash& h) { return hash_less(e.blob, h); });
  if (it == sha256.end() || !(it->blob == blob)) return nullptr;
  return &it->sha256;
}

std::optional<std::string> TrustRecordParser::record(std::string_view kind, std::string_view line, std::size_t offset) {
  if (kind == "sha256") {
    if (stage_ != Stage::none && stage_ != Stage::sha256) return "sha256 record after expires or signature";
    auto f = fields_of<2>(line);
    if (!f) return "sha256 record is not sha256<TAB>BLOB<TAB>SHA256";
    auto blob = ContentHash::from_hex((*f)[0]);
    auto sha = Sha256::from_hex((*f)[1]);
    // Lower case only: one spelling per manifest, as for the blob names.
    if (!blob || blob->hex() != (*f)[0] || !sha) return "bad hash in sha256 record";
    if (!trust_.sha256.empty() && !hash_less(trust_.sha256.back().blob, *blob))
      return "sha256 records are not sorted by blob, or repeat one";
    trust_.sha256.push_back({*blob, *sha});
    stage_ = Stage::sha256;
    return std::nullopt;
  }
  if (kind == "expires") {
    if (stage_ == Stage::expires || stage_ == Stage::signature) return "expires record repeated or after the signature";
    auto f = fields_of<1>(line);
    std::optional<std::int64_t> value;
    if (f) value = parse_i64((*f)[0]);
    if (!value) return "expires record is not expires<TAB>SECONDS";
    trust_.expires = *value;
    stage_ = Stage::expires;
    return std::nullopt;
  }
  // signature
  if (stage_ != Stage::expires) return "signature record must follow the expires record";
  auto signature = parse_signature_record(line);
  if (!signature) return "signature record is not signature<TAB>ed25519<TAB>KEYID<TAB>SIGNATURE";
  trust_.signature = std::move(*signature);
  trust_.signed_length = offset;
  stage_ = Stage::signature;
  return std::nullopt;
}

std::optional<std::string> TrustRecordParser::file_record() const {
  if (stage_ != Stage::none) return "file record after the signed trailer";
  return std::nullopt;
}

std::optional<std::string> TrustRecordParser::finish(std::span<const ContentHash> blobs, std::int64_t published) {
  if (stage_ == Stage::none) return std::nullopt;  // an unsigned manifest
  // The end line follows the signature directly: anything between would be unsigned.
  if (stage_ != Stage::signature) return "signed trailer without its signature record";
  if (*trust_.expires <= published) return "publication expires before it is published";
  if (trust_.sha256.size() != blobs.size()) return "sha256 records do not match the blobs of the file records";
  for (std::size_t i = 0; i < blobs.size(); ++i) {
    if (!(trust_.sha256[i].blob == blobs[i]))
      return "blob " + blobs[i].hex() + " has no sha256 record, or a sha256 record names no blob";
  }
  return std::nullopt;
}

std::optional<ManifestSignature> parse_signature_record(std::string_view line) {
  if (!line.starts_with("signature\t")) return std::nullopt;
  auto f = fields_of<3>(line);
  if (!f || (*f)[0] != "ed25519" || !valid_key_id((*f)[1])) return std::nullopt;
  auto sig = signature_from_hex((*f)[2]);
  if (!sig) return std::nullopt;
  return ManifestSignature{std::string((*f)[1]), *sig};
}

void append_signed_trailer(std::string& out, std::span<const BlobSha256> sha256, std::int64_t expires,
                           const SigningKey& key) {
  for (std::size_t i = 0; i < sha256.size(); ++i) {
    // Our own state: the publisher sorts and deduplicates.
    RELAIS_ASSERT(i == 0 || hash_less(sha256[i - 1].blob, sha256[i].blob));
    out += "sha256\t" + sha256[i].blob.hex() + '\t' + sha256[i].sha256.hex() + '\n';
  }
  out += "expires\t" + std::to_string(expires) + '\n';
  const Ed25519Signature signature = key.sign(out);
  out += "signature\ted25519\t" + key.key_id() + '\t' + signature_hex(signature) + '\n';
}

}  // namespace relais
