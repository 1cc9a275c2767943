#include "origin-sync/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "origin-sync/atomic_file.h"
#include "origin-sync/canonical_number.h"
#include "origin-sync/manifest_trust.h"
#include "origin-sync/unique_fd.h"
#include "origin-sync/utf8.h"

// Format: origin-sync/MANIFEST.md. Every rule the parser enforces is there.
namespace relais {
namespace {

constexpr std::string_view kMagic = "relais-manifest";
// Content types are short ASCII tokens; the bound stops a hostile manifest
// from making every catalog entry carry a megabyte header value.
constexpr std::size_t kMaxContentTypeBytes = 255;

constexpr char kUpperHex[] = "0123456789ABCDEF";

bool needs_percent(unsigned char c) { return c == '%' || c < 0x20 || c == 0x7f; }

void append_percent_encoded(std::string& out, std::string_view path) {
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (needs_percent(c)) {
      out += '%';
      out += kUpperHex[c >> 4];
      out += kUpperHex[c & 0xF];
    } else {
      out += ch;
    }
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // lower case is not canonical, see MANIFEST.md
}

// Decodes %XX into out (its capacity is reused from line to line); rejects a
// '%' not followed by two upper-case hex digits and an escape of a byte that
// needs none, so each path has exactly one spelling.
bool percent_decode(std::string_view field, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out += field[i];
      continue;
    }
    if (i + 2 >= field.size()) return false;
    int hi = hex_digit(field[i + 1]);
    int lo = hex_digit(field[i + 2]);
    if (hi < 0 || lo < 0) return false;
    const auto c = static_cast<unsigned char>(hi * 16 + lo);
    if (!needs_percent(c)) return false;
    out += static_cast<char>(c);
    i += 2;
  }
  return true;
}

// Hands out the fields of a line one by one: splitting a line allocates
// nothing, so scanning a million lines costs no allocation per line.
class FieldCursor {
 public:
  FieldCursor(std::string_view line, char sep) : rest_(line), sep_(sep) {}
  bool done() const { return done_; }
  std::string_view next() {
    if (done_) return {};
    const auto pos = rest_.find(sep_);
    std::string_view field = rest_.substr(0, pos);
    if (pos == std::string_view::npos) {
      done_ = true;
    } else {
      rest_.remove_prefix(pos + 1);
    }
    return field;
  }

 private:
  std::string_view rest_;
  char sep_;
  bool done_ = false;
};

// The header and end lines: few fields, read once per manifest.
std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> fields;
  FieldCursor cursor(line, sep);
  while (!cursor.done()) fields.push_back(cursor.next());
  return fields;
}

