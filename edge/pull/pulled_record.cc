#include "edge/pull/pulled_record.h"

#include <cstring>

#include "edge/cache/freshness/response_facts.h"
#include "edge/pull/pulled_response.h"

namespace relais::pull {
namespace {

constexpr std::string_view kMagic = "RLPULL1\n";
// After the fields of a sliced head only (pull_slices.h): the tag, then the
// slice size and the representation's length. A record without it is a whole
// response, as every record was before slices went to disk; an older edge
// refuses a record with it (its head has bytes left), never serving a sliced
// head's empty body as the whole object.
constexpr std::uint32_t kSlicedTag = 0x43494c53;  // "SLIC" as stored (little-endian)
// After the fields of an object with coded variants (pull_compression.h):
// the tag, their count, and each one's coding and size; their bytes follow
// the body's, under the same checksum.
constexpr std::uint32_t kCodedTag = 0x45444f43;  // "CODE"

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_text(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

// Reads little-endian integers and length-prefixed strings; any read past
// the end leaves it failed (and every later read empty).
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  std::uint64_t u(int width) {
    if (failed_ || rest_.size() < static_cast<std::size_t>(width)) return fail();
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) v |= std::uint64_t{static_cast<unsigned char>(rest_[i])} << (8 * i);
    rest_.remove_prefix(width);
    return v;
  }
  std::string text() {
    const std::uint64_t n = u(4);
    if (failed_ || rest_.size() < n) {
      fail();
      return {};
    }
    std::string s(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return s;
  }
  bool done() const { return !failed_ && rest_.empty(); }
  bool failed() const { return failed_; }

 private:
  std::uint64_t fail() {
    failed_ = true;
    return 0;
  }
  std::string_view rest_;
  bool failed_ = false;
};

ContentHash checksum_of(std::string_view head, std::span<const std::string_view> parts) {
  ContentHasher hasher;
  hasher.update(head.data(), head.size());
  for (std::string_view part : parts) hasher.update(part.data(), part.size());
  return hasher.digest();
}

std::uint64_t total_of(std::span<const std::string_view> parts) {
  std::uint64_t n = 0;
  for (std::string_view part : parts) n += part.size();
  return n;
}

// The optional sections after the fields, each at most once; false: not a head of ours.
bool read_sections(Reader& r, RecordHead& out) {
  while (!r.failed() && !r.done()) {
    const std::uint64_t tag = r.u(4);
    if (tag == kSlicedTag && !out.object.sliced()) {
      out.object.slice_size = r.u(8);
      out.object.length = r.u(8);
      // A head of a 200 whose slices hold at least one byte.
      if (out.object.slice_size == 0 || out.object.length == 0 || out.object.status != 200) return false;
    } else if (tag == kCodedTag && out.coded.empty()) {
      const std::uint64_t count = r.u(4);
      if (count == 0 || count >= static_cast<std::uint64_t>(kEncodingCount)) return false;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t coding = r.u(4);
        // A known coding, not identity, in Encoding order (coded_variants.h: at most one each).
        const std::uint64_t after = out.coded.empty() ? 0 : static_cast<std::uint64_t>(out.coded.back().encoding);
        if (coding <= after || coding >= static_cast<std::uint64_t>(kEncodingCount)) return false;
        out.coded.push_back({static_cast<Encoding>(coding), r.u(8)});
      }
    } else {
      return false;
    }
  }
  return r.done();
}

}  // namespace

std::string encode_record_head(std::string_view primary, const PulledObject& object) {
  std::string head;
  put_text(head, primary);
  put_text(head, object.secondary);
  put_u32(head, static_cast<std::uint32_t>(object.status));
  put_u64(head, static_cast<std::uint64_t>(object.stored.times.request_time));
  put_u64(head, static_cast<std::uint64_t>(object.stored.times.response_time));
  put_u32(head, static_cast<std::uint32_t>(object.fields.size()));
  for (const freshness::StoredField& f : object.fields) {
    put_text(head, f.name);
    put_text(head, f.value);
  }
  if (object.sliced()) {
    put_u32(head, kSlicedTag);
    put_u64(head, object.slice_size);
    put_u64(head, object.length);
  }
  if (object.coded != nullptr && !object.coded->bodies.empty()) {
    put_u32(head, kCodedTag);
    put_u32(head, static_cast<std::uint32_t>(object.coded->bodies.size()));
    for (const CodedBody& c : object.coded->bodies) {
      put_u32(head, static_cast<std::uint32_t>(c.encoding));
      put_u64(head, c.body->bytes.size());
    }
  }
  return head;
}

std::string encode_record_header(std::size_t head_bytes, std::uint64_t body_bytes, const ContentHash& checksum) {
  std::string out(kMagic);
  put_u32(out, static_cast<std::uint32_t>(head_bytes));
  put_u32(out, 0);
  put_u64(out, body_bytes);
  put_u64(out, checksum.high);
  put_u64(out, checksum.low);
  return out;
}

