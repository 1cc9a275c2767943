// Helpers for the relais-sync integration tests (publish_test.cc, sync_cli_test.cc): running relais-sync,
// reading a published tree back, and decoding variants with the reference
// decoders (brotli, zstd, zlib) to compare them with the source bytes.
#pragma once

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "origin-sync/blob_path.h"
#include "origin-sync/manifest.h"
#include "tests/integration/harness/harness.h"

namespace relais::testing {

inline ProcessResult relais_sync(std::vector<std::string> args) {
  args.insert(args.begin(), RELAIS_SYNC_BIN);
  return run_process(args, std::chrono::seconds(120));
}

inline std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

inline Manifest read_published_manifest(const std::string& dir) {
  auto m = parse_manifest(read_file(dir + "/manifest"));
  if (!m) {
    ADD_FAILURE() << m.error().message;
    return {};
  }
  return std::move(m.value());
}

inline const ManifestEntry* find_entry(const Manifest& m, std::string_view path) {
  for (const auto& e : m.entries) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

inline std::string decode_variant(Encoding e, const std::string& bytes, std::size_t expected_size) {
  std::string out(expected_size + 1, '\0');  // +1: a longer output shows as a mismatch
  switch (e) {
    case Encoding::identity: return bytes;
    case Encoding::br: {
      std::size_t size = out.size();
      if (BrotliDecoderDecompress(bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data()), &size,
                                  reinterpret_cast<std::uint8_t*>(out.data())) != BROTLI_DECODER_RESULT_SUCCESS)
        return "<brotli decode error>";
      out.resize(size);
      return out;
    }
    case Encoding::zstd: {
      ZSTD_DCtx* dctx = ZSTD_createDCtx();
      ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 23);  // the browsers' limit
      const std::size_t n = ZSTD_decompressDCtx(dctx, out.data(), out.size(), bytes.data(), bytes.size());
      ZSTD_freeDCtx(dctx);
      if (ZSTD_isError(n)) return "<zstd decode error>";
      out.resize(n);
      return out;
    }
    case Encoding::gzip: {
      z_stream z{};
      if (inflateInit2(&z, 16 + 15) != Z_OK) return "<zlib init error>";
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
      z.avail_in = static_cast<uInt>(bytes.size());
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      const int rc = inflate(&z, Z_FINISH);
      out.resize(z.total_out);
      inflateEnd(&z);
      return rc == Z_STREAM_END ? out : "<gzip decode error>";
    }
  }
  return {};
}

// Every file under dir (recursively) whose name starts with ".tmp.".
inline std::vector<std::string> temp_files_under(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec); !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().starts_with(".tmp.")) found.push_back(it->path().string());
  }
  return found;
}

}  // namespace relais::testing