bool valid_content_type(std::string_view ct) {
  if (ct.empty() || ct.size() > kMaxContentTypeBytes || ct.find('/') == std::string_view::npos) return false;
  return std::all_of(ct.begin(), ct.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

void append_variant(std::string& out, const Variant& v) {
  out += encoding_name(v.encoding);
  out += ':';
  out += v.hash.hex();
  out += ':';
  out += std::to_string(v.size);
}

// A blob is named by its hash, so one hash declared with two sizes is a
// manifest that cannot be served: one of the two entries would get a blob
// of the wrong size (the edge answered 503 for it, pull and verify passed).
// Every declaration is collected, then sorted: 32 bytes per variant, freed
// when the scan ends.
class BlobSizeCheck {
 public:
  void reserve(std::size_t n) { declared_.reserve(n); }
  void add(const Variant& v, std::size_t line) { declared_.push_back({v.hash, v.size, static_cast<std::uint32_t>(line)}); }

  // Names the earliest line that contradicts an earlier declaration.
  Status check() {
    std::sort(declared_.begin(), declared_.end(), [](const Declared& a, const Declared& b) {
      if (a.hash.high != b.hash.high) return a.hash.high < b.hash.high;
      if (a.hash.low != b.hash.low) return a.hash.low < b.hash.low;
      return a.line < b.line;
    });
    const Declared* first_of_group = nullptr;
    const Declared* worst = nullptr;
    const Declared* worst_first = nullptr;
    for (const Declared& d : declared_) {
      if (first_of_group == nullptr || !(first_of_group->hash == d.hash)) {
        first_of_group = &d;
      } else if (d.size != first_of_group->size && (worst == nullptr || d.line < worst->line)) {
        worst = &d;
        worst_first = first_of_group;
      }
    }
    if (worst == nullptr) return {};
    return Error::origin("manifest line " + std::to_string(worst->line) + ": blob " + worst->hash.hex() +
                             " has size " + std::to_string(worst->size) + ", line " + std::to_string(worst_first->line) +
                             " gives it size " + std::to_string(worst_first->size),
                         /*retry=*/false);
  }

 private:
  struct Declared {
    ContentHash hash;
    std::uint64_t size;
    std::uint32_t line;  // a manifest under 1 GiB has fewer than 2^32 lines
  };
  std::vector<Declared> declared_;

 public:
  // After check(): each declared hash once, sorted (the signed trailer's order).
  std::vector<ContentHash> distinct() const {
    std::vector<ContentHash> out;
    for (const Declared& d : declared_)
      if (out.empty() || !(out.back() == d.hash)) out.push_back(d.hash);
    return out;
  }
};

// Parses the body of a manifest, line by line; the header and the end line
// were checked by scan_manifest() before.
class BodyParser {
 public:
  BodyParser(ManifestHeader& h, ManifestVisitor& visitor, BlobSizeCheck& sizes, TrustRecordParser& trust)
      : h_(h), visitor_(visitor), sizes_(sizes), trust_(trust) {}

  Status line(std::size_t number, std::size_t offset, std::string_view text) {
    number_ = number;
    offset_ = offset;
    FieldCursor fields(text, '\t');
    const std::string_view kind = fields.next();
    if (number == 2) return header_number(kind, fields, "generation", [&](std::string_view f) {
      auto v = parse_u64(f);
      if (v) h_.generation = *v;
      return v.has_value();
    });
    if (number == 3) {
      auto s = header_number(kind, fields, "published", [&](std::string_view f) {
        auto v = parse_i64(f);
        if (v) h_.published_at = *v;
        return v.has_value();
      });
      if (!s) return s;
      return visitor_.header(h_);
    }
    if (kind == kDeltaRecordKind && h_.minor >= kManifestDeltaMinorVersion)
      return delta(text.substr(std::min(text.size(), kind.size() + 1)));
    // Every other record ends the pending file's delta records.
    if (auto s = flush(); !s) return s;
    // The signed trailer (manifest_trust.h) is parsed there.
    if (TrustRecordParser::handles(kind) && h_.minor >= kSignedManifestMinorVersion) {
      if (auto bad = trust_.record(kind, text, offset)) return fail(*bad);
      return {};
    }
    if (kind == "file") {
      if (auto bad = trust_.file_record()) return fail(*bad);
      return file(fields);
    }
    if (tolerant()) return {};  // a newer minor version's record kind, see MANIFEST.md
    return fail("unknown record '" + std::string(kind.substr(0, 32)) + "'");
  }

  std::size_t entries() const { return entries_; }

  // Hands the last file record, with its delta records, to the visitor: an
  // entry is complete only when the next non-delta line (or the end) comes.
  Status flush() {
    if (!pending_) return {};
    pending_ = false;
    return visitor_.entry(ManifestEntryView{path_, pending_content_type_, pending_mtime_,
                                            std::span<const Variant>(variants_.data(), variant_count_),
                                            std::span<const DeltaVariant>(deltas_.data(), delta_count_),
                                            pending_line_, pending_offset_});
  }

 private:
  bool tolerant() const { return h_.minor > kManifestReaderMinorVersion; }

  Error fail(const std::string& what) const {
    return Error::origin("manifest line " + std::to_string(number_) + ": " + what, /*retry=*/false);
  }

  template <typename F>
  Status header_number(std::string_view kind, FieldCursor& fields, std::string_view name, F&& parse) {
    const std::string_view value = fields.next();
    if (kind != name || fields.done() == false || value.data() == nullptr)
      return fail("expected '" + std::string(name) + "<TAB>NUMBER'");
    if (!parse(value)) return fail("bad " + std::string(name) + " number");
    return {};
  }

  Status file(FieldCursor& fields) {
    const std::string_view path_field = fields.next();
    const std::string_view content_type = fields.next();
    const std::string_view mtime_field = fields.next();
    if (fields.done()) return fail("file record needs path, content type, mtime and identity");
    // path_ keeps the previous line's path until the new one is decoded
    // into decoded_; then they swap, so neither reallocates once grown.
    if (!percent_decode(path_field, decoded_)) return fail("bad percent-encoding in path");
    if (!is_valid_manifest_path(decoded_)) return fail("invalid path");
    if (entries_ > 0) {
      if (decoded_ == path_) return fail("duplicate path");
      if (decoded_ < path_) return fail("paths are not sorted");
    }
    path_.swap(decoded_);
    if (!valid_content_type(content_type)) return fail("bad content type");
    auto mtime = parse_i64(mtime_field);
    if (!mtime) return fail("bad mtime");
    variant_count_ = 0;
    for (bool first = true; !fields.done(); first = false) {
      if (auto s = variant(fields.next(), first); !s) return s;
    }
    for (std::size_t i = 0; i < variant_count_; ++i) sizes_.add(variants_[i], number_);
    ++entries_;
    pending_ = true;
    pending_content_type_ = content_type;
    pending_mtime_ = *mtime;
    pending_line_ = number_;
    pending_offset_ = offset_;
    delta_count_ = 0;
    return {};
  }

  // MANIFEST.md "Dictionary deltas": belongs to the file record above it.
  Status delta(std::string_view fields) {
    if (!pending_) return fail("delta record without its file record");
    if (delta_count_ == kManifestMaxDeltas)
      return fail("more than " + std::to_string(kManifestMaxDeltas) + " delta records for one file");
    DeltaVariant d;
    std::string what;
    if (!parse_delta_record(fields, d, what)) return fail(what);
    if (d.size >= variants_[0].size) return fail("delta is not smaller than the identity");
    for (std::size_t i = 0; i < delta_count_; ++i) {
      if (deltas_[i].dictionary == d.dictionary) return fail("dictionary listed twice");
    }
    sizes_.add(Variant{Encoding::identity, d.hash, d.size}, number_);
    deltas_[delta_count_++] = d;
    return {};
  }

  Status variant(std::string_view field, bool first) {
    FieldCursor parts(field, ':');
    const std::string_view name = parts.next();
    const std::string_view hex = parts.next();
    const std::string_view digits = parts.next();
    if (!parts.done() || digits.data() == nullptr) return fail("variant is not ENCODING:HASH:SIZE");
    auto encoding = encoding_from_name(name);
    if (first && encoding != Encoding::identity) return fail("first variant must be the identity");
    if (!encoding) {
      if (tolerant()) return {};
      return fail("unknown encoding");
    }
    if (!first && *encoding == Encoding::identity) return fail("identity listed twice");
    auto hash = ContentHash::from_hex(hex);
    if (!hash) return fail("bad hash");
    auto size = parse_u64(digits);
    if (!size) return fail("bad size");
    if (!first) {
      // Variants exist only because they are smaller (manifest.h).
      if (*size == 0 || *size >= variants_[0].size) return fail("variant is not smaller than the identity");
      for (std::size_t i = 0; i < variant_count_; ++i) {
        if (variants_[i].encoding == *encoding) return fail("encoding listed twice");
      }
    }
    // Each known encoding at most once: the array cannot overflow.
    variants_[variant_count_++] = Variant{*encoding, *hash, *size};
    return {};
  }

  ManifestHeader& h_;
  ManifestVisitor& visitor_;
  BlobSizeCheck& sizes_;
  TrustRecordParser& trust_;
  std::size_t number_ = 0;
  std::size_t offset_ = 0;
  std::size_t entries_ = 0;
  std::string path_;     // the last entry's decoded path
  std::string decoded_;  // the line being read
  std::array<Variant, kEncodingCount> variants_{};
  std::size_t variant_count_ = 0;
  // The file record not yet handed to the visitor, and its deltas.
  bool pending_ = false;
  std::string_view pending_content_type_;
  std::int64_t pending_mtime_ = 0;
  std::size_t pending_line_ = 0;
  std::size_t pending_offset_ = 0;
  std::array<DeltaVariant, kManifestMaxDeltas> deltas_{};
  std::size_t delta_count_ = 0;
};

// Collects what scan_manifest() reads into a Manifest.
class ManifestCollector final : public ManifestVisitor {
 public:
  explicit ManifestCollector(Manifest& m) : m_(m) {}
  Status header(const ManifestHeader& h) override {
    m_.major = h.major;
    m_.minor = h.minor;
    m_.entries.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(h.entry_count, 1u << 20)));
    m_.generation = h.generation;
    m_.published_at = h.published_at;
    return {};
  }
  Status entry(const ManifestEntryView& e) override {
    m_.entries.push_back(ManifestEntry{std::string(e.path), std::string(e.content_type), e.last_modified,
                                       std::vector<Variant>(e.variants.begin(), e.variants.end()),
                                       std::vector<DeltaVariant>(e.deltas.begin(), e.deltas.end())});
    return {};
  }

 private:
  Manifest& m_;
};

