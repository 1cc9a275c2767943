// AtomicFile: a file that is never seen half-written.
//
// Bytes go to a temporary file in the destination's own directory (so the
// rename cannot cross file systems); commit() fsyncs it and renames it over
// the final name. A reader sees either the old file or the whole new one.
// Dropping an AtomicFile without commit() unlinks the temporary file, so a
// failed or abandoned write leaves nothing behind but the old state.
//
// Temporary names start with ".tmp." so that a store scanner can tell them
// from blobs; they contain the pid and a counter so concurrent writers (the
// publisher's workers) never collide.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "origin-sync/result.h"
#include "origin-sync/unique_fd.h"

namespace relais {

class AtomicFile {
 public:
  // Opens a fresh temporary file next to final_path; the directory must exist.
  static Result<AtomicFile> create(std::string final_path);

  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  Status write(std::string_view bytes);
  std::uint64_t bytes_written() const { return written_; }

  // fsync(temp), rename(temp, final). When sync_directory is true the
  // directory is fsynced too; callers that commit many files into a few
  // directories pass false and call fsync_directory() once per directory
  // before anything that refers to those files becomes visible.
  Status commit(bool sync_directory = true);

  const std::string& final_path() const { return final_path_; }

 private:
  AtomicFile(std::string final_path, std::string temp_path, UniqueFd fd);

  std::string final_path_;
  std::string temp_path_;
  UniqueFd fd_;
  std::uint64_t written_ = 0;
  bool committed_ = false;
};

// Whole-file convenience: temp, write, fsync, rename, fsync(directory).
Status write_file_atomically(const std::string& path, std::string_view bytes);

// fsync() of a directory, so that renames into it survive a crash.
Status fsync_directory(const std::string& dir);

// mkdir -p; existing directories are fine, a non-directory in the way is not.
Status make_directories(const std::string& path);

// The directory part of path ("." when there is none).
std::string parent_directory(const std::string& path);

}  // namespace relais
