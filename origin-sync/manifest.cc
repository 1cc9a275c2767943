#include "origin-sync/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "origin-sync/atomic_file.h"
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

// Decodes %XX; rejects a '%' not followed by two upper-case hex digits and an
// escape of a byte that needs none, so each path has exactly one spelling.
std::optional<std::string> percent_decode(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    if (field[i] != '%') {
      out += field[i];
      continue;
    }
    if (i + 2 >= field.size()) return std::nullopt;
    int hi = hex_digit(field[i + 1]);
    int lo = hex_digit(field[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    const auto c = static_cast<unsigned char>(hi * 16 + lo);
    if (!needs_percent(c)) return std::nullopt;
    out += static_cast<char>(c);
    i += 2;
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  // Canonical decimal only: no sign, no leading zero, no spaces.
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<std::int64_t> parse_i64(std::string_view s) {
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  auto magnitude = parse_u64(s);
  if (!magnitude || (negative && *magnitude == 0)) return std::nullopt;
  if (!negative && *magnitude > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  if (negative && *magnitude > static_cast<std::uint64_t>(INT64_MAX) + 1) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - *magnitude) : static_cast<std::int64_t>(*magnitude);
}

std::optional<std::uint32_t> parse_u32(std::string_view s) {
  auto v = parse_u64(s);
  if (!v || *v > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    auto pos = line.find(sep, start);
    fields.push_back(line.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return fields;
    start = pos + 1;
  }
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

// Parses the body of a manifest, line by line; the header and the end line
// were checked by parse_manifest() before.
class BodyParser {
 public:
  explicit BodyParser(Manifest& m) : m_(m) {}

  Status line(std::size_t number, std::string_view text) {
    number_ = number;
    auto fields = split(text, '\t');
    if (number == 2) return header_number(fields, "generation", [&](std::string_view f) {
      auto v = parse_u64(f);
      if (v) m_.generation = *v;
      return v.has_value();
    });
    if (number == 3) return header_number(fields, "published", [&](std::string_view f) {
      auto v = parse_i64(f);
      if (v) m_.published_at = *v;
      return v.has_value();
    });
    if (fields[0] == "file") return file(fields);
    if (tolerant()) return {};  // a newer minor version's record kind, see MANIFEST.md
    return fail("unknown record '" + std::string(fields[0].substr(0, 32)) + "'");
  }

 private:
  bool tolerant() const { return m_.minor > kManifestMinorVersion; }

  Error fail(const std::string& what) const {
    return Error::origin("manifest line " + std::to_string(number_) + ": " + what, /*retry=*/false);
  }

  template <typename F>
  Status header_number(const std::vector<std::string_view>& fields, std::string_view name, F&& parse) {
    if (fields.size() != 2 || fields[0] != name) return fail("expected '" + std::string(name) + "<TAB>NUMBER'");
    if (!parse(fields[1])) return fail("bad " + std::string(name) + " number");
    return {};
  }

  Status file(const std::vector<std::string_view>& fields) {
    if (fields.size() < 5) return fail("file record needs path, content type, mtime and identity");
    ManifestEntry e;
    auto path = percent_decode(fields[1]);
    if (!path) return fail("bad percent-encoding in path");
    if (!is_valid_manifest_path(*path)) return fail("invalid path");
    e.path = std::move(*path);
    if (!m_.entries.empty()) {
      const std::string& previous = m_.entries.back().path;
      if (e.path == previous) return fail("duplicate path");
      if (e.path < previous) return fail("paths are not sorted");
    }
    if (!valid_content_type(fields[2])) return fail("bad content type");
    e.content_type = std::string(fields[2]);
    auto mtime = parse_i64(fields[3]);
    if (!mtime) return fail("bad mtime");
    e.last_modified = *mtime;
    for (std::size_t i = 4; i < fields.size(); ++i) {
      if (auto s = variant(fields[i], i == 4, e); !s) return s;
    }
    m_.entries.push_back(std::move(e));
    return {};
  }

  Status variant(std::string_view field, bool first, ManifestEntry& e) {
    auto parts = split(field, ':');
    if (parts.size() != 3) return fail("variant is not ENCODING:HASH:SIZE");
    auto encoding = encoding_from_name(parts[0]);
    if (first && encoding != Encoding::identity) return fail("first variant must be the identity");
    if (!encoding) {
      if (tolerant()) return {};
      return fail("unknown encoding");
    }
    if (!first && *encoding == Encoding::identity) return fail("identity listed twice");
    auto hash = ContentHash::from_hex(parts[1]);
    if (!hash) return fail("bad hash");
    auto size = parse_u64(parts[2]);
    if (!size) return fail("bad size");
    if (!first) {
      // Variants exist only because they are smaller (manifest.h).
      if (*size == 0 || *size >= e.identity().size) return fail("variant is not smaller than the identity");
      for (const auto& v : e.variants) {
        if (v.encoding == *encoding) return fail("encoding listed twice");
      }
    }
    e.variants.push_back(Variant{*encoding, *hash, *size});
    return {};
  }

  Manifest& m_;
  std::size_t number_ = 0;
};

Result<Manifest> parse_header(std::string_view first_line) {
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
  Manifest m;
  m.major = *major;
  m.minor = *minor;
  return m;
}

}  // namespace

bool is_valid_manifest_path(std::string_view path) {
  if (path.empty() || path.size() > kManifestMaxPathBytes || path.front() == '/') return false;
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\') return false;
  }
  for (std::string_view segment : split(path, '/')) {
    if (segment.empty() || segment == "." || segment == "..") return false;
  }
  return is_valid_utf8(path);
}

std::string serialize_manifest(const Manifest& m) {
  std::string out;
  out.reserve(64 + m.entries.size() * 200);
  out += kMagic;
  out += '\t' + std::to_string(m.major) + '.' + std::to_string(m.minor) + '\n';
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
  }
  const ContentHash checksum = hash_bytes(std::string_view(out));
  out += "end\t" + std::to_string(m.entries.size()) + '\t' + checksum.hex() + '\n';
  return out;
}

Result<Manifest> parse_manifest(std::string_view text) {
  const auto fail = [](const std::string& m) { return Error::origin(m, /*retry=*/false); };
  if (text.size() > kManifestMaxBytes) return fail("manifest is larger than the 1 GiB limit");
  if (text.empty()) return fail("manifest is empty");
  auto first_end = text.find('\n');
  auto header = parse_header(text.substr(0, first_end));
  if (!header) return header.error();
  Manifest m = std::move(header.value());

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

  BodyParser body(m);
  std::size_t number = 1;
  std::size_t pos = first_end + 1;
  while (pos < last_start) {
    ++number;
    const auto eol = text.find('\n', pos);
    if (auto s = body.line(number, text.substr(pos, eol - pos)); !s) return s.error();
    pos = eol + 1;
  }
  if (number < 3) return fail("manifest lacks its generation and published lines");
  if (*count != m.entries.size()) return fail("manifest end line counts " + std::to_string(*count) +
                                                  " files, the manifest has " + std::to_string(m.entries.size()));
  return m;
}

Result<Manifest> read_manifest_file(const std::string& dir) {
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
  auto m = parse_manifest(text);
  if (!m) return Error{m.error().source, false, path + ": " + m.error().message};
  return m;
}

Status write_manifest_file(const std::string& dir, const Manifest& manifest) {
  return write_file_atomically(dir + "/" + std::string(kManifestFileName), serialize_manifest(manifest));
}

}  // namespace relais