Result<ManifestHeader> parse_header(std::string_view first_line) {
  const auto fail = [](const std::string& m) { return Error::origin(m, /*retry=*/false); };
  auto fields = split(first_line, '\t');
  if (fields.size() != 2 || fields[0] != kMagic) return fail("not a relais manifest (bad first line)");
  auto dot = fields[1].find('.');
  if (dot == std::string_view::npos) return fail("manifest line 1: bad version");
  auto major = parse_u32(fields[1].substr(0, dot));
  auto minor = parse_u32(fields[1].substr(dot + 1));
  if (!major || !minor) return fail("manifest line 1: bad version");
  if (*major != kManifestMajorVersion) {
    return fail("manifest version " + std::to_string(*major) + "." + std::to_string(*minor) +
                " is not supported (this reader knows " + std::to_string(kManifestMajorVersion) + ".x)");
  }
  ManifestHeader h;
  h.major = *major;
  h.minor = *minor;
  return h;
}

// Only a bound for reserve(): the shortest variant field of a file line is
// a TAB, "br:", 32 hex digits, ':' and one digit.
constexpr std::size_t kMinVariantBytes = 38;

}  // namespace

bool is_valid_manifest_path(std::string_view path) {
  if (path.empty() || path.size() > kManifestMaxPathBytes || path.front() == '/') return false;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  }
  for (FieldCursor segments(path, '/'); !segments.done();) {
    const std::string_view segment = segments.next();
    if (segment.empty() || segment == "." || segment == "..") return false;
  }
  return is_valid_utf8(path);
}

