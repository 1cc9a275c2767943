// The I/O of one pulled record file (pulled_record.h) for the disk tier
// (pulled_disk.h): its fixed header and head read from an open fd, its body
// checked against the record's checksum a chunk at a time, and a record
// written whose body is copied from another record's file.
//
// Bounds: a body is never read whole here: kChunkBytes at a time, into one
// buffer, so checking or copying a 1 GiB object costs 256 KiB of RAM. Reads
// are pread()s (the fd's offset is the sender's business: sendfile() takes
// its own offset). Whatever fails is false: the disk is input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "edge/pull/pulled_record.h"
#include "edge/pull/pulled_table.h"

namespace relais::pull {

inline constexpr std::size_t kChunkBytes = 256u << 10;

bool read_at(int fd, char* out, std::size_t size, std::uint64_t offset);
bool write_all(int fd, std::string_view bytes);

struct FileHead {
  RecordHeader header;
  std::string raw;  // the head's bytes, for the checksum
  RecordHead decoded;
  std::uint64_t body_start() const { return kRecordHeaderBytes + header.head_bytes; }
};

// The fixed header and the head of an open record file whose size is
// `size`; nullopt if they are not a record of that size.
std::optional<FileHead> read_head(int fd, std::uint64_t size);

// Whether the body after head in fd (every part: body and coded variants)
// matches the record's checksum, read a chunk at a time.
bool body_matches(int fd, const FileHead& head);

// Writes to out (an empty file) the record of object under primary whose body
// is object.file's: the head, the body copied a chunk at a time, and the
// fixed header last (its checksum is known once the body is read). The
// source is checked on the way against its own record's checksum: a file
// damaged since it was verified is not laundered under a fresh checksum.
// Returns the bytes written, or nullopt.
std::optional<std::uint64_t> write_copied_record(int out, std::string_view primary, const PulledObject& object);

}  // namespace relais::pull
