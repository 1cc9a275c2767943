#include "edge/server/metrics.h"

#include <cstdio>
#include <functional>

namespace relais {
namespace {

class Exposition {
 public:
  explicit Exposition(const std::vector<const WorkerStats*>& workers) : workers_(workers) {}

  void header(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(const char* name, const char* labels, double value) {
    char line[256];
    std::snprintf(line, sizeof line, "%s%s %.17g\n", name, labels, value);
    out_ += line;
  }
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

}  // namespace

std::string render_metrics(const std::vector<const WorkerStats*>& workers, const EdgeGauges& g) {
  Exposition e(workers);
  e.header("relais_requests_total", "counter", "Requests answered, by status class.");
  for (int c = 1; c <= 5; ++c) {
    char labels[32];
    std::snprintf(labels, sizeof labels, "{class=\"%dxx\"}", c);
    e.sample("relais_requests_total", labels, static_cast<double>(e.sum([c](const WorkerStats& w) -> const Counter& { return w.requests_by_class[c]; })));
  }
  e.metric("relais_response_body_bytes_total", "counter", "Body bytes queued to clients.", [](const WorkerStats& w) -> const Counter& { return w.bytes_out; });
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
  e.metric("relais_connections_accepted_total", "counter", "Client connections accepted.", [](const WorkerStats& w) -> const Counter& { return w.connections_accepted; });
  e.metric("relais_connections_open", "gauge", "Client connections open now.", [](const WorkerStats& w) -> const Counter& { return w.connections_open; });
  e.gauge("relais_connections_max", "Bound on open client connections.", static_cast<double>(g.max_connections));
  e.metric("relais_memory_cache_used_bytes", "gauge", "Bytes held by the memory tier.", [](const WorkerStats& w) -> const Counter& { return w.memory_used_bytes; });
  e.gauge("relais_memory_cache_capacity_bytes", "Bound of the memory tier.", static_cast<double>(g.memory_capacity_bytes));
  e.metric("relais_memory_cache_objects", "gauge", "Objects in the memory tier.", [](const WorkerStats& w) -> const Counter& { return w.memory_objects; });
  e.metric("relais_memory_cache_evictions_total", "counter", "Objects evicted from the memory tier.", [](const WorkerStats& w) -> const Counter& { return w.memory_evictions; });
  e.metric("relais_open_blob_files", "gauge", "Blob files held open for sendfile.", [](const WorkerStats& w) -> const Counter& { return w.open_blob_files; });
  e.gauge("relais_catalog_loaded", "1 once a catalog is in service.", g.catalog_loaded ? 1 : 0);
  e.gauge("relais_catalog_generation", "Manifest generation in service.", static_cast<double>(g.catalog_generation));
  e.gauge("relais_catalog_objects", "Paths in the catalog in service.", static_cast<double>(g.catalog_entries));
  e.gauge("relais_access_log_dropped_bytes", "Access log bytes dropped because the disk could not keep up.", static_cast<double>(g.access_log_dropped_bytes));
  e.gauge("relais_uptime_seconds", "Seconds since start.", g.uptime_seconds);
  return e.take();
}

}  // namespace relais
