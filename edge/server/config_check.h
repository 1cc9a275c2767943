// The checks of --check-config that need nothing started: addresses parse
// and do not collide, and the files and directories the edge will use are
// there (or can be created). Each failure is one Error naming the option;
// all are collected, so an operator fixes a file in one pass.
//
// The certificate and limiter checks are EdgeServer::check's (they build
// what create() builds).
#pragma once

#include <vector>

#include "config/edge_config.h"
#include "origin-sync/result.h"

namespace relais {

void check_addresses(const EdgeConfig& config, std::vector<Error>& errors);
void check_paths(const EdgeConfig& config, std::vector<Error>& errors);

}  // namespace relais
