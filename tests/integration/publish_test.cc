// relais-sync publish, run as a real binary on temporary trees.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>

#include "tests/integration/harness/sync_support.h"

namespace relais::testing {
namespace {

namespace fs = std::filesystem;

std::string lesson(int n) {
  std::string s = "<!doctype html><html><head><meta charset=utf-8><title>Leçon " + std::to_string(n) + "</title></head><body>\n";
  for (int i = 0; i < 200; ++i) s += "<p>Exercice " + std::to_string(i) + " : calcule " + std::to_string(i * n) + " × 3.</p>\n";
  return s + "</body></html>\n";
}

std::string noise(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::map<std::string, std::string> course() {
  std::string css, js, json, svg, vtt;
  for (int i = 0; i < 200; ++i) {
    css += ".q" + std::to_string(i) + " { margin: 0 auto; color: #333; }\n";
    js += "function exercise" + std::to_string(i) + "() { return " + std::to_string(i) + " * 2; }\n";
    json += (i ? "," : "[") + std::string("{\"id\":") + std::to_string(i) + ",\"titre\":\"Leçon\"}";
    svg += "<circle cx=\"" + std::to_string(i) + "\" cy=\"10\" r=\"5\"/>";
    vtt += std::to_string(i) + "\n00:00:" + std::to_string(10 + i % 50) + ".000 --> 00:00:59.000\nBonjour à tous\n\n";
  }
  return {
      {"index.html", lesson(1)},
      {"cours/maths/lecon2.html", lesson(2)},
      {"cours/maths/copie.html", lesson(1)},  // same bytes as index.html: stored once
      {"css/site.css", css},
      {"js/app.js", js},
      {"data/exercices.json", json + "]"},
      {"img/figure.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\">" + svg + "</svg>"},
      {"videos/cours.vtt", "WEBVTT\n\n" + vtt},
      {"Séance 3 — fractions.pdf", "%PDF-1.4\n" + noise(20'000, 1)},
      {"img/photo.jpg", "\xFF\xD8\xFF\xE0" + noise(30'000, 2)},
      {"README", "Cours de mathématiques, cycle 3.\n"},
      {"vide.txt", ""},
  };
}

void write_tree(const TempDir& dir, const std::string& root, const std::map<std::string, std::string>& files) {
  for (const auto& [path, bytes] : files) dir.write(root + "/" + path, bytes);
}

struct FileId {
  ino_t inode;
  std::int64_t mtime_ns;
  friend bool operator==(const FileId&, const FileId&) = default;
};

std::map<std::string, FileId> snapshot(const std::string& dir) {
  std::map<std::string, FileId> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    struct stat st {};
    ::stat(e.path().c_str(), &st);
    out[e.path().string()] = {st.st_ino, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
  }
  return out;
}

class Publish : public ::testing::Test {
 protected:
  ProcessResult publish(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"publish", src, out};
    args.insert(args.end(), extra.begin(), extra.end());
    return relais_sync(args);
  }
  TempDir dir;
  std::string src = dir.file("src");
  std::string out = dir.file("out");
};

TEST_F(Publish, BlobsAreByteExactAndEveryVariantDecompressesToTheSource) {
  const auto files = course();
  write_tree(dir, "src", files);
  ProcessResult r = publish({"--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(line_count(r.out), 1u) << r.out;  // not a terminal: one summary line
  EXPECT_NE(r.out.find("published 12 files"), std::string::npos) << r.out;
  const Manifest m = read_published_manifest(out);
  EXPECT_EQ(m.generation, 1u);
  ASSERT_EQ(m.entries.size(), files.size());
  for (const auto& [path, bytes] : files) {
    const ManifestEntry* e = find_entry(m, path);
    ASSERT_NE(e, nullptr) << path;
    EXPECT_EQ(e->identity().size, bytes.size()) << path;
    EXPECT_EQ(read_file(blob_path(out, e->identity().hash)), bytes) << path;
    for (const Variant& v : e->variants) {
      const std::string blob = read_file(blob_path(out, v.hash));
      EXPECT_EQ(blob.size(), v.size) << path << " " << encoding_name(v.encoding);
      EXPECT_EQ(hash_bytes(blob), v.hash) << path << " " << encoding_name(v.encoding);
      EXPECT_EQ(decode_variant(v.encoding, blob, bytes.size()), bytes) << path << " " << encoding_name(v.encoding);
    }
  }
  EXPECT_TRUE(temp_files_under(out).empty());
}

TEST_F(Publish, ChoosesTypesAndVariantsByContent) {
  write_tree(dir, "src", course());
  ASSERT_EQ(publish().exit_code, 0);
  const Manifest m = read_published_manifest(out);
  const auto type = [&](std::string_view p) { return find_entry(m, p) ? find_entry(m, p)->content_type : "<missing>"; };
  const auto variants = [&](std::string_view p) { return find_entry(m, p) ? find_entry(m, p)->variants.size() : 0u; };
  EXPECT_EQ(type("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(type("css/site.css"), "text/css; charset=utf-8");
  EXPECT_EQ(type("js/app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(type("data/exercices.json"), "application/json");
  EXPECT_EQ(type("img/figure.svg"), "image/svg+xml");
  EXPECT_EQ(type("videos/cours.vtt"), "text/vtt; charset=utf-8");
  EXPECT_EQ(type("Séance 3 — fractions.pdf"), "application/pdf");
  EXPECT_EQ(type("img/photo.jpg"), "image/jpeg");
  EXPECT_EQ(type("README"), "text/plain; charset=utf-8");
  for (std::string_view text : {"index.html", "css/site.css", "js/app.js", "data/exercices.json", "img/figure.svg", "videos/cours.vtt"})
    EXPECT_EQ(variants(text), 4u) << text;  // identity + br + zstd + gzip
  EXPECT_EQ(variants("Séance 3 — fractions.pdf"), 1u);  // random payload: nothing helps
  EXPECT_EQ(variants("img/photo.jpg"), 1u);
  EXPECT_EQ(variants("vide.txt"), 1u);
  EXPECT_EQ(find_entry(m, "vide.txt")->identity().size, 0u);
  // Identical content is one blob.
  EXPECT_EQ(find_entry(m, "index.html")->variants, find_entry(m, "cours/maths/copie.html")->variants);
}

TEST_F(Publish, RepublishingAnUnchangedTreeRewritesNothing) {
  write_tree(dir, "src", course());
  ASSERT_EQ(publish().exit_code, 0);
  const auto before = snapshot(out);
  const std::string manifest = read_file(out + "/manifest");
  ProcessResult r = publish();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 compressed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 blobs written"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("generation 1 (unchanged)"), std::string::npos) << r.out;
  EXPECT_EQ(snapshot(out), before);
  EXPECT_EQ(read_file(out + "/manifest"), manifest);
}

TEST_F(Publish, AChangedFileChangesOnlyItsOwnEntry) {
  write_tree(dir, "src", course());
  ASSERT_EQ(publish().exit_code, 0);
  const Manifest m1 = read_published_manifest(out);
  const auto before = snapshot(out);
  dir.write("src/css/site.css", "body { color: black; }\n" + read_file(src + "/css/site.css"));
  ProcessResult r = publish();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 compressed"), std::string::npos) << r.out;
  const Manifest m2 = read_published_manifest(out);
  EXPECT_EQ(m2.generation, 2u);
  ASSERT_EQ(m1.entries.size(), m2.entries.size());
  for (std::size_t i = 0; i < m1.entries.size(); ++i) {
    if (m1.entries[i].path == "css/site.css") EXPECT_NE(m1.entries[i], m2.entries[i]);
    else EXPECT_EQ(m1.entries[i], m2.entries[i]) << m1.entries[i].path;
  }
  // Every blob of the first generation is still there, untouched.
  const auto after = snapshot(out);
  for (const auto& [path, id] : before) {
    if (path.ends_with("/manifest")) continue;
    auto it = after.find(path);
    ASSERT_NE(it, after.end()) << path;
    EXPECT_EQ(it->second, id) << path;
  }
}

TEST_F(Publish, SymlinksInsideAreFollowedOutsideAndLoopsAreWarnedAndSkipped) {
  dir.write("src/lecon.html", lesson(3));
  dir.write("secret/passwd", "root:x:0:0\n");
  ASSERT_EQ(::symlink("lecon.html", (src + "/alias.html").c_str()), 0);
  ASSERT_EQ(::symlink(dir.file("secret/passwd").c_str(), (src + "/passwd").c_str()), 0);
  ASSERT_EQ(::symlink("../secret", (src + "/secret-dir").c_str()), 0);
  ASSERT_EQ(::symlink(".", (src + "/loop").c_str()), 0);
  ProcessResult r = publish();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: skipping passwd: symlink points outside the source directory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warning: skipping secret-dir: symlink points outside"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warning: skipping loop: symlink loop"), std::string::npos) << r.err;
  const Manifest m = read_published_manifest(out);
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].path, "alias.html");
  EXPECT_EQ(m.entries[0].variants, m.entries[1].variants);
  EXPECT_EQ(read_file(out + "/manifest").find("root:x"), std::string::npos);
}

TEST_F(Publish, OddNamesAndUnreadableEntriesAreSkippedWithAWarningNamingThem) {
  dir.write("src/ok.txt", "ok\n");
  dir.write("src/Séance 3 — fractions.pdf", "%PDF-1.4\n");
  dir.write("src/bad\xff\xfename.txt", "latin-1 name\n");
  dir.write("src/back\\slash.txt", "x");
  ASSERT_EQ(::mkfifo((src + "/fifo").c_str(), 0644), 0);
  ASSERT_EQ(::symlink("does-not-exist", (src + "/dangling").c_str()), 0);
  ProcessResult r = publish();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (std::string_view needle : {"skipping bad\\xff\\xfename.txt: name is not valid UTF-8", "skipping back\\x5cslash.txt",
                                  "skipping fifo: not a regular file", "skipping dangling: broken symlink"})
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << "\n" << r.err;
  EXPECT_EQ(line_count(r.err), 4u) << r.err;
  const Manifest m = read_published_manifest(out);
  ASSERT_EQ(m.entries.size(), 2u);
  EXPECT_EQ(m.entries[0].path, "Séance 3 — fractions.pdf");
  EXPECT_EQ(m.entries[1].path, "ok.txt");
}

TEST_F(Publish, UnreadableFileIsSkippedWithAWarning) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads chmod 000 files; the FIFO and dangling-symlink rows cover unreadable input";
  dir.write("src/ok.txt", "ok\n");
  dir.write("src/secret.txt", "no\n");
  ASSERT_EQ(::chmod((src + "/secret.txt").c_str(), 0), 0);
  ProcessResult r = publish();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("skipping secret.txt: cannot open: Permission denied"), std::string::npos) << r.err;
  EXPECT_EQ(read_published_manifest(out).entries.size(), 1u);
}

TEST_F(Publish, OutputInsideTheSourceIsAUsageError) {
  dir.write("src/a.txt", "a");
  for (const std::string& bad_out : {src + "/out", src, src + "/sub/../out2"}) {
    ProcessResult r = relais_sync({"publish", src, bad_out});
    EXPECT_EQ(r.exit_code, 2) << bad_out;
    EXPECT_EQ(line_count(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("inside the source directory"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(fs::exists(src + "/out/manifest"));
}

TEST_F(Publish, MissingSourceIsAUsageError) {
  ProcessResult r = relais_sync({"publish", dir.file("nope"), out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
}

TEST_F(Publish, WriteFailureExitsOneAndKeepsThePreviousManifestComplete) {
  dir.write("src/a.html", lesson(1));
  ASSERT_EQ(publish().exit_code, 0);
  const std::string manifest = read_file(out + "/manifest");
  // The next publish must write the blob of b.html; a directory squatting on
  // its final name makes the rename fail, like a full or broken disk would.
  const std::string fresh = lesson(7);
  dir.write("src/b.html", fresh);
  fs::create_directories(blob_path(out, hash_bytes(fresh)) + "/squatter");
  ProcessResult r = publish();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find(hash_bytes(fresh).hex()), std::string::npos) << r.err;
  EXPECT_EQ(read_file(out + "/manifest"), manifest);
  EXPECT_TRUE(temp_files_under(out).empty());
  EXPECT_EQ(relais_sync({"verify", "--store", out}).exit_code, 0);
}

TEST_F(Publish, CorruptPreviousManifestIsARuntimeFailure) {
  dir.write("src/a.txt", "a");
  dir.write("out/manifest", "relais-manifest\t1.0\ngeneration\t4\n");
  ProcessResult r = publish();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(line_count(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace relais::testing
