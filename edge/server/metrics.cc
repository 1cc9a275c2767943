#include "edge/server/metrics.h"

#include "edge/server/prometheus_text.h"

#include <cstdio>
#include <functional>

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

void render_sync(Exposition& e, const SyncStats& s) {
  auto load = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  e.gauge("relais_sync_last_success_timestamp_seconds", "Unix time of the last successful sync (0: never).", load(s.last_success_unix));
  e.gauge("relais_sync_last_ok", "1 if the last sync succeeded.", s.last_ok.load() ? 1 : 0);
  e.gauge("relais_sync_last_duration_seconds", "Duration of the last sync.", load(s.last_duration_ms) / 1000.0);
  e.header("relais_sync_runs_total", "counter", "Syncs with the origin, by result.");
  e.sample("relais_sync_runs_total", "{result=\"not_modified\"}", load(s.not_modified));
  e.sample("relais_sync_runs_total", "{result=\"all\"}", load(s.syncs));
  e.header("relais_sync_failures_total", "counter", "Failed syncs, by reason; the last good catalog stays in service.");
  for (int i = 1; i < SyncStats::kFailureKinds; ++i) {
    char labels[64];
    std::snprintf(labels, sizeof labels, "{reason=\"%s\"}", kSyncFailureNames[i]);
    e.sample("relais_sync_failures_total", labels, load(s.failures[i]));
  }
  e.header("relais_sync_blobs_total", "counter", "Blob downloads, by outcome.");
  e.sample("relais_sync_blobs_total", "{outcome=\"verified\"}", load(s.blobs_fetched));
  e.sample("relais_sync_blobs_total", "{outcome=\"failed\"}", load(s.blobs_failed));
  e.sample("relais_sync_blobs_total", "{outcome=\"rejected\"}", load(s.blobs_rejected));
  e.sample("relais_sync_blobs_total", "{outcome=\"collected\"}", load(s.blobs_collected));
  e.header("relais_sync_bytes_fetched_total", "counter", "Blob bytes received from the origin.");
  e.sample("relais_sync_bytes_fetched_total", "", load(s.bytes_fetched));
}

void render_blob_checks(Exposition& e, const RehashStats* rehash) {
  e.header("relais_blob_errors_total", "counter", "Blob files not served, by what was wrong with them.");
  e.sample("relais_blob_errors_total", "{kind=\"short\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.blob_short; })));
  e.sample("relais_blob_errors_total", "{kind=\"refused\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.blob_refused; })));
  e.sample("relais_blob_errors_total", "{kind=\"corrupt\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.blob_corrupt; })));
  if (rehash == nullptr || !rehash->enabled.load()) return;
  auto load = [](const auto& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
  e.header("relais_blob_rehash_blobs_total", "counter", "Blobs re-hashed in the background (--rehash-rate).");
  e.sample("relais_blob_rehash_blobs_total", "", load(rehash->blobs_checked));
  e.header("relais_blob_rehash_bytes_total", "counter", "Bytes re-read and re-hashed in the background.");
  e.sample("relais_blob_rehash_bytes_total", "", load(rehash->bytes_hashed));
  e.header("relais_blob_rehash_corrupt_total", "counter", "Blobs found corrupt by the re-hash: removed (or quarantined), no longer served.");
  e.sample("relais_blob_rehash_corrupt_total", "", load(rehash->corrupt_found));
  e.header("relais_blob_rehash_passes_total", "counter", "Complete re-hash walks of the store.");
  e.sample("relais_blob_rehash_passes_total", "", load(rehash->passes));
}

void render_http2(Exposition& e) {
  e.metric("relais_http2_connections_total", "counter", "Connections that spoke HTTP/2 (ALPN h2 or prior knowledge).", [](const WorkerStats& w) -> const Counter& { return w.http2_connections; });
  e.metric("relais_http2_streams_total", "counter", "HTTP/2 requests answered (also counted in relais_requests_total).", [](const WorkerStats& w) -> const Counter& { return w.http2_streams; });
  e.header("relais_http2_resets_total", "counter", "HTTP/2 stream resets, by who sent them (server: stream errors the client caused).");
  e.sample("relais_http2_resets_total", "{by=\"client\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.http2_resets_received; })));
  e.sample("relais_http2_resets_total", "{by=\"server\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.http2_resets_sent; })));
  e.header("relais_http2_goaway_errors_total", "counter", "HTTP/2 connections ended with an error GOAWAY, by code.");
  e.sample("relais_http2_goaway_errors_total", "{code=\"enhance_your_calm\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.http2_calm; })));
  e.sample("relais_http2_goaway_errors_total", "{code=\"protocol_error\"}", static_cast<double>(e.sum([](const WorkerStats& w) -> const Counter& { return w.http2_protocol_errors; })));
}

}  // namespace

const char* const kSyncFailureNames[SyncStats::kFailureKinds] = {
    "none", "busy", "manifest_fetch", "manifest_invalid", "blob_fetch", "blob_verify", "storage", "cancelled", "no_space",
    "untrusted", "rollback"};

std::string render_metrics(const std::vector<const WorkerStats*>& workers, const EdgeGauges& g, const SyncStats* sync,
                           const RehashStats* rehash, const std::vector<std::string>* site_names) {
  Exposition e(workers);
  e.header("relais_requests_total", "counter", "Requests answered, by status class; 501 and 505 to requests the parser refused count as 4xx (the client's doing).");
  for (int c = 1; c <= 5; ++c) {
    char labels[32];
    std::snprintf(labels, sizeof labels, "{class=\"%dxx\"}", c);
    e.sample("relais_requests_total", labels, static_cast<double>(e.sum([c](const WorkerStats& w) -> const Counter& { return w.requests_by_class[c]; })));
  }
  e.metric("relais_response_body_bytes_total", "counter", "Body bytes queued to clients.", [](const WorkerStats& w) -> const Counter& { return w.bytes_out; });
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
  render_blob_checks(e, rehash);
  render_http2(e);
  e.gauge("relais_catalog_loaded", "1 once a catalog is in service.", g.catalog_loaded ? 1 : 0);
  e.gauge("relais_catalog_generation", "Manifest generation in service.", static_cast<double>(g.catalog_generation));
  e.gauge("relais_catalog_objects", "Paths in the catalog in service.", static_cast<double>(g.catalog_entries));
  e.gauge("relais_access_log_dropped_bytes", "Access log bytes dropped because the disk could not keep up.", static_cast<double>(g.access_log_dropped_bytes));
  e.gauge("relais_uptime_seconds", "Seconds since start.", g.uptime_seconds);
  if (g.publication_signed) {
    e.gauge("relais_publication_age_seconds", "Seconds since the signed publication in service was published.", g.publication_age_seconds);
    e.gauge("relais_publication_expiry_timestamp_seconds", "When the signed publication in service expires (unix seconds).", static_cast<double>(g.publication_expires_unix));
    e.gauge("relais_publication_expired", "1 while the publication in service is past its expiry and no newer one could be had (still served).", g.publication_expired ? 1 : 0);
  }
  if (sync != nullptr && sync->enabled.load()) render_sync(e, *sync);
  std::string out = e.take();
  std::vector<const ResponseHistograms*> histograms;
  for (const WorkerStats* w : workers) histograms.push_back(&w->histograms);
  static const std::vector<std::string> kOneSite{"default"};
  ResponseHistograms::render(out, histograms, site_names != nullptr ? *site_names : kOneSite);
  append_tls_metrics(out, workers);
  return out;
}

}  // namespace relais