void append_manifest_body(const Manifest& m, std::string& out) {
  out.reserve(out.size() + 64 + m.entries.size() * 200);
  out += kMagic;
  const bool has_deltas = std::any_of(m.entries.begin(), m.entries.end(),
                                     [](const ManifestEntry& e) { return !e.deltas.empty(); });
  const std::uint32_t minor = std::max<std::uint32_t>(m.minor, has_deltas ? kManifestDeltaMinorVersion : 0);
  out += '\t' + std::to_string(m.major) + '.' + std::to_string(minor) + '\n';
  out += "generation\t" + std::to_string(m.generation) + '\n';
  out += "published\t" + std::to_string(m.published_at) + '\n';
  for (std::size_t i = 0; i < m.entries.size(); ++i) {
    const ManifestEntry& e = m.entries[i];
    // Our own state: the publisher sorts and validates before serialising.
    RELAIS_ASSERT(is_valid_manifest_path(e.path));
    RELAIS_ASSERT(i == 0 || m.entries[i - 1].path < e.path);
    RELAIS_ASSERT(!e.variants.empty() && e.variants.front().encoding == Encoding::identity);
    RELAIS_ASSERT(valid_content_type(e.content_type));
    out += "file\t";
    append_percent_encoded(out, e.path);
    out += '\t' + e.content_type + '\t' + std::to_string(e.last_modified);
    for (const Variant& v : e.variants) {
      out += '\t';
      append_variant(out, v);
    }
    out += '\n';
    RELAIS_ASSERT(e.deltas.size() <= kManifestMaxDeltas);
    for (const DeltaVariant& d : e.deltas) append_delta_record(out, d);
  }
}

void append_manifest_end(std::string& out, std::size_t entries) {
  const ContentHash checksum = hash_bytes(std::string_view(out));
  out += "end\t" + std::to_string(entries) + '\t' + checksum.hex() + '\n';
}

std::string serialize_manifest(const Manifest& m) {
  std::string out;
  append_manifest_body(m, out);
  append_manifest_end(out, m.entries.size());
  return out;
}

