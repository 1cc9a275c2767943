// Fuzzes relais::parse_manifest. The manifest ends with a checksum line, so
// raw inputs rarely get past it: each input is also parsed with a correct
// "end" line appended, so the fuzzer explores the line grammar itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "origin-sync/content_hash.h"
#include "origin-sync/manifest.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

std::size_t count_file_lines(std::string_view body) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (pos < body.size()) {
    if (body.substr(pos, 5) == "file\t") ++n;
    const std::size_t lf = body.find('\n', pos);
    if (lf == std::string_view::npos) break;
    pos = lf + 1;
  }
  return n;
}

void check(std::string_view text) {
  const relais::Result<relais::Manifest> m = relais::parse_manifest(text);
  if (!m.ok()) {
    FUZZ_CHECK(!m.error().message.empty());
    return;
  }
  for (const relais::ManifestEntry& e : m->entries) {
    FUZZ_CHECK(relais::is_valid_manifest_path(e.path));
    FUZZ_CHECK(!e.variants.empty() && e.variants.front().encoding == relais::Encoding::identity);
  }
  // What we accept, we write back in a form we accept again, identically.
  const std::string again = relais::serialize_manifest(*m);
  const relais::Result<relais::Manifest> m2 = relais::parse_manifest(again);
  FUZZ_CHECK(m2.ok());
  FUZZ_CHECK(relais::serialize_manifest(*m2) == again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check(in);
  std::string fixed(in);
  if (!fixed.empty() && fixed.back() != '\n') fixed += '\n';
  const std::string checksum = relais::hash_bytes(std::string_view(fixed)).hex();
  fixed += "end\t" + std::to_string(count_file_lines(fixed)) + "\t" + checksum + "\n";
  check(fixed);
  return 0;
}
