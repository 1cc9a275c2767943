// relais-edge: serves a published store to clients. See the README for the
// command-line contract; exit 0 on a clean stop, 2 on bad usage or
// configuration (one line naming the option), 1 on a runtime failure.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "config/edge_options.h"
#include "edge/server/certificate_coverage.h"
#include "edge/server/edge_server.h"

int main(int argc, char** argv) {
  relais::EdgeConfig config;
  relais::CliOutcome cli = relais::parse_edge_options(argc, argv, std::cout, config);
  if (cli.kind == relais::CliOutcome::Kind::done) return 0;
  if (cli.kind == relais::CliOutcome::Kind::usage_error) {
    std::fprintf(stderr, "relais-edge: %s\n", cli.message.c_str());
    return 2;
  }
  if (config.check_only) {
    // The effective configuration on stdout, one line per error on stderr.
    std::fputs(relais::describe_edge_config(config).c_str(), stdout);
    const std::vector<relais::Error> errors = relais::EdgeServer::check(config);
    for (const relais::Error& e : errors) std::fprintf(stderr, "relais-edge: %s\n", e.message.c_str());
    // Warnings leave the exit code alone: the edge would start and serve.
    for (const std::string& w : relais::certificate_coverage_warnings(config)) std::fprintf(stderr, "%s\n", w.c_str());
    if (!errors.empty()) return 2;
    std::printf("relais-edge: configuration OK\n");
    return 0;
  }
  relais::block_server_signals();
  auto server = relais::EdgeServer::create(config, std::vector<std::string>(argv, argv + argc));
  if (!server.ok()) {
    const relais::Error& e = server.error();
    std::fprintf(stderr, "relais-edge: %s\n", e.message.c_str());
    return e.source == relais::ErrorSource::config ? 2 : 1;
  }
  return server.value()->run();
}
