#include "origin-sync/manifest.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace relais {
namespace {

ContentHash h(std::uint64_t n) { return ContentHash{n * 0x9E3779B97F4A7C15ull, ~n}; }

Manifest sample() {
  Manifest m;
  m.generation = 7;
  m.published_at = 1'700'000'000;
  m.entries.push_back({"Séance 3 — fractions.pdf", "application/pdf", 1'600'000'000,
                       {{Encoding::identity, h(1), 5000}, {Encoding::zstd, h(2), 4000}}});
  m.entries.push_back({"css/site.css", "text/css; charset=utf-8", -5,
                       {{Encoding::identity, h(3), 900},
                        {Encoding::br, h(4), 200},
                        {Encoding::zstd, h(5), 220},
                        {Encoding::gzip, h(6), 260}}});
  m.entries.push_back({"empty", "text/plain; charset=utf-8", 0, {{Encoding::identity, hash_bytes(""), 0}}});
  m.entries.push_back({"odd%name", "application/octet-stream", 1, {{Encoding::identity, h(7), 3}}});
  return m;
}

// Rebuilds a manifest text with a correct end line around the given body lines.
std::string with_end(const std::string& head_and_body, std::size_t count) {
  return head_and_body + "end\t" + std::to_string(count) + "\t" + hash_bytes(head_and_body).hex() + "\n";
}

const std::string kHead = "relais-manifest\t1.0\ngeneration\t1\npublished\t5\n";
const std::string kId = "identity:" + std::string(32, 'a') + ":100";

std::string one_file(const std::string& fields) { return with_end(kHead + "file\t" + fields + "\n", 1); }

TEST(Manifest, RoundTripsEveryField) {
  const Manifest m = sample();
  const std::string text = serialize_manifest(m);
  auto parsed = parse_manifest(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->generation, 7u);
  EXPECT_EQ(parsed->published_at, 1'700'000'000);
  EXPECT_EQ(parsed->major, 1u);
  EXPECT_EQ(parsed->minor, 0u);
  EXPECT_EQ(parsed->entries, m.entries);
  EXPECT_EQ(serialize_manifest(*parsed), text);
}

TEST(Manifest, SerialisedFormIsTheDocumentedText) {
  Manifest m;
  m.generation = 2;
  m.published_at = 10;
  m.entries.push_back({"a b/%.txt", "text/plain", 3, {{Encoding::identity, h(1), 300}, {Encoding::br, h(2), 100}}});
  const std::string body = "relais-manifest\t1.0\ngeneration\t2\npublished\t10\nfile\ta b/%25.txt\ttext/plain\t3\tidentity:" +
                           h(1).hex() + ":300\tbr:" + h(2).hex() + ":100\n";
  EXPECT_EQ(serialize_manifest(m), with_end(body, 1));
}

TEST(Manifest, RejectsUnknownMajorVersionWithAClearMessage) {
  auto r = parse_manifest("relais-manifest\t2.0\ngeneration\t1\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "manifest version 2.0 is not supported (this reader knows 1.x)");
  EXPECT_EQ(r.error().source, ErrorSource::origin);
}

TEST(Manifest, AcceptsHigherMinorAndSkipsWhatItAdds) {
  const std::string body = "relais-manifest\t1.7\ngeneration\t1\npublished\t5\nfile\ta\ttext/plain\t1\t" + kId +
                           "\tfuture:" + std::string(32, 'b') + ":50\nmirror\tabc\n";
  auto r = parse_manifest(with_end(body, 1));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->minor, 7u);
  ASSERT_EQ(r->entries.size(), 1u);
  EXPECT_EQ(r->entries[0].variants.size(), 1u);
}

TEST(Manifest, SameMinorRejectsUnknownRecordsAndEncodings) {
  EXPECT_FALSE(parse_manifest(with_end(kHead + "mirror\tabc\n", 0)).ok());
  EXPECT_FALSE(parse_manifest(one_file("a\ttext/plain\t1\t" + kId + "\tfuture:" + std::string(32, 'b') + ":50")).ok());
}

TEST(Manifest, RejectsEveryTruncation) {
  const std::string text = serialize_manifest(sample());
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    EXPECT_FALSE(parse_manifest(text.substr(0, cut)).ok()) << "cut at " << cut;
  }
}

TEST(Manifest, RejectsAnySingleByteChange) {
  const std::string text = serialize_manifest(sample());
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string tampered = text;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    EXPECT_FALSE(parse_manifest(tampered).ok()) << "byte " << i;
  }
}