Status scan_manifest(std::string_view text, ManifestVisitor& visitor) {
  const auto fail = [](const std::string& m) { return Error::origin(m, /*retry=*/false); };
  if (text.size() > kManifestMaxBytes) return fail("manifest is larger than the 1 GiB limit");
  if (text.empty()) return fail("manifest is empty");
  auto first_end = text.find('\n');
  auto parsed_header = parse_header(text.substr(0, first_end));
  if (!parsed_header) return parsed_header.error();
  ManifestHeader header = parsed_header.value();

  // The end line is checked before the body, so a truncated manifest is
  // reported as truncated rather than by whatever line the cut fell on.
  if (text.back() != '\n') return fail("manifest is truncated (no final newline)");
  const std::string_view without_last_newline = text.substr(0, text.size() - 1);
  const auto last_start = without_last_newline.rfind('\n') + 1;  // npos + 1 == 0
  if (last_start == 0) return fail("manifest is truncated (no end line)");
  auto end_fields = split(without_last_newline.substr(last_start), '\t');
  if (end_fields.size() != 3 || end_fields[0] != "end") return fail("manifest is truncated (no end line)");
  auto count = parse_u64(end_fields[1]);
  auto checksum = ContentHash::from_hex(end_fields[2]);
  if (!count || !checksum) return fail("manifest end line is malformed");
  if (hash_bytes(text.substr(0, last_start)) != *checksum)
    return fail("manifest checksum mismatch (truncated, tampered with or corrupted)");
  header.entry_count = *count;
  header.checksum = *checksum;

  // Reserved for the most variants the text could hold, so the list never
  // grows by copying (a 1 M-entry manifest would briefly hold it 1.5 times);
  // reserved pages that are never written cost address space, not memory.
  BlobSizeCheck sizes;
  sizes.reserve(text.size() / kMinVariantBytes);
  TrustRecordParser trust;
  BodyParser body(header, visitor, sizes, trust);
  std::size_t number = 1;
  std::size_t pos = first_end + 1;
  while (pos < last_start) {
    ++number;
    const auto eol = text.find('\n', pos);
    if (auto s = body.line(number, pos, text.substr(pos, eol - pos)); !s) return s.error();
    pos = eol + 1;
  }
  if (auto s = body.flush(); !s) return s.error();
  if (number < 3) return fail("manifest lacks its generation and published lines");
  if (*count != body.entries()) return fail("manifest end line counts " + std::to_string(*count) +
                                                " files, the manifest has " + std::to_string(body.entries()));
  if (auto s = sizes.check(); !s) return s;
  if (auto bad = trust.finish(sizes.distinct(), header.published_at)) return fail("manifest trailer: " + *bad);
  return visitor.trust(trust.trust());
}

std::string manifest_record_path(std::string_view text, std::size_t offset) {
  const std::string_view record = text.substr(offset, text.find('\n', offset) - offset);
  FieldCursor fields(record, '\t');
  fields.next();  // "file"
  std::string path;
  // The scan accepted this record, so the field decodes.
  const bool decoded = percent_decode(fields.next(), path);
  RELAIS_ASSERT(decoded);
  return path;
}

Result<Manifest> parse_manifest(std::string_view text) {
  Manifest m;
  ManifestCollector collector(m);
  if (auto s = scan_manifest(text, collector); !s) return s.error();
  return m;
}

Result<std::string> read_manifest_text(const std::string& dir) {
  const std::string path = dir + "/" + std::string(kManifestFileName);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) return Error::storage("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return Error::storage(path + " is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kManifestMaxBytes)
    return Error::storage(path + " is larger than the 1 GiB manifest limit");
  std::string text(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::storage("cannot read " + path + ": " + std::strerror(errno));
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  text.resize(done);
  return text;
}

Result<Manifest> read_manifest_file(const std::string& dir) {
  auto text = read_manifest_text(dir);
  if (!text) return text.error();
  auto m = parse_manifest(*text);
  if (!m) return Error{m.error().source, false, dir + "/" + std::string(kManifestFileName) + ": " + m.error().message};
  return m;
}

Status write_manifest_file(const std::string& dir, const Manifest& manifest) {
  return write_file_atomically(dir + "/" + std::string(kManifestFileName), serialize_manifest(manifest));
}

}  // namespace relais
