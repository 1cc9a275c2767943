// The disk tier's tests (edge_pull_disk_test.cc, edge_pull_slices_disk_test.cc):
// the pulled objects' directory under the fixture's store, its files, and a
// restart of the edge on it.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/integration/edge_pull_fixture.h"

namespace relais::testing {

class EdgePullDiskBase : public EdgePullBase {
 protected:
  std::string pulled_dir() const { return dir_.file("out/pulled"); }

  std::vector<std::filesystem::path> pulled_files() const {
    std::vector<std::filesystem::path> out;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(pulled_dir(), ec))
      if (e.path().extension() == ".pull") out.push_back(e.path());
    return out;
  }

  std::uint64_t pulled_bytes() const {
    std::uint64_t n = 0;
    for (const auto& p : pulled_files()) n += std::filesystem::file_size(p);
    return n;
  }

  // The file whose bytes contain needle (a body of the test's).
  std::filesystem::path file_holding(const std::string& needle) const {
    for (const auto& p : pulled_files()) {
      std::ifstream in(p, std::ios::binary);
      const std::string bytes(std::istreambuf_iterator<char>(in), {});
      if (bytes.find(needle) != std::string::npos) return p;
    }
    ADD_FAILURE() << "no file holds " << needle;
    return {};
  }

  // Writes are off the event loop: wait until `n` are on disk.
  void await_writes(double n) { ASSERT_GE(await_metric("relais_pull_disk_writes_total", n), n); }

  void restart(const ScriptedOrigin& origin, std::vector<std::string> flags = {"--mode", "pull"}) {
    edge_.process.reset();  // SIGTERM, waited for
    start(origin, std::move(flags));
  }
};

}  // namespace relais::testing
