// TempDir and read_file: scratch directories and files for integration tests.
//
// A TempDir is created under $TMPDIR (or /tmp) and removed with everything in
// it when dropped, even when a test made parts of it unreadable.
#pragma once

#include <string>
#include <string_view>

namespace relais::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();  // rm -rf
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + relative
  std::string file(std::string_view relative) const;
  // Writes bytes to file(relative), creating parent directories; ADD_FAILURE on error.
  void write(std::string_view relative, std::string_view bytes) const;

 private:
  std::string path_;
};

// The whole file; ADD_FAILURE and "" when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace relais::testing
