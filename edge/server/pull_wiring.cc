#include "edge/server/pull_wiring.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace relais {

// Every origin a pulling site names, once (the health state is per URL),
// as configured at start: origin-url changes need a restart.
std::vector<std::string> pulled_origins(const EdgeConfig& c) {
  std::vector<std::string> out;
  auto add = [&out](const std::string& mode, const std::vector<std::string>& urls) {
    if (mode == "manifest") return;
    for (const std::string& url : urls)
      if (std::find(out.begin(), out.end(), url) == out.end()) out.push_back(url);
  };
  if (c.sites.empty()) add(c.mode, c.origin_urls);
  for (const SiteConfig& site : c.sites) add(site.mode, site.origin_urls);
  return out;
}

// Each worker has its own origin client, coalescer and pulled objects
// (docs/PULL_THROUGH.md): the memory is split between them.
pull::PullSettings pull_settings_from(const EdgeConfig& c) {
  pull::PullSettings p;
  p.origin.connect_timeout = std::chrono::milliseconds(c.pull_connect_timeout_ms);
  p.origin.first_byte_timeout = std::chrono::milliseconds(c.pull_first_byte_timeout_ms);
  p.origin.between_bytes_timeout = std::chrono::milliseconds(c.pull_between_bytes_timeout_ms);
  p.origin.min_rate = c.pull_min_rate;
  p.origin.max_connections_per_host = static_cast<long>(c.pull_max_connections);
  p.origin.max_idle_connections = static_cast<long>(c.pull_idle_connections);
  p.origin.max_body_bytes = c.pull_max_body;
  p.coalescer.max_keys = static_cast<std::size_t>(c.pull_max_keys);
  p.address_fetches = static_cast<std::uint32_t>(c.pull_address_fetches);
  p.coalescer.max_window_bytes = static_cast<std::size_t>(c.pull_window);
  p.coalescer.lag_timeout = std::chrono::milliseconds(c.pull_lag_timeout_ms);
  p.coalescer.health.max_fails = static_cast<unsigned>(c.pull_origin_fails);
  p.coalescer.health.down_time = std::chrono::milliseconds(c.pull_origin_down_time_ms);
  p.coalescer.health.rise = static_cast<unsigned>(c.pull_health_rise);
  p.probe.path = c.pull_health_path;
  p.probe.interval = std::chrono::milliseconds(c.pull_health_interval_ms);
  p.probe.timeout = std::chrono::milliseconds(c.pull_health_timeout_ms);
  p.probe_origins = pulled_origins(c);
  p.memory_bytes = c.pull_memory / std::max(1u, c.workers);
  p.object_max = c.pull_object_max;
  p.file_min = c.memory_object_max_bytes;
  p.compress_max = c.pull_compress_max;
  p.slice_size = c.pull_slice_size;
  p.slice_min = c.pull_slice_min;
  p.reuse.freshness.negative_lifetime = static_cast<std::int64_t>(c.pull_negative_ttl_ms / 1000);
  p.reuse.error_grace = static_cast<std::int64_t>(c.pull_stale_grace_ms / 1000);
  return p;
}

// The disk tier of pulled objects, when a site pulls and pull-disk-size is
// not 0. A directory that cannot be used (not writable, locked by another
// edge) is no reason not to serve: pulled objects then live in RAM only.
std::unique_ptr<pull::PulledDisk> open_pulled_disk(const EdgeConfig& c, const std::vector<std::unique_ptr<Site>>& sites) {
  const bool pulls = std::any_of(sites.begin(), sites.end(), [](const auto& s) { return s->config.mode != "manifest"; });
  if (!pulls || c.pull_disk_size == 0) return nullptr;
  pull::PulledDiskSettings settings;
  settings.dir = c.pull_disk_dir;
  settings.capacity_bytes = c.pull_disk_size;
  auto disk = pull::PulledDisk::open(settings);
  if (!disk.ok()) {
    std::fprintf(stderr, "relais-edge: pull-disk-dir: %s; pulled objects are kept in RAM only\n",
                 disk.error().message.c_str());
    return nullptr;
  }
  const pull::PulledDiskScan& scan = disk.value()->scan();
  std::fprintf(stderr, "relais-edge: pull-disk-dir %s: %llu objects, %llu bytes; %llu files removed\n",
               c.pull_disk_dir.c_str(), static_cast<unsigned long long>(scan.objects),
               static_cast<unsigned long long>(scan.bytes), static_cast<unsigned long long>(scan.removed));
  return std::move(disk.value());
}

}  // namespace relais
