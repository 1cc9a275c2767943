// [site.NAME] sections of relais-edge's config file: many publishers on one
// edge (config/relais-edge.conf, "Sites").
//
//   [site.rectorat]
//   hosts = rectorat.example, *.rectorat.example
//   store = /var/lib/relais/rectorat
//   origin = https://publish.rectorat.example/out
//
// Sections come only from the config file. Each key is checked like its
// global twin, and an error names it in full: "--site.rectorat.sync-jobs:
// '0' is not a count between 1 and 64" (exit 2).
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/cli_outcome.h"
#include "config/edge_config.h"
#include "config/option_parsing.h"

namespace relais {

// Fills c.sites from the keys parse_into() collected ("site.NAME.key"), in
// the order the sections first appear. Runs after the global options are
// final: a key a section leaves out takes the global value.
std::optional<CliOutcome> parse_site_sections(const std::vector<boost::program_options::option>& keys,
                                              EdgeConfig& c);

// The "site.NAME.key = value" lines of describe_edge_config.
std::string describe_sites(const EdgeConfig& c);

// The sites the edge runs: c.sites, or without sections the one implicit
// site made of the global options (name "default", no host patterns).
std::vector<SiteConfig> effective_sites(const EdgeConfig& c);

// The bounds of a numeric global option (config/edge_options.cc, kBounded),
// which its per-site twin shares.
const BoundedOption& edge_bound(std::string_view name);

}  // namespace relais
