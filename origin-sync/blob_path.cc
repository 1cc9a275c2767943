#include "origin-sync/blob_path.h"

namespace relais {

std::string blob_relative_path(const ContentHash& hash) {
  // "blobs/" + 2 + "/" + 32
  std::string path = "blobs/xx/";
  path.resize(path.size() + ContentHash::kHexLength);
  hash.write_hex(path.data() + 9);
  path[6] = path[9];
  path[7] = path[10];
  return path;
}

std::string blob_path(const std::string& root, const ContentHash& hash) {
  return root + "/" + blob_relative_path(hash);
}

}  // namespace relais