TEST(Manifest, RejectsTrailingDataAfterTheEndLine) {
  const std::string text = serialize_manifest(sample());
  EXPECT_FALSE(parse_manifest(text + "x").ok());
  EXPECT_FALSE(parse_manifest(text + "\n").ok());
  EXPECT_FALSE(parse_manifest(text + text).ok());
}

TEST(Manifest, TamperedBodyWithStaleChecksumIsReportedAsChecksumMismatch) {
  std::string text = serialize_manifest(sample());
  text.replace(text.find("generation\t7"), 12, "generation\t8");
  auto r = parse_manifest(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("checksum"), std::string::npos) << r.error().message;
}

struct BadManifest {
  const char* name;
  std::string text;
};

// Each row has a valid end line, so the rule under test is what rejects it.
TEST(Manifest, RejectsMalformedLines) {
  const std::string hash = std::string(32, 'a');
  const std::vector<BadManifest> rows = {
      {"not a manifest", with_end("hello\t1.0\ngeneration\t1\npublished\t5\n", 0)},
      {"bad version", with_end("relais-manifest\t1\ngeneration\t1\npublished\t5\n", 0)},
      {"version with sign", with_end("relais-manifest\t+1.0\ngeneration\t1\npublished\t5\n", 0)},
      {"missing generation", with_end("relais-manifest\t1.0\npublished\t5\n", 0)},
      {"generation leading zero", with_end("relais-manifest\t1.0\ngeneration\t01\npublished\t5\n", 0)},
      {"generation overflow", with_end("relais-manifest\t1.0\ngeneration\t18446744073709551616\npublished\t5\n", 0)},
      {"generation negative", with_end("relais-manifest\t1.0\ngeneration\t-1\npublished\t5\n", 0)},
      {"published not a number", with_end("relais-manifest\t1.0\ngeneration\t1\npublished\tnow\n", 0)},
      {"header only", with_end("relais-manifest\t1.0\n", 0)},
      {"count mismatch", with_end(kHead + "file\ta\ttext/plain\t1\t" + kId + "\n", 2)},
      {"too few fields", one_file("a\ttext/plain\t1")},
      {"no identity", one_file("a\ttext/plain\t1\tbr:" + hash + ":10")},
      {"identity twice", one_file("a\ttext/plain\t1\t" + kId + "\t" + kId)},
      {"encoding twice", one_file("a\ttext/plain\t1\t" + kId + "\tbr:" + hash + ":10\tbr:" + hash + ":11")},
      {"variant not smaller", one_file("a\ttext/plain\t1\t" + kId + "\tbr:" + hash + ":100")},
      {"empty variant", one_file("a\ttext/plain\t1\t" + kId + "\tbr:" + hash + ":0")},
      {"bad hash", one_file("a\ttext/plain\t1\tidentity:" + std::string(31, 'a') + "g:100")},
      {"short hash", one_file("a\ttext/plain\t1\tidentity:abc:100")},
      {"bad size", one_file("a\ttext/plain\t1\tidentity:" + hash + ":1e3")},
      {"size overflow", one_file("a\ttext/plain\t1\tidentity:" + hash + ":99999999999999999999")},
      {"variant without size", one_file("a\ttext/plain\t1\tidentity:" + hash)},
      {"variant extra colon", one_file("a\ttext/plain\t1\tidentity:" + hash + ":1:2")},
      {"bad mtime", one_file("a\ttext/plain\tyesterday\t" + kId)},
      {"minus zero mtime", one_file("a\ttext/plain\t-0\t" + kId)},
      {"empty content type", one_file("a\t\t1\t" + kId)},
      {"content type without slash", one_file("a\tplain\t1\t" + kId)},
      {"content type with control", one_file("a\ttext/plain\x01\t1\t" + kId)},
      {"absolute path", one_file("/etc/passwd\ttext/plain\t1\t" + kId)},
      {"dot-dot path", one_file("../../etc/passwd\ttext/plain\t1\t" + kId)},
      {"encoded newline in path is still a control byte", one_file("a%0Ab\ttext/plain\t1\t" + kId)},
      {"lower-case escape", one_file("a%25b%2f\ttext/plain\t1\t" + kId)},
      {"needless escape", one_file("%41\ttext/plain\t1\t" + kId)},
      {"dangling percent", one_file("a%2\ttext/plain\t1\t" + kId)},
      {"percent at end", one_file("a%\ttext/plain\t1\t" + kId)},
      {"CR inside a line", one_file("a\ttext/plain\t1\t" + kId + "\r")},
      {"duplicate path", with_end(kHead + "file\ta\ttext/plain\t1\t" + kId + "\nfile\ta\ttext/plain\t1\t" + kId + "\n", 2)},
      {"unsorted paths", with_end(kHead + "file\tb\ttext/plain\t1\t" + kId + "\nfile\ta\ttext/plain\t1\t" + kId + "\n", 2)},
      {"empty line", with_end(kHead + "\n", 0)},
      {"end line with extra field", kHead + "end\t0\t" + hash_bytes(kHead).hex() + "\tx\n"},
      {"no final newline", kHead + "end\t0\t" + hash_bytes(kHead).hex()},
  };
  for (const auto& row : rows) {
    auto r = parse_manifest(row.text);
    EXPECT_FALSE(r.ok()) << row.name;
    if (!r.ok()) {
      EXPECT_EQ(r.error().source, ErrorSource::origin) << row.name;
      EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << row.name;
    }
  }
}

