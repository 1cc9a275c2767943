#include "origin-sync/blob_gc.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "origin-sync/atomic_file.h"
#include "origin-sync/blob_path.h"
#include "origin-sync/hex.h"
#include "origin-sync/partial_blob.h"

namespace relais {
namespace {

std::string fanout_dir(const std::string& store, unsigned i) {
  return store + "/blobs/" + kLowerHexDigits[i >> 4] + kLowerHexDigits[i & 15];
}

// Calls each(name) for every entry of dir except "." and "..".
template <typename F>
void for_each_name(const std::string& dir, F&& each) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    each(name);
  }
  ::closedir(d);
}

UnreferencedSince read_record(const std::string& path) {
  UnreferencedSince record;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) continue;  // a damaged line only restarts that blob's clock
    auto hash = ContentHash::from_hex(std::string_view(line).substr(0, space));
    std::int64_t since = 0;
    const char* first = line.data() + space + 1;
    const char* last = line.data() + line.size();
    auto [ptr, ec] = std::from_chars(first, last, since);
    if (hash && ec == std::errc() && ptr == last) record[*hash] = since;
  }
  return record;
}

Status write_record(const std::string& path, const UnreferencedSince& record) {
  std::string text;
  for (const auto& [hash, since] : record) text += hash.hex() + " " + std::to_string(since) + "\n";
  return write_file_atomically(path, text);
}

}  // namespace

GcPlan plan_gc(const std::vector<ContentHash>& on_disk, const HashSet& referenced, const UnreferencedSince& previous,
               std::int64_t now, std::chrono::seconds grace) {
  GcPlan plan;
  for (const ContentHash& h : on_disk) {
    if (referenced.contains(h)) continue;
    auto it = previous.find(h);
    const std::int64_t since = it == previous.end() ? now : it->second;
    // A clock that went backwards (since > now) must not make anything look old.
    if (since <= now && now - since >= grace.count()) {
      plan.remove.push_back(h);
    } else {
      plan.record[h] = std::min(since, now);
    }
  }
  return plan;
}

std::uint64_t remove_stale_temp_files(const std::string& store_dir) {
  std::uint64_t removed = 0;
  auto sweep = [&](const std::string& dir) {
    std::vector<std::string> stale;
    for_each_name(dir, [&](std::string_view name) {
      if (name.starts_with(".tmp.") && !name.ends_with(kPartialSuffix)) stale.emplace_back(name);
    });
    for (const auto& name : stale) removed += ::unlink((dir + "/" + name).c_str()) == 0;
  };
  sweep(store_dir);
  for (unsigned i = 0; i < 256; ++i) sweep(fanout_dir(store_dir, i));
  return removed;
}

Result<GcReport> collect_garbage(const std::string& store_dir, const HashSet& referenced, std::int64_t now,
                                 std::chrono::seconds grace) {
  GcReport report;
  std::vector<ContentHash> on_disk;
  std::vector<std::string> stale_partials;
  for (unsigned i = 0; i < 256; ++i) {
    const std::string dir = fanout_dir(store_dir, i);
    for_each_name(dir, [&](std::string_view name) {
      if (auto h = ContentHash::from_hex(name)) {
        on_disk.push_back(*h);
      } else if (name.starts_with(".tmp.") && name.ends_with(kPartialSuffix)) {
        auto partial = ContentHash::from_hex(name.substr(5, ContentHash::kHexLength));
        if (!partial || !referenced.contains(*partial)) stale_partials.push_back(dir + "/" + std::string(name));
      }
    });
  }
  for (const auto& path : stale_partials) report.temp_files_removed += ::unlink(path.c_str()) == 0;
  report.temp_files_removed += remove_stale_temp_files(store_dir);

  const std::string record_path = store_dir + "/" + std::string(kUnreferencedFileName);
  GcPlan plan = plan_gc(on_disk, referenced, read_record(record_path), now, grace);
  for (const ContentHash& h : plan.remove) {
    const std::string path = blob_path(store_dir, h);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) report.bytes_removed += static_cast<std::uint64_t>(st.st_size);
    // Safe for responses in flight: they hold an open fd, and the inode lives on until it closes.
    if (::unlink(path.c_str()) == 0) ++report.blobs_removed;
  }
  report.blobs_waiting = plan.record.size();
  if (auto s = write_record(record_path, plan.record); !s) return s.error();
  return report;
}

}  // namespace relais
