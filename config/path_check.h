// Checks of the paths an option names, for --check-config of both binaries:
// each returns the one line to print ("--store: '/x' is not a directory"), or
// nothing when the path is usable. Only looks (stat, access): creates nothing.
#pragma once

#include <optional>
#include <string>

namespace relais {

// A directory that exists with access_mode (R_OK, W_OK, X_OK), or, when
// may_create, does not exist yet but its nearest existing ancestor lets us
// create it.
std::optional<std::string> check_directory(const char* option, const std::string& path, int access_mode, bool may_create);
// A file we append to (a log): a writable regular file, or creatable in its directory.
std::optional<std::string> check_appendable_file(const char* option, const std::string& path);

}  // namespace relais
