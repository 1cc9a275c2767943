#include "origin-sync/publication_state.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "origin-sync/atomic_file.h"
#include "origin-sync/canonical_number.h"

namespace relais {
namespace {

constexpr std::string_view kMagicLine = "relais-publication\t1";
// The file is three short lines; a larger one is not ours.
constexpr std::size_t kMaxStateBytes = 4096;

std::string state_path(const std::string& store) { return store + "/" + std::string(kPublicationStateFileName); }

std::string utc(std::int64_t seconds) {
  return std::to_string(seconds);
}

}  // namespace

Result<std::optional<PublicationState>> read_publication_state(const std::string& store) {
  const std::string path = state_path(store);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<PublicationState>();
    return Error::storage("cannot read " + path + ": " + std::strerror(errno));
  }
  std::string text(kMaxStateBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  const auto bad = [&] { return Error::storage(path + " is malformed (delete it only to accept any signed publication)"); };
  std::istringstream lines(text);
  std::string magic, published, manifest;
  if (text.size() > kMaxStateBytes || !std::getline(lines, magic) || !std::getline(lines, published) ||
      !std::getline(lines, manifest) || magic != kMagicLine || !published.starts_with("published\t") ||
      !manifest.starts_with("manifest\t"))
    return bad();
  auto p = parse_i64(std::string_view(published).substr(10));
  auto m = ContentHash::from_hex(std::string_view(manifest).substr(9));
  if (!p || !m) return bad();
  return std::optional(PublicationState{*p, *m});
}

Status write_publication_state(const std::string& store, const PublicationState& state) {
  return write_file_atomically(state_path(store), std::string(kMagicLine) + "\npublished\t" +
                                                      std::to_string(state.published) + "\nmanifest\t" +
                                                      state.manifest.hex() + "\n");
}

Result<PublicationOrder> order_against(const std::optional<PublicationState>& floor, const PublicationStamp& stamp,
                                       std::int64_t now) {
  // Accepted, a publication from the future would be the floor every later
  // one is refused against: a publisher with its clock years ahead (or a
  // stolen key) would freeze the edges until an operator edits the store.
  if (stamp.published > now + kMaxPublicationAhead)
    return Error::origin("publication of " + utc(stamp.published) + " is dated more than a day ahead of this clock (" +
                             utc(now) + "): refused (a publisher's clock set wrong?)",
                         /*retry=*/false);
  if (!floor || stamp.published > floor->published) return PublicationOrder::newer;
  if (stamp.published == floor->published && stamp.digest == floor->manifest) return PublicationOrder::same;
  if (stamp.published == floor->published)
    return Error::origin("rollback refused: another manifest with the publication time " + utc(stamp.published) +
                             " of the one accepted", /*retry=*/false);
  return Error::origin("rollback refused: publication of " + utc(stamp.published) +
                           " is older than the one accepted, of " + utc(floor->published), /*retry=*/false);
}

}  // namespace relais