TEST(Manifest, ErrorNamesTheLine) {
  auto r = parse_manifest(with_end(kHead + "file\ta\ttext/plain\t1\t" + kId + "\nfile\tb\ttext/plain\tx\t" + kId + "\n", 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "manifest line 5: bad mtime");
}

// Issue 21 item 9: a blob is named by its hash, so two sizes for one hash
// meant one of the two files could never be served (the edge answered 503)
// while pull and verify passed.
TEST(Manifest, RejectsOneHashDeclaredWithTwoSizes) {
  const std::string hash = std::string(32, 'c');
  auto r = parse_manifest(with_end(kHead + "file\ta.txt\ttext/plain\t1\tidentity:" + hash + ":10\n" +
                                       "file\tb.txt\ttext/plain\t1\tidentity:" + hash + ":20\n",
                                   2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().source, ErrorSource::origin);
  EXPECT_EQ(r.error().message, "manifest line 5: blob " + hash + " has size 20, line 4 gives it size 10");
}

TEST(Manifest, RejectsTwoSizesForOneHashAcrossVariantsAndNamesTheEarliestConflict) {
  const std::string a = std::string(32, 'a');
  const std::string b = std::string(32, 'b');
  // b is a coded variant of x.html at 40 bytes, then the identity of y.txt
  // at 30; a is declared at 100 everywhere, then at 99 on a later line.
  auto r = parse_manifest(with_end(kHead + "file\tx.html\ttext/html\t1\tidentity:" + a + ":100\tbr:" + b + ":40\n" +
                                       "file\ty.txt\ttext/plain\t1\tidentity:" + b + ":30\n" +
                                       "file\tz.txt\ttext/plain\t1\tidentity:" + a + ":99\n",
                                   3));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "manifest line 5: blob " + b + " has size 30, line 4 gives it size 40");
}

TEST(Manifest, AcceptsOneHashSharedBySeveralPathsWithOneSize) {
  const std::string hash = std::string(32, 'c');
  auto r = parse_manifest(with_end(kHead + "file\ta.txt\ttext/plain\t1\tidentity:" + hash + ":10\n" +
                                       "file\tb.txt\ttext/plain\t1\tidentity:" + hash + ":10\n",
                                   2));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->entries.size(), 2u);
}

