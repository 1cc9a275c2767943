#include "edge/pull/pulled_disk.h"
#include "edge/server/metrics.h"

#include "edge/server/prometheus_text.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

namespace relais {
namespace {

class Exposition {
 public:
  explicit Exposition(const std::vector<const WorkerStats*>& workers) : workers_(workers) {}

  void header(const char* name, const char* type, const char* help) { append_metric_header(out_, name, type, help); }
  void sample(const char* name, const char* labels, double value) { append_metric_sample(out_, name, labels, value); }
  std::uint64_t sum(const std::function<const Counter&(const WorkerStats&)>& pick) const {
    std::uint64_t total = 0;
    for (const WorkerStats* w : workers_) total += pick(*w).get();
    return total;
  }
  void metric(const char* name, const char* type, const char* help,
              const std::function<const Counter&(const WorkerStats&)>& pick) {
    header(name, type, help);
    sample(name, "", static_cast<double>(sum(pick)));
  }
  void gauge(const char* name, const char* help, double value) {
    header(name, "gauge", help);
    sample(name, "", value);
  }
  std::string take() { return std::move(out_); }

 private:
  const std::vector<const WorkerStats*>& workers_;
  std::string out_;
};

// {site="NAME"} or {site="NAME",extra}: the site first, as in the histograms.
std::string site_labels(const SiteGauges& site, std::string_view extra = {}) {
  std::string labels = "{site=\"";
  append_label_value(labels, site.name);
  labels.append("\"");
  if (!extra.empty()) labels.append(",").append(extra);
  labels.append("}");
  return labels;
}

// One family with one series per site that has it (`has`); no header at
// all when none has, as before the label (sync only with an origin...).
void per_site(Exposition& e, const std::vector<SiteGauges>& sites, const char* name, const char* type, const char* help,
              const std::function<bool(const SiteGauges&)>& has,
              const std::function<void(const SiteGauges&, const std::string& name)>& samples) {
  if (std::none_of(sites.begin(), sites.end(), has)) return;
  e.header(name, type, help);
  for (const SiteGauges& site : sites)
    if (has(site)) samples(site, name);
}

double load(const std::atomic<std::uint64_t>& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); }

void render_sync(Exposition& e, const std::vector<SiteGauges>& sites) {
  auto synced = [](const SiteGauges& s) { return s.sync != nullptr && s.sync->enabled.load(); };
  auto one = [&e](const SiteGauges& site, const std::string& name, const char* extra, double value) {
    e.sample(name.c_str(), site_labels(site, extra).c_str(), value);
  };
  per_site(e, sites, "relais_sync_last_success_timestamp_seconds", "gauge", "Unix time of the last successful sync (0: never).", synced,
           [&](const SiteGauges& s, const std::string& n) { one(s, n, "", static_cast<double>(s.sync->last_success_unix.load())); });
  per_site(e, sites, "relais_sync_last_ok", "gauge", "1 if the last sync succeeded.", synced,
           [&](const SiteGauges& s, const std::string& n) { one(s, n, "", s.sync->last_ok.load() ? 1 : 0); });
  per_site(e, sites, "relais_sync_last_duration_seconds", "gauge", "Duration of the last sync.", synced,
           [&](const SiteGauges& s, const std::string& n) { one(s, n, "", load(s.sync->last_duration_ms) / 1000.0); });
  per_site(e, sites, "relais_sync_runs_total", "counter", "Syncs with the origin, by result.", synced,
           [&](const SiteGauges& s, const std::string& n) {
             one(s, n, "result=\"not_modified\"", load(s.sync->not_modified));
             one(s, n, "result=\"all\"", load(s.sync->syncs));
           });
  per_site(e, sites, "relais_sync_failures_total", "counter", "Failed syncs, by reason; the last good catalog stays in service.", synced,
           [&](const SiteGauges& s, const std::string& n) {
             for (int i = 1; i < SyncStats::kFailureKinds; ++i)
               one(s, n, ("reason=\"" + std::string(kSyncFailureNames[i]) + "\"").c_str(), load(s.sync->failures[i]));
           });
  per_site(e, sites, "relais_sync_blobs_total", "counter", "Blob downloads, by outcome.", synced,
           [&](const SiteGauges& s, const std::string& n) {
             one(s, n, "outcome=\"verified\"", load(s.sync->blobs_fetched));
             one(s, n, "outcome=\"failed\"", load(s.sync->blobs_failed));
             one(s, n, "outcome=\"rejected\"", load(s.sync->blobs_rejected));
             one(s, n, "outcome=\"collected\"", load(s.sync->blobs_collected));
           });
  per_site(e, sites, "relais_sync_bytes_fetched_total", "counter", "Blob bytes received from the origin.", synced,
           [&](const SiteGauges& s, const std::string& n) { one(s, n, "", load(s.sync->bytes_fetched)); });
}

void render_blob_checks(Exposition& e, const std::vector<SiteGauges>& sites) {
  e.header("relais_blob_errors_total", "counter", "Blob files not served, by what was wrong with them.");
  e.sample("relais_blob_errors_total", "{kind=\"short\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.blob_short; })));
  e.sample("relais_blob_errors_total", "{kind=\"refused\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.blob_refused; })));
  e.sample("relais_blob_errors_total", "{kind=\"corrupt\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.blob_corrupt; })));
  auto rehashed = [](const SiteGauges& s) { return s.rehash != nullptr && s.rehash->enabled.load(); };
  auto family = [&](const char* name, const char* help, const std::atomic<std::uint64_t> RehashStats::*field) {
    per_site(e, sites, name, "counter", help, rehashed, [&](const SiteGauges& s, const std::string& n) {
      e.sample(n.c_str(), site_labels(s).c_str(), load(s.rehash->*field));
    });
  };
  family("relais_blob_rehash_blobs_total", "Blobs re-hashed in the background (--rehash-rate).", &RehashStats::blobs_checked);
  family("relais_blob_rehash_bytes_total", "Bytes re-read and re-hashed in the background.", &RehashStats::bytes_hashed);
  family("relais_blob_rehash_corrupt_total", "Blobs found corrupt by the re-hash: removed (or quarantined), no longer served.", &RehashStats::corrupt_found);
  family("relais_blob_rehash_passes_total", "Complete re-hash walks of the store.", &RehashStats::passes);
}

void render_catalogs(Exposition& e, const std::vector<SiteGauges>& sites) {
  auto all = [](const SiteGauges&) { return true; };
  auto gauge = [&](const char* name, const char* help, const std::function<bool(const SiteGauges&)>& has,
                   const std::function<double(const SiteGauges&)>& value) {
    per_site(e, sites, name, "gauge", help, has,
             [&](const SiteGauges& s, const std::string& n) { e.sample(n.c_str(), site_labels(s).c_str(), value(s)); });
  };
  gauge("relais_catalog_loaded", "1 once a catalog is in service.", all, [](const SiteGauges& s) { return s.catalog_loaded ? 1.0 : 0.0; });
  gauge("relais_catalog_generation", "Manifest generation in service.", all, [](const SiteGauges& s) { return static_cast<double>(s.catalog_generation); });
  gauge("relais_catalog_objects", "Paths in the catalog in service.", all, [](const SiteGauges& s) { return static_cast<double>(s.catalog_entries); });
  auto signed_ = [](const SiteGauges& s) { return s.publication_signed; };
  gauge("relais_publication_age_seconds", "Seconds since the signed publication in service was published.", signed_,
        [](const SiteGauges& s) { return s.publication_age_seconds; });
  gauge("relais_publication_expiry_timestamp_seconds", "When the signed publication in service expires (unix seconds).", signed_,
        [](const SiteGauges& s) { return static_cast<double>(s.publication_expires_unix); });
  gauge("relais_publication_expired", "1 while the publication in service is past its expiry and no newer one could be had (still served).", signed_,
        [](const SiteGauges& s) { return s.publication_expired ? 1.0 : 0.0; });
}

void render_http2(Exposition& e) {
  e.metric("relais_http2_connections_total", "counter", "Connections that spoke HTTP/2 (ALPN h2 or prior knowledge).", [](const WorkerStats& w) -> const Counter& { return w.http2_connections; });
  e.metric("relais_http2_streams_total", "counter", "HTTP/2 requests answered (also counted in relais_requests_total).", [](const WorkerStats& w) -> const Counter& { return w.http2_streams; });
  e.header("relais_http2_resets_total", "counter", "HTTP/2 stream resets, by who sent them (server: stream errors the client caused).");
  e.sample("relais_http2_resets_total", "{by=\"client\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.http2_resets_received; })));
  e.sample("relais_http2_resets_total", "{by=\"server\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.http2_resets_sent; })));
  // RFC 9113 §7, by code; index 0 (NO_ERROR) holds codes it does not define.
  static constexpr const char* kCodes[WorkerStats::kHttp2ErrorCodes] = {
      "unknown",         "protocol_error", "internal_error", "flow_control_error", "settings_timeout",
      "stream_closed",   "frame_size_error", "refused_stream", "cancel", "compression_error",
      "connect_error",   "enhance_your_calm", "inadequate_security", "http_1_1_required"};
  e.header("relais_http2_goaway_errors_total", "counter",
           "HTTP/2 connections ended with an error GOAWAY, by code: the edge's (budgets, slow readers) and nghttp2's own.");
  for (std::size_t code = 0; code < WorkerStats::kHttp2ErrorCodes; ++code) {
    const std::string label = std::string("{code=\"") + kCodes[code] + "\"}";
    e.sample("relais_http2_goaway_errors_total", label.c_str(),
             static_cast<double>(e.sum([code](const WorkerStats& w) -> const Counter& { return w.http2_goaway_errors[code]; })));
  }
}

// Per worker, each probes on its own: the share of workers that count the
// origin up (1: all, 0: none; between: they disagree for up to an interval).
void render_origin_health(Exposition& e, const std::vector<const WorkerStats*>& workers, const std::vector<std::string>& origins) {
  e.metric("relais_pull_health_probes_total", "counter", "Active health probes sent to origins (pull-health-path), all workers.", [](const WorkerStats& w) -> const Counter& { return w.pull_health_probes; });
  e.metric("relais_pull_health_probe_failures_total", "counter", "Health probes that failed: no connection, no head within pull-health-timeout, a status outside 2xx/3xx.", [](const WorkerStats& w) -> const Counter& { return w.pull_health_probe_failures; });
  e.header("relais_pull_origin_up", "gauge", "Share of workers that count the origin up (health probes and passive health): 1 all, 0 none.");
  for (std::size_t i = 0; i < origins.size(); ++i) {
    std::size_t down = 0;
    for (const WorkerStats* w : workers) down += i < w->pull_origin_down.size() && w->pull_origin_down[i].get() != 0 ? 1 : 0;
    std::string labels = "{origin=\"";
    append_label_value(labels, origins[i]);
    labels += "\"}";
    const double up = workers.empty() ? 1.0 : static_cast<double>(workers.size() - down) / static_cast<double>(workers.size());
    e.sample("relais_pull_origin_up", labels.c_str(), up);
  }
}

void render_pull(Exposition& e) {
  e.header("relais_pull_responses_total", "counter", "Pull-through responses, by outcome (RFC 9211 terms).");
  const std::pair<const char*, Counter WorkerStats::*> outcomes[] = {
      {"{outcome=\"hit\"}", &WorkerStats::pull_hit},         {"{outcome=\"miss\"}", &WorkerStats::pull_miss},
      {"{outcome=\"stale\"}", &WorkerStats::pull_stale},     {"{outcome=\"revalidated\"}", &WorkerStats::pull_revalidated},
      {"{outcome=\"coalesced\"}", &WorkerStats::pull_coalesced}, {"{outcome=\"error\"}", &WorkerStats::pull_errors},
      {"{outcome=\"pass\"}", &WorkerStats::pull_pass}};
  for (const auto& [labels, member] : outcomes)
    e.sample("relais_pull_responses_total", labels, static_cast<double>(e.sum([member](const WorkerStats& w) -> const Counter& { return w.*member; })));
  e.metric("relais_pull_invalidated_total", "counter", "Pulled objects dropped from a worker's RAM after a POST, PUT, PATCH or DELETE got a 2xx/3xx (RFC 9111 §4.4).", [](const WorkerStats& w) -> const Counter& { return w.pull_invalidated; });
  e.metric("relais_pull_waiters", "gauge", "Clients and stores waiting on origin fetches.", [](const WorkerStats& w) -> const Counter& { return w.pull_waiters; });
  e.metric("relais_pull_objects", "gauge", "Pulled objects held in RAM.", [](const WorkerStats& w) -> const Counter& { return w.pull_objects; });
  e.metric("relais_pull_used_bytes", "gauge", "Bytes held by pulled objects.", [](const WorkerStats& w) -> const Counter& { return w.pull_used_bytes; });
  e.metric("relais_pull_held_bytes", "gauge", "Body bytes origin fetches hold for their waiters (in flight, or read by slow clients after the fetch).", [](const WorkerStats& w) -> const Counter& { return w.pull_held_bytes; });
  e.metric("relais_pull_origin_failovers_total", "counter", "Origin fetches moved on to the site's next origin (failure before the head).", [](const WorkerStats& w) -> const Counter& { return w.pull_origin_failovers; });
  e.metric("relais_pull_compressed_objects_total", "counter", "Pulled identity text objects given br/zstd/gzip variants (pull-compress-max).", [](const WorkerStats& w) -> const Counter& { return w.pull_compressed; });
  e.metric("relais_pull_compress_skipped_total", "counter", "Pulled objects left identity only: the compressor's queue was full.", [](const WorkerStats& w) -> const Counter& { return w.pull_compress_skipped; });
  e.metric("relais_pull_compress_saved_bytes_total", "counter", "Body bytes not sent because a pulled hit was served with a content coding.", [](const WorkerStats& w) -> const Counter& { return w.pull_compress_saved_bytes; });
  e.metric("relais_pull_lagged_total", "counter", "Clients cut for holding the fetch window of a response not stored longer than pull-lag-timeout while another client waited.", [](const WorkerStats& w) -> const Counter& { return w.pull_lagged; });
  e.metric("relais_pull_origins_marked_down_total", "counter", "Times an origin was marked down: pull-origin-fails failures in a row, or a failed health probe (each worker counts its own).", [](const WorkerStats& w) -> const Counter& { return w.pull_origins_marked_down; });
}

}  // namespace

const char* const kSyncFailureNames[SyncStats::kFailureKinds] = {
    "none", "busy", "manifest_fetch", "manifest_invalid", "blob_fetch", "blob_verify", "storage", "cancelled", "no_space",
    "untrusted", "rollback"};

std::string render_metrics(const std::vector<const WorkerStats*>& workers, const EdgeGauges& g,
                           const std::vector<std::string>* site_names) {
  Exposition e(workers);
  e.header("relais_requests_total", "counter", "Requests answered, by status class; 501 and 505 to requests the parser refused count as 4xx (the client's doing).");
  for (int c = 1; c <= 5; ++c) {
    char labels[32];
    std::snprintf(labels, sizeof labels, "{class=\"%dxx\"}", c);
    e.sample("relais_requests_total", labels, static_cast<double>(e.sum([c](const WorkerStats& w) -> const Counter& { return w.requests_by_class[c]; })));
  }
  e.metric("relais_response_body_bytes_total", "counter", "Body bytes of the responses finished (a stream reset before its end counts the bytes it sent).", [](const WorkerStats& w) -> const Counter& { return w.bytes_out; });
  e.metric("relais_sent_bytes_total", "counter", "Bytes written to client sockets (heads and bodies; for HTTPS, what went into TLS).", [](const WorkerStats& w) -> const Counter& { return w.bytes_sent; });
  e.header("relais_cache_hits_total", "counter", "Bodies served, by tier.");
  e.sample("relais_cache_hits_total", "{tier=\"memory\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.memory_hits; })));
  e.sample("relais_cache_hits_total", "{tier=\"disk\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.disk_hits; })));
  e.metric("relais_not_found_total", "counter", "Requests for paths outside the catalog.", [](const WorkerStats& w) -> const Counter& { return w.not_found; });
  e.header("relais_errors_total", "counter", "Errors, by kind.");
  e.sample("relais_errors_total", "{kind=\"blob_unavailable\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.blob_errors; })));
  e.sample("relais_errors_total", "{kind=\"bad_request\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.parse_errors; })));
  e.sample("relais_errors_total", "{kind=\"header_timeout\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.header_timeouts; })));
  e.sample("relais_errors_total", "{kind=\"send_timeout\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.send_timeouts; })));
  e.sample("relais_errors_total", "{kind=\"connection_refused\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.connections_refused; })));
  e.sample("relais_errors_total", "{kind=\"slow_reader\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.slow_readers; })));
  e.header("relais_limited_total", "counter", "Requests and connections refused by per-address limits (429).");
  e.sample("relais_limited_total", "{limit=\"request_rate\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.rate_limited; })));
  e.sample("relais_limited_total", "{limit=\"connections\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.address_refused; })));
  e.metric("relais_idle_connections_shed_total", "counter", "Idle keep-alive connections closed to make room near the connection bound.", [](const WorkerStats& w) -> const Counter& { return w.idle_shed; });
  e.metric("relais_connections_accepted_total", "counter", "Client connections accepted.", [](const WorkerStats& w) -> const Counter& { return w.connections_accepted; });
  e.metric("relais_connections_open", "gauge", "Client connections open now.", [](const WorkerStats& w) -> const Counter& { return w.connections_open; });
  e.gauge("relais_connections_max", "Bound on open client connections.", static_cast<double>(g.max_connections));
  e.metric("relais_memory_cache_used_bytes", "gauge", "Bytes held by the memory tier.", [](const WorkerStats& w) -> const Counter& { return w.memory_used_bytes; });
  e.gauge("relais_memory_cache_capacity_bytes", "Bound of the memory tier.", static_cast<double>(g.memory_capacity_bytes));
  e.metric("relais_memory_cache_objects", "gauge", "Objects in the memory tier.", [](const WorkerStats& w) -> const Counter& { return w.memory_objects; });
  e.metric("relais_memory_cache_evictions_total", "counter", "Objects evicted from the memory tier.", [](const WorkerStats& w) -> const Counter& { return w.memory_evictions; });
  e.metric("relais_open_blob_files", "gauge", "Blob files held open for sendfile.", [](const WorkerStats& w) -> const Counter& { return w.open_blob_files; });
  render_blob_checks(e, g.sites);
  render_http2(e);
  render_pull(e);
  if (g.probed_origins != nullptr && !g.probed_origins->empty()) render_origin_health(e, workers, *g.probed_origins);
  if (const pull::PulledDiskStats* d = g.pull_disk) {
    e.gauge("relais_pull_disk_objects", "Pulled objects kept on disk.", static_cast<double>(d->objects.load()));
    e.gauge("relais_pull_disk_used_bytes", "Bytes of the pulled objects' files.", static_cast<double>(d->used_bytes.load()));
    const std::pair<const char*, const std::atomic<std::uint64_t>*> counters[] = {
        {"relais_pull_disk_hits_total", &d->hits},         {"relais_pull_disk_file_hits_total", &d->file_hits},
        {"relais_pull_disk_verified_total", &d->verified}, {"relais_pull_disk_writes_total", &d->writes},
        {"relais_pull_disk_write_failures_total", &d->write_failures}, {"relais_pull_disk_dropped_total", &d->dropped},
        {"relais_pull_disk_evictions_total", &d->evictions}, {"relais_pull_disk_rejected_total", &d->rejected}};
    for (const auto& [name, value] : counters) {
      e.header(name, "counter", "The disk tier of pulled objects (docs/PULL_THROUGH.md).");
      e.sample(name, "", static_cast<double>(value->load()));
    }
  }
  render_catalogs(e, g.sites);
  e.gauge("relais_access_log_dropped_bytes", "Access log bytes dropped because the disk could not keep up.", static_cast<double>(g.access_log_dropped_bytes));
  e.gauge("relais_uptime_seconds", "Seconds since start.", g.uptime_seconds);
  render_sync(e, g.sites);
  std::string out = e.take();
  std::vector<const ResponseHistograms*> histograms;
  for (const WorkerStats* w : workers) histograms.push_back(&w->histograms);
  static const std::vector<std::string> kOneSite{"default"};
  ResponseHistograms::render(out, histograms, site_names != nullptr ? *site_names : kOneSite);
  append_tls_metrics(out, workers);
  return out;
}

}  // namespace relais