std::string encode_record_prefix(std::string_view primary, const PulledObject& object) {
  const std::string head = encode_record_head(primary, object);
  const std::vector<std::string_view> parts = record_body_parts(object);
  std::string out = encode_record_header(head.size(), total_of(parts), checksum_of(head, parts));
  out.append(head);
  return out;
}

std::optional<RecordHeader> decode_record_header(std::string_view bytes) {
  if (bytes.size() < kRecordHeaderBytes || !bytes.starts_with(kMagic)) return std::nullopt;
  Reader r(bytes.substr(kMagic.size(), kRecordHeaderBytes - kMagic.size()));
  RecordHeader h;
  h.head_bytes = static_cast<std::uint32_t>(r.u(4));
  const std::uint64_t reserved = r.u(4);
  h.body_bytes = r.u(8);
  h.checksum.high = r.u(8);
  h.checksum.low = r.u(8);
  // A body over 1 TiB is no object of ours (pull-object-max is at most 1 GiB).
  if (!r.done() || reserved != 0 || h.head_bytes > kMaxHeadBytes || h.body_bytes > (1ull << 40)) return std::nullopt;
  return h;
}

std::optional<RecordHead> decode_record_head(std::string_view head) {
  Reader r(head);
  RecordHead out;
  out.primary = r.text();
  out.object.secondary = r.text();
  const std::uint64_t status = r.u(4);
  out.object.stored.times.request_time = static_cast<std::int64_t>(r.u(8));
  out.object.stored.times.response_time = static_cast<std::int64_t>(r.u(8));
  const std::uint64_t count = r.u(4);
  if (r.failed() || status < 100 || status > 999 || count > kMaxFields || out.primary.empty()) return std::nullopt;
  out.object.status = static_cast<int>(status);
  out.object.fields.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    freshness::StoredField f;
    f.name = r.text();
    f.value = r.text();
    out.object.fields.push_back(std::move(f));
  }
  if (!read_sections(r, out)) return std::nullopt;
  out.object.stored.facts = freshness::read_response_facts(out.object.status, field_views(out.object.fields),
                                                           out.object.stored.times.response_time);
  return out;
}

std::vector<std::string_view> record_body_parts(const PulledObject& object) {
  std::vector<std::string_view> parts;
  parts.push_back(object.body != nullptr ? std::string_view(object.body->bytes) : std::string_view());
  if (object.coded != nullptr)
    for (const CodedBody& c : object.coded->bodies) parts.emplace_back(c.body->bytes);
  return parts;
}

bool record_checksum_matches(const RecordHeader& header, std::string_view head,
                             std::span<const std::string_view> parts) {
  return head.size() == header.head_bytes && total_of(parts) == header.body_bytes &&
         checksum_of(head, parts) == header.checksum;
}

bool record_body_fits(const RecordHeader& header, const RecordHead& head) {
  if (head.object.sliced()) return header.body_bytes == 0 && head.coded.empty();
  std::uint64_t coded = 0;
  for (const RecordHead::CodedPart& c : head.coded) {
    if (c.bytes == 0 || c.bytes > header.body_bytes) return false;
    coded += c.bytes;
  }
  if (coded > header.body_bytes) return false;
  // pull_compression.h keeps a variant only when it is smaller than the identity.
  for (const RecordHead::CodedPart& c : head.coded)
    if (c.bytes >= header.body_bytes - coded) return false;
  return true;
}

std::vector<std::uint64_t> record_part_sizes(const RecordHeader& header, const RecordHead& head) {
  std::vector<std::uint64_t> sizes{header.body_bytes};
  for (const RecordHead::CodedPart& c : head.coded) {
    sizes.front() -= c.bytes;
    sizes.push_back(c.bytes);
  }
  return sizes;
}

void attach_parts(RecordHead& head, std::vector<std::shared_ptr<MemoryObject>> parts) {
  head.object.body = std::move(parts.front());
  if (head.coded.empty()) return;
  auto coded = std::make_shared<CodedVariants>();
  for (std::size_t i = 0; i < head.coded.size(); ++i)
    coded->bodies.push_back({head.coded[i].encoding, std::move(parts[i + 1])});
  head.object.coded = std::move(coded);
}

std::optional<RecordHead> decode_record(std::string_view file) {
  const std::optional<RecordHeader> header = decode_record_header(file);
  if (!header || file.size() != header->file_bytes()) return std::nullopt;
  const std::string_view head = file.substr(kRecordHeaderBytes, header->head_bytes);
  std::optional<RecordHead> out = decode_record_head(head);
  if (!out || !record_body_fits(*header, *out)) return std::nullopt;
  std::vector<std::shared_ptr<MemoryObject>> parts;
  std::vector<std::string_view> views;
  std::size_t at = kRecordHeaderBytes + header->head_bytes;
  for (const std::uint64_t size : record_part_sizes(*header, *out)) {
    parts.push_back(std::make_shared<MemoryObject>());
    parts.back()->bytes.assign(file.substr(at, size));
    views.emplace_back(parts.back()->bytes);
    at += size;
  }
  if (!record_checksum_matches(*header, head, views)) return std::nullopt;
  attach_parts(*out, std::move(parts));
  return out;
}

}  // namespace relais::pull