// Collects what the scanner hands out, to check the streaming interface
// gives what parse_manifest() builds its Manifest from.
class Recorder final : public ManifestVisitor {
 public:
  Status header(const ManifestHeader& h) override {
    header_ = h;
    ++headers_;
    return {};
  }
  Status entry(const ManifestEntryView& e) override {
    EXPECT_EQ(headers_, 1);
    paths_.emplace_back(e.path);
    lines_.push_back(e.line);
    return {};
  }
  ManifestHeader header_;
  int headers_ = 0;
  std::vector<std::string> paths_;
  std::vector<std::size_t> lines_;
};

TEST(ManifestScan, GivesTheHeaderWithCountAndChecksumFirstThenEachEntryInOrder) {
  const std::string text = serialize_manifest(sample());
  Recorder r;
  ASSERT_TRUE(scan_manifest(text, r).ok());
  EXPECT_EQ(r.headers_, 1);
  EXPECT_EQ(r.header_.generation, 7u);
  EXPECT_EQ(r.header_.entry_count, 4u);
  EXPECT_EQ(r.header_.checksum.hex(), text.substr(text.size() - 33, 32));
  EXPECT_EQ(r.paths_, (std::vector<std::string>{"Séance 3 — fractions.pdf", "css/site.css", "empty", "odd%name"}));
  EXPECT_EQ(r.lines_, (std::vector<std::size_t>{4, 5, 6, 7}));
}

class Refuser final : public ManifestVisitor {
 public:
  Status entry(const ManifestEntryView&) override { return Error::origin("no, thanks", false); }
};

TEST(ManifestScan, AVisitorErrorStopsTheScanAndIsReturned) {
  Refuser refuser;
  Status s = scan_manifest(serialize_manifest(sample()), refuser);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "no, thanks");
}

TEST(Manifest, EmptyManifestIsValid) {
  auto r = parse_manifest(with_end(kHead, 0));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->entries.empty());
}

struct PathRow {
  std::string path;
  bool valid;
};

TEST(ManifestPath, ValidationTable) {
  const std::vector<PathRow> rows = {
      {"index.html", true},
      {"cours/maths/Séance 3 — fractions.pdf", true},
      {"a/b/c/d.txt", true},
      {"...", true},
      {".well-known/x", true},
      {"a?b#c", true},
      {"日本語/ファイル", true},
      {"", false},
      {"../../etc/passwd", false},
      {"/abs", false},
      {"a//b", false},
      {"a/./b", false},
      {"a/../b", false},
      {".", false},
      {"..", false},
      {"a/", false},
      {"a/..", false},
      {std::string("a\0b", 3), false},
      {"a\tb", false},
      {"a\nb", false},
      {"a\x7f", false},
      {"a\\b", false},
      {"..\\..\\windows", false},
      {"\xff\xfe", false},
      {"caf\xe9", false},              // Latin-1
      {"\xc0\xaf", false},             // overlong '/'
      {"\xed\xa0\x80", false},         // surrogate
      {"\xf4\x90\x80\x80", false},     // above U+10FFFF
      {"a\xe2\x82", false},            // cut sequence
      {std::string(kManifestMaxPathBytes, 'a'), true},
      {std::string(kManifestMaxPathBytes + 1, 'a'), false},
  };
  for (const auto& row : rows) EXPECT_EQ(is_valid_manifest_path(row.path), row.valid) << '"' << row.path << '"';
}

TEST(ManifestFile, WriteThenReadRoundTripsAndLeavesNoTempFile) {
  std::string dir = "/tmp/relais-unit-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  ASSERT_TRUE(write_manifest_file(dir, sample()).ok());
  auto r = read_manifest_file(dir);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->entries, sample().entries);
  std::size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);
  std::filesystem::remove_all(dir);
}

TEST(ManifestFile, MissingManifestIsAStorageErrorNamingThePath) {
  auto r = read_manifest_file("/nonexistent-relais-dir");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().source, ErrorSource::storage);
  EXPECT_NE(r.error().message.find("/nonexistent-relais-dir/manifest"), std::string::npos);
}

}  // namespace
}  // namespace relais
