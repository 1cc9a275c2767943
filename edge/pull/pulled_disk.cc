#include "edge/pull/pulled_disk.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "edge/cache/freshness/secondary_key.h"
#include "edge/pull/pulled_record.h"
#include "edge/pull/pulled_record_file.h"

namespace relais::pull {
namespace {

constexpr std::string_view kSuffix = ".pull";
constexpr std::string_view kTempPrefix = ".tmp.";

std::uint64_t queued_size(const PulledObject& object) { return object.charge(); }

}  // namespace

std::string disk_site_label(std::string_view site_name) { return site_name.empty() ? "-" : std::string(site_name); }

Result<std::unique_ptr<PulledDisk>> PulledDisk::open(PulledDiskSettings settings) {
  // The directory itself only: a missing parent is a wrong path, not one to create.
  if (::mkdir(settings.dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Error::storage("cannot create " + settings.dir + ": " + std::strerror(errno));
  UniqueFd lock(::open(settings.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!lock.valid()) return Error::storage("cannot open " + settings.dir + ": " + std::strerror(errno));
  // Two processes writing one index would evict each other's files unseen.
  if (::flock(lock.get(), LOCK_EX | LOCK_NB) != 0)
    return Error::storage(settings.dir + " is locked by another process (" + std::strerror(errno) + ")");
  std::unique_ptr<PulledDisk> disk(new PulledDisk(std::move(settings), std::move(lock)));
  disk->scan_directory();
  disk->writer_ = std::thread([d = disk.get()] { d->run_writer(); });
  return disk;
}

PulledDisk::PulledDisk(PulledDiskSettings settings, UniqueFd lock)
    : settings_(std::move(settings)), lock_(std::move(lock)), index_(settings_.capacity_bytes) {}

PulledDisk::~PulledDisk() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

std::string PulledDisk::file_of(const ContentHash& key) const {
  std::string path = settings_.dir;
  path.push_back('/');
  path.append(key.hex()).append(kSuffix);
  return path;
}

void PulledDisk::scan_directory() {
  std::error_code ec;
  std::filesystem::directory_iterator it(settings_.dir, ec);
  std::uint64_t seen = 0;
  std::vector<ContentHash> evicted;
  for (; !ec && it != std::filesystem::directory_iterator() && seen < settings_.max_scanned_files;
       it.increment(ec), ++seen) {
    const std::string name = it->path().filename().string();
    const std::string path = it->path().string();
    if (name.starts_with(kTempPrefix)) {
      // A write a stop or a crash interrupted.
      if (::unlink(path.c_str()) == 0) ++scan_.removed;
      continue;
    }
    if (!name.ends_with(kSuffix)) continue;  // not ours: left alone
    const std::optional<ContentHash> key = ContentHash::from_hex(name.substr(0, name.size() - kSuffix.size()));
    if (!key) continue;
    // O_NONBLOCK: a FIFO put in place of a record would block open() (the
    // start-up, or a worker's loop) until someone writes to it.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    struct stat st {};
    std::optional<FileHead> head;
    if (fd.valid() && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode))
      head = read_head(fd.get(), static_cast<std::uint64_t>(st.st_size));
    // A file whose size or head is wrong, or named after another key, is
    // never served; its body's checksum is checked when it is read.
    if (!head || PulledDiskIndex::key_of(head->decoded.primary, head->decoded.object.secondary) != *key) {
      // (A directory is left alone, and not counted.)
      if (::unlink(path.c_str()) == 0) ++scan_.removed;
      continue;
    }
    DiskEntry entry{head->decoded.primary, head->decoded.object.secondary, head->decoded.object.stored.facts.vary,
                    static_cast<std::uint64_t>(st.st_size), 0, false, head->decoded.object.stored.times.response_time};
    if (!index_.insert(std::move(entry), evicted)) evicted.push_back(*key);
  }
  for (const ContentHash& k : evicted) ::unlink(file_of(k).c_str());
  scan_.removed += evicted.size();
  scan_.objects = index_.objects();
  scan_.bytes = index_.used_bytes();
  std::lock_guard lock(mutex_);
  publish_sizes();
}

void PulledDisk::store(const std::string& primary, PulledRef object) {
  const std::uint64_t size = queued_size(*object);
  if (size > settings_.capacity_bytes) return;  // the index would refuse it
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queued_bytes_ + size > settings_.max_queued_bytes) {
      ++stats_.dropped;
      return;
    }
    queue_.push_back(Pending{primary, std::move(object)});
    queued_bytes_ += size;
    ++queued_per_primary_[primary];
  }
  wake_.notify_one();
}

void PulledDisk::run_writer() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued is written
    Pending item = std::move(queue_.front());
    queue_.pop_front();
    unqueued(item);
    writing_ = true;
    current_purged_ = false;
    current_primary_ = item.primary;
    current_ = item.object;
    lock.unlock();
    write(item);
    item.object.reset();
    lock.lock();
    current_.reset();
    writing_ = false;
    if (queue_.empty()) written_.notify_all();
  }
}

