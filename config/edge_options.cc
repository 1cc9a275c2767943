#include "config/edge_options.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "config/option_parsing.h"
#include "config/units.h"

namespace po = boost::program_options;

namespace relais {
namespace {

constexpr std::uint64_t kMaxRehashRate = 16ull << 30;

std::uint64_t physical_memory_bytes() {
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page = ::sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return 1ull << 30;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

// Values that end up in response headers or lookup keys: a control byte
// there would split a header or forge a log line.
bool has_control_byte(std::string_view value) {
  return std::any_of(value.begin(), value.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
}

po::options_description edge_description() {
  const EdgeConfig d;
  po::options_description desc("relais-edge options (each is also a key in the --config file)");
  auto str = [](const std::string& s) { return po::value<std::string>()->default_value(s); };
  auto num = [](std::uint64_t v, const char* shown) { return po::value<std::string>()->default_value(std::to_string(v), shown); };
  (void)num;
  desc.add_options()
    ("help,h", "print this help and exit")
    ("version", "print the version and exit")
    ("config", po::value<std::string>(), "read options from this file (command-line flags win)")
    ("listen", po::value<std::vector<std::string>>()->default_value(d.listen, "0.0.0.0:8080"),
       "HTTP listener ADDR:PORT, repeatable; IPv6 as [::]:8080")
    ("admin-listen", str(d.admin_listen), "admin listener ADDR:PORT (/healthz, /metrics, /purge)")
    ("admin-token", str(d.admin_token), "bearer token required by POST /purge (empty: purge disabled)")
    ("store", str(d.store), "store directory (manifest + blobs/)")
    ("origin", str(d.origin), "origin URL or directory to sync from (empty: serve the store as is)")
    ("sync-interval", str("60s"), "time between two syncs with the origin")
    ("sync-jobs", po::value<unsigned>()->default_value(d.sync_jobs), "parallel blob downloads during a sync (1-64)")
    ("sync-retries", po::value<unsigned>()->default_value(d.sync_retries), "retries per origin request, with backoff (0-20)")
    ("origin-timeout", str("10s"), "connect timeout to the origin")
    ("origin-stall-timeout", str("30s"), "cut an origin transfer that makes no progress for this long")
    ("gc-grace", str("1h"), "delete blobs no longer in the manifest after they have been unreferenced this long")
    ("memory-cache", str("auto"), "memory tier size, all workers together (e.g. 512M, 2G; auto = 1/4 of RAM)")
    ("memory-object-max", str("4M"), "objects larger than this are served from disk only")
    ("sendfile-min", str("512K"), "plain-HTTP and kernel-TLS bodies this large are sent with sendfile() even from the memory tier (one copy less)")
    ("workers", po::value<unsigned>()->default_value(0, "0"), "worker threads, each with its own loop and listener (0 = one per core)")
    ("access-log", str(d.access_log), "access log: FILE, - (stdout) or off; reopened on SIGUSR1")
    ("server-name", str(d.server_name), "value of the Server response header")
    ("max-header-bytes", str("8K"), "request line + headers; beyond: 431")
    ("max-target-bytes", str("4K"), "request-target length; beyond: 414")
    ("max-headers", po::value<std::uint64_t>()->default_value(d.max_headers), "header lines per request; beyond: 431")
    ("max-request-body", str("64K"), "body bytes discarded on GET/HEAD; beyond: 413")
    ("header-timeout", str("10s"), "time to receive a whole request head (slowloris); then 408 and close")
    ("keepalive-timeout", str("60s"), "idle time allowed between two requests on a connection")
    ("send-timeout", str("60s"), "time without any write progress before a connection is dropped")
    ("max-requests-per-connection", po::value<std::uint64_t>()->default_value(d.max_requests_per_connection), "then Connection: close")
    ("max-connections", po::value<std::uint64_t>()->default_value(0, "0"), "open client connections, all workers (0 = 80% of RLIMIT_NOFILE)")
    ("max-ranges", po::value<std::uint64_t>()->default_value(d.max_ranges), "ranges per request after coalescing; beyond: 416")
    ("address-connections", po::value<std::uint64_t>()->default_value(d.address_connections), "open connections per client address (IPv6: per /64); beyond: 429 (0 = unlimited)")
    ("address-rate", po::value<double>()->default_value(d.address_rate, "500"), "requests per second per client address; beyond: 429 (0 = unlimited)")
    ("address-burst", po::value<double>()->default_value(d.address_burst, "1000"), "requests a client address may send at once above its rate")
    ("address-slots", po::value<std::uint64_t>()->default_value(d.address_slots), "size of the per-address limiter table (fixed memory, ~24 bytes a slot)")
    ("network-limit", po::value<std::vector<std::string>>(), "CIDR=CONNECTIONS:RATE:BURST, repeatable: limits for school NATs and proxies (most specific prefix wins)")
    ("send-min-rate", str("1K"), "bytes per second a response must move on average after the grace (slow-read attack)")
    ("send-min-rate-grace", str("10s"), "time before the minimum send rate applies")
    ("defer-accept", str("0"), "TCP_DEFER_ACCEPT on client listeners, whole seconds (0 = off): accept a connection only once its first bytes arrived")
    ("send-lowat", str("1M"), "unsent bytes a client socket may queue in the kernel (TCP_NOTSENT_LOWAT; 0 = kernel default): bounds what a slow reader holds")
    ("open-files", po::value<std::uint64_t>()->default_value(d.open_files), "cached open blob file descriptors, all workers")
    ("rehash-rate", str("32M"), "bytes per second the edge re-reads and re-hashes its blobs in the background, to find corruption (0 = off)")
    ("cache-control-html", str(d.cache_control_html), "Cache-Control for text/html")
    ("cache-control-default", str(d.cache_control_default), "Cache-Control for everything else")
    ("cache-control-rule", po::value<std::vector<std::string>>(),
       "PREFIX=VALUE, repeatable: Cache-Control for paths under PREFIX (first match wins)")
    ("query-key", po::value<std::vector<std::string>>(),
       "KEY, repeatable: a query parameter kept in the lookup key (page?KEY=v is a published file); others are ignored")
    ("tls-listen", po::value<std::vector<std::string>>(), "HTTPS listener ADDR:PORT, repeatable (needs --tls-cert and --tls-key)")
    ("tls-cert", str(""), "PEM certificate (leaf, then chain) for HTTPS; reloaded on SIGHUP")
    ("tls-key", str(""), "PEM private key of --tls-cert")
    ("tls-sni-cert", po::value<std::vector<std::string>>(), "HOST=CERTFILE:KEYFILE, repeatable: certificate for a host name (SNI; *.example.org matches one label)")
    ("tls-ciphers", str(""), "TLS 1.2 cipher list (empty: ECDHE with AES-GCM or ChaCha20)")
    ("tls-ciphersuites", str(""), "TLS 1.3 cipher suites (empty: TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256)")
    ("tls-ocsp-response", str(""), "DER OCSP response file stapled with --tls-cert (refresh it and send SIGHUP)")
    ("tls-ticket-rotation", str("12h"), "lifetime of a session ticket key; tickets stay valid for up to twice this")
    ("tls-session-tickets", po::value<bool>()->default_value(true, "on"), "on|off: resume TLS sessions with tickets (off: every connection pays a full handshake)");
  return desc;
}

std::optional<CliOutcome> check_positive(const po::variables_map& vm, const char* option, std::uint64_t value) {
  if (value == 0) return CliOutcome::usage(std::string("--") + option + ": must be greater than 0");
  (void)vm;
  return std::nullopt;
}

std::optional<CliOutcome> parse_tls_options(const po::variables_map& vm, EdgeConfig& c) {
  if (vm.count("tls-listen")) c.tls_listen = vm["tls-listen"].as<std::vector<std::string>>();
  c.tls_cert = vm["tls-cert"].as<std::string>();
  c.tls_key = vm["tls-key"].as<std::string>();
  c.tls_ciphers = vm["tls-ciphers"].as<std::string>();
  c.tls_ciphersuites = vm["tls-ciphersuites"].as<std::string>();
  c.tls_ocsp_response = vm["tls-ocsp-response"].as<std::string>();
  if (vm.count("tls-sni-cert")) c.tls_sni_certs = vm["tls-sni-cert"].as<std::vector<std::string>>();
  c.tls_session_tickets = vm["tls-session-tickets"].as<bool>();
  if (auto bad = convert_duration(vm, "tls-ticket-rotation", c.tls_ticket_rotation_ms)) return *bad;
  if (c.tls_ticket_rotation_ms < 60'000 || c.tls_ticket_rotation_ms > 7 * 86'400'000ull)
    return CliOutcome::usage("--tls-ticket-rotation: must be between 1m and 7d");
  for (const std::string& entry : c.tls_sni_certs) {
    auto eq = entry.find('=');
    auto colon = entry.rfind(':');
    if (eq == std::string::npos || eq == 0 || colon == std::string::npos || colon < eq + 2 || colon + 1 == entry.size())
      return CliOutcome::usage("--tls-sni-cert: '" + entry + "' is not HOST=CERTFILE:KEYFILE");
  }
  if (c.tls_listen.empty()) return std::nullopt;
  if (c.tls_cert.empty()) return CliOutcome::usage("--tls-cert: needed with --tls-listen");
  if (c.tls_key.empty()) return CliOutcome::usage("--tls-key: needed with --tls-listen");
  return std::nullopt;
}

}  // namespace

CliOutcome parse_edge_options(int argc, const char* const* argv, std::ostream& out, EdgeConfig& c) {
  po::options_description desc = edge_description();
  po::variables_map vm;
  if (auto bad = parse_into(desc, nullptr, argc, argv, /*config_option=*/true, vm)) return *bad;
  if (vm.count("help")) {
    out << "Usage: relais-edge [--config FILE] [options]\n\n" << desc << '\n';
    return CliOutcome::finished();
  }
  if (vm.count("version")) {
    out << "relais-edge " << RELAIS_VERSION << '\n';
    return CliOutcome::finished();
  }

  c.listen = vm["listen"].as<std::vector<std::string>>();
  c.admin_listen = vm["admin-listen"].as<std::string>();
  c.admin_token = vm["admin-token"].as<std::string>();
  c.store = vm["store"].as<std::string>();
  c.origin = vm["origin"].as<std::string>();
  c.access_log = vm["access-log"].as<std::string>();
  c.server_name = vm["server-name"].as<std::string>();
  c.workers = vm["workers"].as<unsigned>();
  c.sync_jobs = vm["sync-jobs"].as<unsigned>();
  c.sync_retries = vm["sync-retries"].as<unsigned>();
  c.max_headers = vm["max-headers"].as<std::uint64_t>();
  c.max_requests_per_connection = vm["max-requests-per-connection"].as<std::uint64_t>();
  c.max_connections = vm["max-connections"].as<std::uint64_t>();
  c.max_ranges = vm["max-ranges"].as<std::uint64_t>();
  c.open_files = vm["open-files"].as<std::uint64_t>();
  c.address_connections = vm["address-connections"].as<std::uint64_t>();
  c.address_rate = vm["address-rate"].as<double>();
  c.address_burst = vm["address-burst"].as<double>();
  c.address_slots = vm["address-slots"].as<std::uint64_t>();
  if (vm.count("network-limit")) c.network_limits = vm["network-limit"].as<std::vector<std::string>>();
  if (c.address_rate < 0 || c.address_rate > 1e9) return CliOutcome::usage("--address-rate: must be between 0 and 1e9");
  if (c.address_burst < 0 || c.address_burst > 1e9) return CliOutcome::usage("--address-burst: must be between 0 and 1e9");
  if (c.address_slots < 2 || c.address_slots > (1u << 26)) return CliOutcome::usage("--address-slots: must be between 2 and 67108864");
  c.cache_control_html = vm["cache-control-html"].as<std::string>();
  c.cache_control_default = vm["cache-control-default"].as<std::string>();
  if (auto bad = parse_tls_options(vm, c)) return *bad;

  for (auto [option, target] : {std::pair{"max-header-bytes", &c.max_head_bytes},
                                {"max-target-bytes", &c.max_target_bytes},
                                {"max-request-body", &c.max_request_body_bytes},
                                {"memory-object-max", &c.memory_object_max_bytes},
                                {"sendfile-min", &c.sendfile_min},
                                {"send-min-rate", &c.send_min_rate},
                                {"send-lowat", &c.send_lowat},
                                {"rehash-rate", &c.rehash_rate}}) {
    if (auto bad = convert_size(vm, option, *target)) return *bad;
  }
  for (auto [option, target] : {std::pair{"sync-interval", &c.sync_interval_ms},
                                {"header-timeout", &c.header_timeout_ms},
                                {"keepalive-timeout", &c.keepalive_timeout_ms},
                                {"send-timeout", &c.send_timeout_ms},
                                {"send-min-rate-grace", &c.send_min_rate_grace_ms}}) {
    if (auto bad = convert_duration(vm, option, *target)) return *bad;
    if (auto bad = check_positive(vm, option, *target)) return *bad;
  }
  if (auto bad = convert_duration(vm, "defer-accept", c.defer_accept_ms)) return *bad;
  if (c.defer_accept_ms > 3600 * 1000) return CliOutcome::usage("--defer-accept: at most 1h");
  const auto& memory = vm["memory-cache"].as<std::string>();
  if (memory == "auto") {
    c.memory_cache_bytes = physical_memory_bytes() / 4;
  } else if (auto bad = convert_size(vm, "memory-cache", c.memory_cache_bytes)) {
    return *bad;
  }
  if (c.workers == 0) c.workers = std::max(1u, std::thread::hardware_concurrency());
  if (c.workers > 256) return CliOutcome::usage("--workers: at most 256");
  if (c.listen.empty()) return CliOutcome::usage("--listen: at least one listener is needed");
  if (c.store.empty()) return CliOutcome::usage("--store: must name a directory");
  if (c.max_head_bytes < 256 || c.max_head_bytes > (1u << 20))
    return CliOutcome::usage("--max-header-bytes: must be between 256 and 1M");
  if (c.max_target_bytes == 0 || c.max_target_bytes > c.max_head_bytes)
    return CliOutcome::usage("--max-target-bytes: must be between 1 and --max-header-bytes");
  if (c.max_headers == 0 || c.max_headers > 1024) return CliOutcome::usage("--max-headers: must be between 1 and 1024");
  if (c.max_ranges == 0 || c.max_ranges > 64) return CliOutcome::usage("--max-ranges: must be between 1 and 64");
  if (c.sendfile_min == 0) return CliOutcome::usage("--sendfile-min: must be greater than 0");
  // A rate beyond what any disk reads is a typo (32G for 32M), not a wish.
  if (c.rehash_rate > kMaxRehashRate) return CliOutcome::usage("--rehash-rate: at most 16G (bytes per second; 0 = off)");
  if (c.max_requests_per_connection == 0) return CliOutcome::usage("--max-requests-per-connection: must be greater than 0");
  if (c.open_files < c.workers) return CliOutcome::usage("--open-files: at least one per worker");
  if (c.access_log.empty()) return CliOutcome::usage("--access-log: use a file name, - or off");
  for (const char* option : {"cache-control-html", "cache-control-default", "server-name", "admin-token"}) {
    const auto& v = vm[option].as<std::string>();
    if (has_control_byte(v)) return CliOutcome::usage(std::string("--") + option + ": control characters are not allowed");
  }
  if (vm.count("cache-control-rule")) {
    for (const auto& rule : vm["cache-control-rule"].as<std::vector<std::string>>()) {
      auto eq = rule.find('=');
      if (eq == std::string::npos || eq == 0 || rule[0] != '/' || eq + 1 == rule.size())
        return CliOutcome::usage("--cache-control-rule: '" + rule + "' is not PREFIX=VALUE with PREFIX starting with /");
      if (has_control_byte(rule)) return CliOutcome::usage("--cache-control-rule: control characters are not allowed");
      c.cache_control_rules.push_back({rule.substr(0, eq), rule.substr(eq + 1)});
    }
  }
  if (vm.count("query-key")) {
    for (const auto& key : vm["query-key"].as<std::vector<std::string>>()) {
      // As sent in a query: what is not a separator, a space or a control byte.
      const bool bad = key.empty() || key.find_first_of("&=#? ") != std::string::npos || has_control_byte(key);
      if (bad) return CliOutcome::usage("--query-key: '" + key + "' is not a query parameter name");
      if (std::find(c.query_keys.begin(), c.query_keys.end(), key) != c.query_keys.end())
        return CliOutcome::usage("--query-key: '" + key + "' is given twice");
      c.query_keys.push_back(key);
    }
  }
  return CliOutcome::run_it();
}

}  // namespace relais
