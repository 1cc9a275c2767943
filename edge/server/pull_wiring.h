// What the edge's configuration makes of pull-through at start-up: the
// workers' pull settings (each worker's share of the memory, the origins its
// prober watches) and the disk tier of pulled objects they share.
// origin-url, mode and the pull bounds need a restart (docs/PULL_THROUGH.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/edge_config.h"
#include "edge/pull/pull_service.h"
#include "edge/pull/pulled_disk.h"
#include "edge/server/site.h"

namespace relais {

// Every origin a pulling site names, once (the health state is per URL).
std::vector<std::string> pulled_origins(const EdgeConfig& c);

pull::PullSettings pull_settings_from(const EdgeConfig& c);

// nullptr when no site pulls, pull-disk-size is 0, or the directory cannot be used.
std::unique_ptr<pull::PulledDisk> open_pulled_disk(const EdgeConfig& c, const std::vector<std::unique_ptr<Site>>& sites);

}  // namespace relais
