// PulledRecord: the on-disk form of one pulled object (pulled_disk.h), and
// its encoder and decoders. Pure functions over bytes: no I/O.
//
// A file is a fixed header, a head and the body:
//   magic "RLPULL1\n" (8) | head length u32 | reserved u32 | body length u64 |
//   checksum XXH3-128 of head + body (high u64, low u64)          = 40 bytes
//   head: primary key, secondary key, status, request and response times,
//         the stored fields (each a length-prefixed string; integers little-endian),
//         and optional tagged sections: a sliced head's slice size and length
//         (pull_slices.h), the coding and size of each coded variant (pull_compression.h)
//   body: the stored bytes, then each coded variant's (none for a sliced head; a
//         slice is a record of its own, status 206, under its slice key)
// What freshness needs (ResponseFacts) is read again from the stored fields
// at load, as plan_store() and freshen() read it (pulled_object.cc), so the
// file holds nothing a later version could disagree with.
//
// Trust: the disk is input. A head is decoded with bounds (kMaxHeadBytes,
// kMaxFields) and the size a file must have is known from its first 40
// bytes, so a truncated file is refused by its size alone; the checksum
// refuses a tampered or bit-rotted one before any byte of it is served.
// XXH3 detects corruption, it does not authenticate (content_hash.h): whoever
// can write the directory can make the edge serve anything.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "edge/pull/pulled_table.h"
#include "origin-sync/content_hash.h"

namespace relais::pull {

inline constexpr std::size_t kRecordHeaderBytes = 40;
// Stored fields come from an origin head of at most 64 KiB (origin_head.h)
// and keys of at most a few KiB: anything larger is not a file of ours.
inline constexpr std::uint32_t kMaxHeadBytes = 256u << 10;
inline constexpr std::uint32_t kMaxFields = 256;

// The fixed header and the head of object stored under primary; the parts
// of record_body_parts(object) follow it in the file.
std::string encode_record_prefix(std::string_view primary, const PulledObject& object);
// The body, then each coded variant's bytes (an object whose body is left in
// its file, PulledObject::file, has none here: pulled_record_file.h copies it).
std::vector<std::string_view> record_body_parts(const PulledObject& object);
// The two pieces of encode_record_prefix, for a body hashed as it is copied:
// the head, and the fixed header of a head and a body whose checksum is given.
std::string encode_record_head(std::string_view primary, const PulledObject& object);
std::string encode_record_header(std::size_t head_bytes, std::uint64_t body_bytes, const ContentHash& checksum);

// What the first kRecordHeaderBytes say.
struct RecordHeader {
  std::uint32_t head_bytes = 0;
  std::uint64_t body_bytes = 0;
  ContentHash checksum;
  std::uint64_t file_bytes() const { return kRecordHeaderBytes + head_bytes + body_bytes; }
};
std::optional<RecordHeader> decode_record_header(std::string_view bytes);

// A decoded head: the object without its body and coded variants, and
// their sizes.
struct RecordHead {
  struct CodedPart {
    Encoding encoding = Encoding::br;
    std::uint64_t bytes = 0;
  };
  std::string primary;
  PulledObject object;  // body and coded unset
  std::vector<CodedPart> coded;
};
// head: exactly header.head_bytes bytes, after the fixed header.
std::optional<RecordHead> decode_record_head(std::string_view head);

// Whether the header's body length holds what the head says is in it: a
// sliced head has no bytes of its own; coded variants, each smaller than the
// identity body before them.
bool record_body_fits(const RecordHeader& header, const RecordHead& head);
// The sizes of the parts after the head (record_body_parts' order); only for
// a head that fits.
std::vector<std::uint64_t> record_part_sizes(const RecordHeader& header, const RecordHead& head);
// The parts, read and checked, become head.object's body and coded variants.
void attach_parts(RecordHead& head, std::vector<std::shared_ptr<MemoryObject>> parts);

// The sizes and the checksum of a head and the body parts read separately.
bool record_checksum_matches(const RecordHeader& header, std::string_view head,
                             std::span<const std::string_view> parts);

// A whole file: the size, the checksum and the head checked; the object
// with its body, or nullopt.
std::optional<RecordHead> decode_record(std::string_view file);

}  // namespace relais::pull
