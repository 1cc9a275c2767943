// relais-edge: serves a published store to clients. See the README for the
// command-line contract; exit 0 on a clean stop, 2 on bad usage or
// configuration (one line naming the option), 1 on a runtime failure.
#include <cstdio>
#include <iostream>

#include "config/edge_options.h"
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
    if (auto s = relais::EdgeServer::check(config); !s.ok()) {
      std::fprintf(stderr, "relais-edge: %s\n", s.error().message.c_str());
      return 2;
    }
    std::printf("relais-edge: configuration OK\n");
    return 0;
  }
  relais::block_server_signals();
  auto server = relais::EdgeServer::create(config);
  if (!server.ok()) {
    const relais::Error& e = server.error();
    std::fprintf(stderr, "relais-edge: %s\n", e.message.c_str());
    return e.source == relais::ErrorSource::config ? 2 : 1;
  }
  return server.value()->run();
}
