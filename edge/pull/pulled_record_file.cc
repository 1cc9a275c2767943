#include "edge/pull/pulled_record_file.h"

#include <unistd.h>

#include <cerrno>
#include <memory>

#include "origin-sync/content_hash.h"

namespace relais::pull {
namespace {

// Feeds size bytes of in from offset to each hasher and, when out is not -1,
// appends them to out.
bool stream_body(int in, std::uint64_t offset, std::uint64_t size, ContentHasher& a, ContentHasher* b, int out) {
  const auto buffer = std::make_unique<char[]>(kChunkBytes);
  while (size > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, kChunkBytes));
    if (!read_at(in, buffer.get(), n, offset)) return false;
    a.update(buffer.get(), n);
    if (b != nullptr) b->update(buffer.get(), n);
    if (out >= 0 && !write_all(out, std::string_view(buffer.get(), n))) return false;
    offset += n;
    size -= n;
  }
  return true;
}

bool write_at(int fd, std::string_view bytes, std::uint64_t offset) {
  while (!bytes.empty()) {
    const ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

}  // namespace

bool read_at(int fd, char* out, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    const ssize_t n = ::pread(fd, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    out += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return true;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<FileHead> read_head(int fd, std::uint64_t size) {
  char fixed[kRecordHeaderBytes];
  if (!read_at(fd, fixed, sizeof fixed, 0)) return std::nullopt;
  const std::optional<RecordHeader> header = decode_record_header(std::string_view(fixed, sizeof fixed));
  if (!header || header->file_bytes() != size) return std::nullopt;
  FileHead out{*header, std::string(header->head_bytes, '\0'), {}};
  if (!read_at(fd, out.raw.data(), out.raw.size(), kRecordHeaderBytes)) return std::nullopt;
  std::optional<RecordHead> decoded = decode_record_head(out.raw);
  if (!decoded || !record_body_fits(*header, *decoded)) return std::nullopt;
  out.decoded = std::move(*decoded);
  return out;
}

bool body_matches(int fd, const FileHead& head) {
  ContentHasher hasher;
  hasher.update(head.raw.data(), head.raw.size());
  return stream_body(fd, head.body_start(), head.header.body_bytes, hasher, nullptr, -1) &&
         hasher.digest() == head.header.checksum;
}

std::optional<std::uint64_t> write_copied_record(int out, std::string_view primary, const PulledObject& object) {
  const PulledFile& source = *object.file;
  const OpenBlob& body = *source.body;
  const std::string head = encode_record_head(primary, object);
  ContentHasher fresh;
  fresh.update(head.data(), head.size());
  ContentHasher old;
  old.update(source.head.data(), source.head.size());
  // The header's place first, written last: a crash leaves a file whose
  // header is zeros (refused at the scan), never one that passes.
  const std::string zeros(kRecordHeaderBytes, '\0');
  if (!write_all(out, zeros) || !write_all(out, head)) return std::nullopt;
  if (!stream_body(body.fd.get(), body.start, body.size, old, &fresh, out)) return std::nullopt;
  if (old.digest() != source.checksum) return std::nullopt;
  if (!write_at(out, encode_record_header(head.size(), body.size, fresh.digest()), 0)) return std::nullopt;
  return kRecordHeaderBytes + head.size() + body.size;
}

}  // namespace relais::pull
