// Signed manifests for unit tests: fixed keys (RFC 8032's test secrets) and
// a trailer built from a Manifest, so a test can sign, tamper and re-sign.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "origin-sync/manifest.h"
#include "origin-sync/manifest_trust.h"
#include "origin-sync/signing_key.h"

namespace relais::test {

inline SigningKey fixed_key(int which) {
  static const char* const kSecrets[] = {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                                         "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                                         "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"};
  return SigningKey::from_raw(Sha256::from_hex(kSecrets[which]).value().bytes).value();
}

// The SHA-256 table of m's blobs, sorted; `sha` gives each blob's digest.
inline std::vector<BlobSha256> sha_table(const Manifest& m, const std::function<Sha256(const ContentHash&)>& sha) {
  std::vector<BlobSha256> t;
  for (const ManifestEntry& e : m.entries)
    for (const Variant& v : e.variants) t.push_back({v.hash, sha(v.hash)});
  auto less = [](const BlobSha256& a, const BlobSha256& b) {
    return a.blob.high != b.blob.high ? a.blob.high < b.blob.high : a.blob.low < b.blob.low;
  };
  std::sort(t.begin(), t.end(), less);
  t.erase(std::unique(t.begin(), t.end(), [](const BlobSha256& a, const BlobSha256& b) { return a.blob == b.blob; }),
          t.end());
  return t;
}

inline Sha256 fake_sha(const ContentHash& h) { return sha256_bytes(h.hex()); }

inline std::string sign_manifest(Manifest m, const SigningKey& key, std::int64_t expires,
                                 const std::function<Sha256(const ContentHash&)>& sha = fake_sha) {
  m.minor = kSignedManifestMinorVersion;
  std::string out;
  append_manifest_body(m, out);
  append_signed_trailer(out, sha_table(m, sha), expires, key);
  append_manifest_end(out, m.entries.size());
  return out;
}

// Replaces the end line so that the XXH3 checksum matches the edited text:
// what an attacker who cannot sign can still do.
inline std::string recompute_end(const std::string& text) {
  const std::size_t end_start = text.rfind('\n', text.size() - 2) + 1;
  const std::string body = text.substr(0, end_start);
  const std::string end_line = text.substr(end_start);
  const std::string count = end_line.substr(4, end_line.find('\t', 4) - 4);
  return body + "end\t" + count + "\t" + hash_bytes(body).hex() + "\n";
}

}  // namespace relais::test
