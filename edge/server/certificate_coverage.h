// Whether each site's certificate names the site's host names: the warnings
// of --check-config (a line each, "warning: ...", exit code unchanged).
//
// A host a certificate does not cover still routes to its site, but a
// browser refuses the connection: a configuration that starts and fails
// every HTTPS client of that name. Checked against the leaf's
// subjectAltName DNS names only (browsers ignore the subject CN): an exact
// host with X509_check_host (a SAN wildcard covers one label, never a
// partial one), a "*.name" host only by the same SAN wildcard (no list of
// names covers every name under it). Files that do not load are the errors
// of EdgeServer::check, not warnings here.
#pragma once

#include <string>
#include <vector>

#include "config/edge_config.h"

namespace relais {

std::vector<std::string> certificate_coverage_warnings(const EdgeConfig& config);

}  // namespace relais
