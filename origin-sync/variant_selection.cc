#include "origin-sync/variant_selection.h"

#include "origin-sync/compressor.h"

namespace relais {

bool variant_worth_keeping(std::uint64_t identity_size, std::uint64_t variant_size) {
  if (variant_size >= identity_size) return false;
  const std::uint64_t saving = identity_size - variant_size;
  // saving / identity >= 5 %, in integers: no rounding, no overflow below 2^57.
  return saving >= kMinVariantSavingBytes && saving * 100 >= identity_size * kMinVariantSavingPercent;
}

bool should_try_variants(Compressibility compressibility, std::string_view content) {
  if (content.size() <= kMinVariantSavingBytes || content.size() > kMaxCompressedInputBytes) return false;
  switch (compressibility) {
    case Compressibility::always: return true;
    case Compressibility::never: return false;
    case Compressibility::probe: break;
  }
  const std::string_view sample = content.substr(0, kProbeSampleBytes);
  auto probe = compress_zstd(sample, kProbeZstdLevel);
  return probe.ok() && variant_worth_keeping(sample.size(), probe->size());
}

Result<std::vector<EncodedVariant>> build_variants(std::string_view content, Compressibility compressibility,
                                                   const CompressionLevels& levels) {
  std::vector<EncodedVariant> kept;
  if (!should_try_variants(compressibility, content)) return kept;
  for (Encoding e : {Encoding::br, Encoding::zstd, Encoding::gzip}) {
    auto bytes = compress(e, content, levels);
    if (!bytes) return bytes.error();
    if (variant_worth_keeping(content.size(), bytes->size())) kept.push_back({e, std::move(bytes.value())});
  }
  return kept;
}

}  // namespace relais
