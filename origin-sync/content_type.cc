#include "origin-sync/content_type.h"

#include <algorithm>
#include <array>
#include <optional>

#include "origin-sync/utf8.h"

namespace relais {
namespace {

using C = Compressibility;

struct TypeRow {
  std::string_view key;  // extension (lower case) or a name for magic rows
  std::string_view type;
  C compressibility;
};

// Extensions a course tree holds. Text types first; fonts TTF/OTF compress
// well (WOFF/WOFF2 are already compressed); wasm is code and shrinks ~3x.
constexpr std::array kByExtension = {
    TypeRow{"html", "text/html", C::always},        TypeRow{"htm", "text/html", C::always},
    TypeRow{"css", "text/css", C::always},          TypeRow{"js", "text/javascript", C::always},
    TypeRow{"mjs", "text/javascript", C::always},   TypeRow{"json", "application/json", C::always},
    TypeRow{"map", "application/json", C::always},  TypeRow{"webmanifest", "application/manifest+json", C::always},
    TypeRow{"xml", "application/xml", C::always},   TypeRow{"xhtml", "application/xhtml+xml", C::always},
    TypeRow{"svg", "image/svg+xml", C::always},     TypeRow{"txt", "text/plain", C::always},
    TypeRow{"md", "text/markdown", C::always},      TypeRow{"csv", "text/csv", C::always},
    TypeRow{"vtt", "text/vtt", C::always},          TypeRow{"srt", "application/x-subrip", C::always},
    TypeRow{"ics", "text/calendar", C::always},     TypeRow{"rss", "application/rss+xml", C::always},
    TypeRow{"atom", "application/atom+xml", C::always}, TypeRow{"wasm", "application/wasm", C::always},
    TypeRow{"ttf", "font/ttf", C::always},          TypeRow{"otf", "font/otf", C::always},
    TypeRow{"woff", "font/woff", C::never},         TypeRow{"woff2", "font/woff2", C::never},
    TypeRow{"pdf", "application/pdf", C::probe},    TypeRow{"bmp", "image/bmp", C::probe},
    TypeRow{"ico", "image/x-icon", C::probe},       TypeRow{"tif", "image/tiff", C::probe},
    TypeRow{"tiff", "image/tiff", C::probe},        TypeRow{"wav", "audio/wav", C::probe},
    TypeRow{"tar", "application/x-tar", C::probe},  TypeRow{"png", "image/png", C::never},
    TypeRow{"jpg", "image/jpeg", C::never},         TypeRow{"jpeg", "image/jpeg", C::never},
    TypeRow{"gif", "image/gif", C::never},          TypeRow{"webp", "image/webp", C::never},
    TypeRow{"avif", "image/avif", C::never},        TypeRow{"mp4", "video/mp4", C::never},
    TypeRow{"m4v", "video/mp4", C::never},          TypeRow{"m4a", "audio/mp4", C::never},
    TypeRow{"webm", "video/webm", C::never},        TypeRow{"mkv", "video/x-matroska", C::never},
    TypeRow{"mov", "video/quicktime", C::never},    TypeRow{"mp3", "audio/mpeg", C::never},
    TypeRow{"ogg", "audio/ogg", C::never},          TypeRow{"oga", "audio/ogg", C::never},
    TypeRow{"ogv", "video/ogg", C::never},          TypeRow{"opus", "audio/ogg", C::never},
    TypeRow{"flac", "audio/flac", C::never},        TypeRow{"zip", "application/zip", C::never},
    TypeRow{"gz", "application/gzip", C::never},    TypeRow{"zst", "application/zstd", C::never},
    TypeRow{"br", "application/x-brotli", C::never}, TypeRow{"xz", "application/x-xz", C::never},
    TypeRow{"7z", "application/x-7z-compressed", C::never},
    TypeRow{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", C::never},
    TypeRow{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", C::never},
    TypeRow{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", C::never},
    TypeRow{"odt", "application/vnd.oasis.opendocument.text", C::never},
    TypeRow{"ods", "application/vnd.oasis.opendocument.spreadsheet", C::never},
    TypeRow{"odp", "application/vnd.oasis.opendocument.presentation", C::never},
    TypeRow{"epub", "application/epub+zip", C::never},
};

struct Magic {
  std::size_t offset;
  std::string_view bytes;
  TypeRow row;
};

using namespace std::string_view_literals;

// Binary signatures; a match overrides a text extension.
const std::array kMagics = {
    Magic{0, "%PDF-"sv, {"pdf", "application/pdf", C::probe}},
    Magic{0, "\x89PNG\r\n\x1a\n"sv, {"png", "image/png", C::never}},
    Magic{0, "\xFF\xD8\xFF"sv, {"jpg", "image/jpeg", C::never}},
    Magic{0, "GIF87a"sv, {"gif", "image/gif", C::never}},
    Magic{0, "GIF89a"sv, {"gif", "image/gif", C::never}},
    Magic{8, "WEBP"sv, {"webp", "image/webp", C::never}},
    Magic{4, "ftyp"sv, {"mp4", "video/mp4", C::never}},
    Magic{0, "\x1A\x45\xDF\xA3"sv, {"webm", "video/webm", C::never}},
    Magic{0, "OggS"sv, {"ogg", "audio/ogg", C::never}},
    Magic{0, "ID3"sv, {"mp3", "audio/mpeg", C::never}},
    Magic{0, "fLaC"sv, {"flac", "audio/flac", C::never}},
    Magic{0, "PK\x03\x04"sv, {"zip", "application/zip", C::never}},
    Magic{0, "\x1F\x8B"sv, {"gz", "application/gzip", C::never}},
    Magic{0, "\x28\xB5\x2F\xFD"sv, {"zst", "application/zstd", C::never}},
    Magic{0, "\xFD" "7zXZ\0"sv, {"xz", "application/x-xz", C::never}},
    Magic{0, "7z\xBC\xAF\x27\x1C"sv, {"7z", "application/x-7z-compressed", C::never}},
    Magic{0, "wOF2"sv, {"woff2", "font/woff2", C::never}},
    Magic{0, "wOFF"sv, {"woff", "font/woff", C::never}},
    Magic{0, "\0asm"sv, {"wasm", "application/wasm", C::always}},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::optional<TypeRow> by_extension(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;  // ".bashrc" has no extension
  const std::string ext = lower(name.substr(dot + 1));
  for (const auto& row : kByExtension) {
    if (row.key == ext) return row;
  }
  return std::nullopt;
}

std::optional<TypeRow> by_magic(std::string_view head) {
  for (const auto& m : kMagics) {
    if (head.size() >= m.offset + m.bytes.size() && head.substr(m.offset, m.bytes.size()) == m.bytes) return m.row;
  }
  return std::nullopt;
}

bool is_text_type(std::string_view type) {
  return type.starts_with("text/") || type.ends_with("+xml") || type.ends_with("json") ||
         type == "application/xml" || type == "application/x-subrip";
}

// Text for our purpose: UTF-8 (a cut at the end of the sample is fine) with no
// control bytes other than TAB, LF, FF and CR.
bool looks_like_utf8_text(std::string_view head) {
  for (char ch : head) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f) return false;
  }
  return is_valid_utf8_prefix(head);
}

std::optional<TypeRow> sniff_markup(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);  // UTF-8 BOM
  while (!head.empty() && (head[0] == ' ' || head[0] == '\t' || head[0] == '\r' || head[0] == '\n'))
    head.remove_prefix(1);
  const std::string start = lower(head.substr(0, 256));
  if (start.starts_with("webvtt")) return TypeRow{"vtt", "text/vtt", C::always};
  if (start.starts_with("<!doctype html") || start.starts_with("<html")) return TypeRow{"html", "text/html", C::always};
  if (start.starts_with("<svg") || (start.starts_with("<?xml") && start.find("<svg") != std::string::npos))
    return TypeRow{"svg", "image/svg+xml", C::always};
  if (start.starts_with("<?xml")) return TypeRow{"xml", "application/xml", C::always};
  return std::nullopt;
}

TypeRow choose(std::string_view path, std::string_view head) {
  const auto ext = by_extension(path);
  const auto magic = by_magic(head);
  if (magic) {
    // The extension refines a signature of the same kind (a .docx is a ZIP,
    // an .m4a is an MP4); a text extension on binary bytes is a lie.
    if (ext && !is_text_type(ext->type) && ext->compressibility == magic->compressibility) return *ext;
    return *magic;
  }
  if (ext) return *ext;
  if (auto markup = sniff_markup(head)) return *markup;
  if (looks_like_utf8_text(head)) return TypeRow{"txt", "text/plain", C::always};
  return TypeRow{"bin", "application/octet-stream", C::probe};
}

}  // namespace

Compressibility compressibility_of_media_type(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  const std::string type = lower(media);
  if (type.empty()) return C::never;
  for (const auto& row : kByExtension) {
    if (row.type == type) return row.compressibility == C::always ? C::always : C::never;
  }
  // RFC 9239 §6: application/javascript and its kin are obsolete names of text/javascript.
  for (std::string_view js : {"application/javascript", "application/x-javascript", "application/ecmascript"}) {
    if (type == js) return C::always;
  }
  return is_text_type(type) ? C::always : C::never;
}

ContentKind detect_content_type(std::string_view path, std::string_view head) {
  const TypeRow row = choose(path, head.substr(0, kSniffBytes));
  ContentKind kind{std::string(row.type), row.compressibility};
  // RFC 9110 §8.3.2: text/* defaults to no charset (US-ASCII in old clients),
  // so say UTF-8 when the bytes are. JSON and XML types carry their own
  // encoding rules (RFC 8259 §11 defines no charset parameter for JSON).
  if (row.type.starts_with("text/") && looks_like_utf8_text(head.substr(0, kSniffBytes)))
    kind.content_type += "; charset=utf-8";
  return kind;
}

}  // namespace relais