void PulledDisk::write(const Pending& item) {
  const PulledObject& object = *item.object;
  const ContentHash key = PulledDiskIndex::key_of(item.primary, object.secondary);
  const std::string final_path = file_of(key);
  const std::string temp_path = settings_.dir + "/" + std::string(kTempPrefix) + key.hex();
  std::uint64_t bytes = 0;
  bool ok = false;
  {
    // A new regular file of ours: whatever else holds the name (a FIFO, a
    // file someone else keeps open) goes first.
    ::unlink(temp_path.c_str());
    UniqueFd fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644));
    if (object.file != nullptr) {
      // A body left in its file (a 304 freshened a large disk hit): copied
      // from the old record, checked on the way.
      const std::optional<std::uint64_t> copied = fd.valid() ? write_copied_record(fd.get(), item.primary, object)
                                                             : std::nullopt;
      ok = copied.has_value();
      bytes = copied.value_or(0);
    } else {
      const std::string prefix = encode_record_prefix(item.primary, object);
      bytes = prefix.size();
      ok = fd.valid() && write_all(fd.get(), prefix);
      for (std::string_view part : record_body_parts(object)) {
        ok = ok && write_all(fd.get(), part);
        bytes += part.size();
      }
    }
    // The data reaches the disk before its name does: a crash leaves the old
    // file or the whole new one (and a torn one fails its size or checksum).
    ok = ok && ::fdatasync(fd.get()) == 0;
  }
  if (!ok) {
    if (stats_.write_failures.fetch_add(1) == 0)
      std::fprintf(stderr, "relais-edge: pull-disk-dir %s: cannot write %s: %s (counted from now on)\n",
                   settings_.dir.c_str(), temp_path.c_str(), std::strerror(errno));
    ::unlink(temp_path.c_str());
    if (object.file != nullptr) {
      // The copy's source failed its check (or could not be read): the
      // record it came from is not served again (at worst a miss).
      std::lock_guard lock(mutex_);
      if (index_.entry(key) != nullptr) {
        index_.erase(key);
        ::unlink(final_path.c_str());
        publish_sizes();
      }
    }
    return;
  }
  std::lock_guard lock(mutex_);
  // Renamed under the lock: a load never sees a name whose index entry
  // describes another file, and a purge that came meanwhile wins.
  if (current_purged_ || ::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    ::unlink(temp_path.c_str());
    return;
  }
  std::vector<ContentHash> evicted;
  // Verified: these are the bytes we stored (or checked while copying them).
  DiskEntry entry{item.primary, object.secondary, object.stored.facts.vary, bytes, 0, true,
                  object.stored.times.response_time};
  if (index_.insert(std::move(entry), evicted)) {
    ++stats_.writes;
  } else {
    ::unlink(final_path.c_str());
  }
  unlink_keys(evicted);
  publish_sizes();
}

