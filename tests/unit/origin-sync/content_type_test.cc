#include "origin-sync/content_type.h"

#include <gtest/gtest.h>

#include <vector>

namespace relais {
namespace {

using namespace std::string_view_literals;

struct Row {
  std::string_view path;
  std::string_view head;
  std::string_view type;
  Compressibility compressibility;
};

TEST(ContentType, DetectionTable) {
  const std::vector<Row> rows = {
      {"index.html", "<!doctype html><p>Bonjour</p>", "text/html; charset=utf-8", Compressibility::always},
      {"INDEX.HTM", "<html>", "text/html; charset=utf-8", Compressibility::always},
      {"site.css", "body{}", "text/css; charset=utf-8", Compressibility::always},
      {"app.js", "let x = 1;", "text/javascript; charset=utf-8", Compressibility::always},
      {"data.json", "{\"a\":1}", "application/json", Compressibility::always},
      {"logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml", Compressibility::always},
      {"feed.xml", "<?xml version=\"1.0\"?><a/>", "application/xml", Compressibility::always},
      {"cours.vtt", "WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour", "text/vtt; charset=utf-8", Compressibility::always},
      {"notes.txt", "caf\xc3\xa9", "text/plain; charset=utf-8", Compressibility::always},
      // Latin-1 text: still text, but we do not claim UTF-8.
      {"latin1.txt", "caf\xe9 au lait", "text/plain", Compressibility::always},
      {"Séance 3 — fractions.pdf", "%PDF-1.7\n", "application/pdf", Compressibility::probe},
      {"photo.jpg", "\xFF\xD8\xFF\xE0", "image/jpeg", Compressibility::never},
      {"video.mp4", "\0\0\0\x20" "ftypisom"sv, "video/mp4", Compressibility::never},
      {"audio.m4a", "\0\0\0\x20" "ftypM4A "sv, "audio/mp4", Compressibility::never},
      {"lesson.webm", "\x1A\x45\xDF\xA3", "video/webm", Compressibility::never},
      {"font.woff2", "wOF2", "font/woff2", Compressibility::never},
      {"font.ttf", "\0\1\0\0"sv, "font/ttf", Compressibility::always},
      {"devoir.docx", "PK\x03\x04", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
       Compressibility::never},
      // Extensions that lie: the bytes win.
      {"photo.txt", "\x89PNG\r\n\x1a\n", "image/png", Compressibility::never},
      {"archive.html", "PK\x03\x04", "application/zip", Compressibility::never},
      {"scan.pdf", "\xFF\xD8\xFF\xE0", "image/jpeg", Compressibility::never},
      // No extension: sniffed.
      {"README", "Lisez-moi\n", "text/plain; charset=utf-8", Compressibility::always},
      {"page", "\xEF\xBB\xBF  <!DOCTYPE HTML>", "text/html; charset=utf-8", Compressibility::always},
      {"drawing", "<?xml version=\"1.0\"?>\n<svg>", "image/svg+xml", Compressibility::always},
      {"subtitles", "WEBVTT", "text/vtt; charset=utf-8", Compressibility::always},
      {"blob", "\x01\x02\x03\x00"sv, "application/octet-stream", Compressibility::probe},
      {".bashrc", "export A=1\n", "text/plain; charset=utf-8", Compressibility::always},
      {"empty.txt", "", "text/plain; charset=utf-8", Compressibility::always},
      {"empty", "", "text/plain; charset=utf-8", Compressibility::always},
  };
  for (const auto& row : rows) {
    const ContentKind kind = detect_content_type(row.path, row.head);
    EXPECT_EQ(kind.content_type, row.type) << row.path;
    EXPECT_EQ(kind.compressibility, row.compressibility) << row.path;
  }
}

TEST(ContentType, Utf8CutAtTheEndOfTheSampleStillCountsAsUtf8) {
  std::string head(kSniffBytes - 1, 'a');
  head += "\xc3";  // first byte of 'é', cut by the sample
  EXPECT_EQ(detect_content_type("x.txt", head).content_type, "text/plain; charset=utf-8");
}

// A pull-through origin's Content-Type: the publisher's table, then the
// text-like families; parameters, case and spaces do not matter.
TEST(ContentType, CompressibilityOfAnOriginsMediaType) {
  const struct {
    const char* type;
    Compressibility expected;
  } rows[] = {
      {"text/html", Compressibility::always},
      {"Text/HTML; charset=UTF-8", Compressibility::always},
      {" text/css ;charset=utf-8", Compressibility::always},
      {"application/javascript", Compressibility::always},
      {"application/json", Compressibility::always},
      {"application/ld+json", Compressibility::always},
      {"application/xml", Compressibility::always},
      {"application/atom+xml", Compressibility::always},
      {"image/svg+xml", Compressibility::always},
      {"application/wasm", Compressibility::always},
      {"font/ttf", Compressibility::always},
      {"image/png", Compressibility::never},
      {"font/woff2", Compressibility::never},
      {"application/pdf", Compressibility::never},  // probe for the publisher: no sample here
      {"application/octet-stream", Compressibility::never},
      {"video/mp4", Compressibility::never},
      {"", Compressibility::never},
      {";charset=utf-8", Compressibility::never},
  };
  for (const auto& row : rows) EXPECT_EQ(compressibility_of_media_type(row.type), row.expected) << row.type;
}

}  // namespace
}  // namespace relais