PulledRef PulledDisk::load(const std::string& primary, freshness::Fields request_fields, std::uint64_t file_min) {
  ContentHash key;
  DiskEntry entry;
  UniqueFd fd;
  {
    std::lock_guard lock(mutex_);
    // Queued for the writer first: another worker fetched or refreshed it a
    // moment ago, and what is queued is newer than what is indexed. Found
    // here, it costs this worker no origin request (each worker has a table
    // of its own; the disk tier is what they share).
    if (PulledRef waiting = queued(primary, [&](const PulledObject& o) {
          const std::optional<std::string> wanted = freshness::secondary_key(o.stored.facts.vary, request_fields);
          return wanted && *wanted == o.secondary;
        })) {
      return waiting;
    }
    const std::optional<ContentHash> found = index_.find(primary, request_fields);
    if (!found) return nullptr;
    key = *found;
    entry = *index_.entry(key);
    // Opened under the lock: an eviction after it unlinks a file we still read.
    fd.reset(::open(file_of(key).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  }
  struct stat st {};
  std::optional<FileHead> head;
  // The size the index knows, at every open: a file cut since it was
  // verified is refused here (and one cut while it is sent ends that
  // response with a reset: connection_write.cc).
  if (fd.valid() && ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) == entry.bytes)
    head = read_head(fd.get(), entry.bytes);
  if (head && head->decoded.primary == primary && head->decoded.object.secondary == entry.secondary) {
    if (head->header.body_bytes > file_min && head->decoded.coded.empty() && !head->decoded.object.sliced()) {
      if (PulledRef object = as_file(key, entry, std::move(fd), st, std::move(*head))) return object;
    } else if (PulledRef object = read_whole(key, entry, fd.get(), std::move(*head))) {
      return object;
    }
  }
  // Truncated, tampered, gone: never served, and removed unless a newer
  // write replaced it meanwhile.
  ++stats_.rejected;
  std::lock_guard lock(mutex_);
  const DiskEntry* now = index_.entry(key);
  if (now != nullptr && now->generation == entry.generation) {
    index_.erase(key);
    ::unlink(file_of(key).c_str());
    publish_sizes();
  }
  return nullptr;
}

PulledRef PulledDisk::read_whole(const ContentHash& key, const DiskEntry& entry, int fd, FileHead head) {
  // The body and each coded variant into a buffer of its own, as the table
  // holds them: no copy after the read.
  std::vector<std::shared_ptr<MemoryObject>> parts;
  std::vector<std::string_view> views;
  std::uint64_t offset = head.body_start();
  bool read = true;
  for (const std::uint64_t size : record_part_sizes(head.header, head.decoded)) {
    parts.push_back(std::make_shared<MemoryObject>());
    parts.back()->bytes.resize(size);
    read = read && read_at(fd, parts.back()->bytes.data(), size, offset);
    views.emplace_back(parts.back()->bytes);
    offset += size;
  }
  if (!read || !record_checksum_matches(head.header, head.raw, views)) return nullptr;
  remember_verified(key, entry);
  attach_parts(head.decoded, std::move(parts));
  ++stats_.hits;
  return std::make_shared<const PulledObject>(std::move(head.decoded.object));
}

PulledRef PulledDisk::as_file(const ContentHash& key, const DiskEntry& entry, UniqueFd fd, const struct stat& st,
                              FileHead head) {
  if (!entry.verified) {
    // Found by the start-up scan: read through once (a chunk at a time, no
    // copy kept) before any byte of it is sent, then remembered.
    if (!body_matches(fd.get(), head)) return nullptr;
    ++stats_.verified;
    remember_verified(key, entry);
  }
  auto blob = std::make_shared<OpenBlob>();
  blob->fd = std::move(fd);
  blob->size = head.header.body_bytes;
  blob->start = head.body_start();
  blob->hash = key;
  blob->identity = FileIdentity{st.st_dev, st.st_ino};
  auto file = std::make_shared<PulledFile>();
  file->body = std::move(blob);
  file->head = std::move(head.raw);
  file->checksum = head.header.checksum;
  PulledObject object = std::move(head.decoded.object);
  object.body = std::make_shared<const MemoryObject>();
  object.file = std::move(file);
  ++stats_.hits;
  ++stats_.file_hits;
  return std::make_shared<const PulledObject>(std::move(object));
}

void PulledDisk::remember_verified(const ContentHash& key, const DiskEntry& entry) {
  if (entry.verified) return;
  std::lock_guard lock(mutex_);
  index_.mark_verified(key, entry.generation);
}

std::size_t PulledDisk::purge(std::string_view primary, bool prefix) {
  std::lock_guard lock(mutex_);
  const std::vector<ContentHash> gone = index_.purge(primary, prefix);
  for (const ContentHash& k : gone) ::unlink(file_of(k).c_str());
  std::erase_if(queue_, [&](const Pending& p) {
    if (!purge_matches(p.primary, primary, prefix)) return false;
    unqueued(p);
    return true;
  });
  if (writing_ && purge_matches(current_primary_, primary, prefix)) current_purged_ = true;
  publish_sizes();
  return gone.size();
}

void PulledDisk::invalidate(const std::string& primary) {
  std::lock_guard lock(mutex_);
  for (const ContentHash& k : index_.invalidate(primary)) ::unlink(file_of(k).c_str());
  std::erase_if(queue_, [&](const Pending& p) {
    if (p.primary != primary) return false;
    unqueued(p);
    return true;
  });
  if (writing_ && current_primary_ == primary) current_purged_ = true;
  publish_sizes();
}

void PulledDisk::drop(const std::string& primary, std::string_view secondary) {
  std::lock_guard lock(mutex_);
  const ContentHash key = PulledDiskIndex::key_of(primary, secondary);
  if (index_.entry(key) != nullptr) {
    index_.erase(key);
    ::unlink(file_of(key).c_str());
  }
  std::erase_if(queue_, [&](const Pending& p) {
    if (p.primary != primary || p.object->secondary != secondary) return false;
    unqueued(p);
    return true;
  });
  // A write of that path in progress is not indexed (at worst a miss later).
  if (writing_ && current_primary_ == primary) current_purged_ = true;
  publish_sizes();
}

bool PulledDisk::newer(const std::string& primary, std::string_view secondary, std::int64_t response_time) {
  std::lock_guard lock(mutex_);
  const DiskEntry* e = index_.entry(PulledDiskIndex::key_of(primary, secondary));
  if (e != nullptr && e->response_time > response_time) return true;
  return queued(primary, [&](const PulledObject& o) {
           return o.secondary == secondary && o.stored.times.response_time > response_time;
         }) != nullptr;
}

PulledRef PulledDisk::pending(const std::string& primary, std::string_view secondary) {
  std::lock_guard lock(mutex_);
  return queued(primary, [&](const PulledObject& o) { return o.secondary == secondary; });
}

template <typename Match>
PulledRef PulledDisk::queued(const std::string& primary, const Match& match) const {
  // Every disk load asks, and the queue may hold thousands of small objects:
  // it is walked only when it holds one of this primary.
  if (queued_per_primary_.contains(primary)) {
    // The newest first: a key queued twice (a 304's rewrite) is its last version.
    for (auto it = queue_.rbegin(); it != queue_.rend(); ++it)
      if (it->primary == primary && match(*it->object)) return it->object;
  }
  if (current_ != nullptr && !current_purged_ && current_primary_ == primary && match(*current_)) return current_;
  return nullptr;
}

void PulledDisk::unqueued(const Pending& item) {
  queued_bytes_ -= queued_size(*item.object);
  auto it = queued_per_primary_.find(item.primary);
  if (it != queued_per_primary_.end() && --it->second == 0) queued_per_primary_.erase(it);
}

bool PulledDisk::contains(const std::string& primary, std::string_view secondary) {
  std::lock_guard lock(mutex_);
  return index_.entry(PulledDiskIndex::key_of(primary, secondary)) != nullptr;
}

void PulledDisk::flush() {
  std::unique_lock lock(mutex_);
  written_.wait(lock, [this] { return queue_.empty() && !writing_; });
}

void PulledDisk::unlink_keys(const std::vector<ContentHash>& keys) {
  for (const ContentHash& k : keys) ::unlink(file_of(k).c_str());
  stats_.evictions += keys.size();
}

void PulledDisk::publish_sizes() {
  stats_.objects = index_.objects();
  stats_.used_bytes = index_.used_bytes();
}

}  // namespace relais::pull
