#include "edge/server/live_settings.h"

#include <sys/resource.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "config/edge_options.h"
#include "config/site_options.h"
#include "edge/server/site.h"

namespace relais {
namespace {

std::uint64_t resolve_max_connections(std::uint64_t configured) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    // Like nginx's worker_rlimit_nofile: use what the hard limit allows.
    limit.rlim_cur = limit.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &limit);
    (void)::getrlimit(RLIMIT_NOFILE, &limit);
  }
  std::uint64_t fds = limit.rlim_cur == RLIM_INFINITY ? 1'000'000 : limit.rlim_cur;
  // Keep a fifth of the descriptors for blob files, listeners and the admin.
  std::uint64_t ceiling = fds * 4 / 5;
  return configured == 0 ? ceiling : std::min(configured, ceiling);
}

ServerSettings server_settings_from(const EdgeConfig& c) {
  ServerSettings s;
  s.limits.max_head_bytes = c.max_head_bytes;
  s.limits.max_target_bytes = c.max_target_bytes;
  s.limits.max_headers = c.max_headers;
  // The parser admits the larger of the two; the session refuses (413) a
  // body over max-request-body that it would only discard (session.h).
  s.limits.max_body_bytes = std::max(c.max_request_body_bytes, c.pull_max_request_body);
  s.max_discarded_body = c.max_request_body_bytes;
  s.header_timeout_ms = c.header_timeout_ms;
  s.keepalive_timeout_ms = c.keepalive_timeout_ms;
  s.send_timeout_ms = c.send_timeout_ms;
  s.max_requests_per_connection = c.max_requests_per_connection;
  s.max_connections = resolve_max_connections(c.max_connections);
  s.access_log = c.access_log != "off";
  (void)parse_access_log_format(c.access_log_format, s.access_log_format);  // validated with the options
  s.send_min_rate = c.send_min_rate;
  s.send_min_rate_grace_ms = c.send_min_rate_grace_ms;
  s.send_lowat = c.send_lowat;
  s.sendfile_min = c.sendfile_min;
  s.drain_timeout_ms = c.drain_timeout_ms;
  s.http2 = c.http2;
  s.http2_max_streams = static_cast<std::uint32_t>(c.http2_max_streams);
  s.http2_max_resets = static_cast<std::uint32_t>(c.http2_max_resets);
  s.http2_max_control_frames = static_cast<std::uint32_t>(c.http2_max_control_frames);
  s.http2_hpack_table = static_cast<std::uint32_t>(c.http2_hpack_table);
  return s;
}

// The site's rules over the edge-wide ones (name, dictionaries, boundary).
http::ResponderSettings responder_settings_from(const EdgeConfig& c, const SiteConfig& site, const std::string& boundary) {
  http::ResponderSettings r;
  r.server_name = c.server_name;
  r.max_ranges = site.max_ranges;
  r.cache_control.html = site.cache_control_html;
  r.cache_control.fallback = site.cache_control_default;
  for (const auto& rule : site.cache_control_rules) r.cache_control.rules.emplace_back(rule.prefix, rule.value);
  r.query_keys = site.query_keys;
  r.dictionaries.path_prefixes = c.dictionary_path_prefixes;
  r.dictionaries.content_types = c.dictionary_content_types;
  r.multipart_boundary = boundary;
  r.pull.mode = site.mode == "pull" ? http::PullMode::pull : site.mode == "both" ? http::PullMode::both : http::PullMode::manifest;
  r.pull.origin_urls = site.origin_urls;
  r.pull.prefixes = site.pull_prefixes;
  r.pull.whole_query = site.pull_query == "whole";
  r.pull.max_request_body = c.pull_max_request_body;
  return r;
}

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

}  // namespace

std::shared_ptr<const LiveSettings> make_live_settings(const EdgeConfig& config, const std::string& boundary) {
  const std::vector<SiteConfig> sites = effective_sites(config);
  auto table = build_site_table(config);
  EdgeConfig global = config;
  global.sites.clear();
  auto live = std::make_shared<LiveSettings>(
      LiveSettings{server_settings_from(config), http::Responder(responder_settings_from(config, effective_sites(global)[0], boundary)),
                   table.ok() ? std::move(table.value()) : SiteTable{}, {}, {}, false, {}});
  for (const SiteConfig& site : sites) {
    live->site_responders.emplace_back(responder_settings_from(config, site, boundary));
    live->site_names.push_back(site.name);
  }
  live->named_sites = !config.sites.empty();
  return live;
}

void LiveSettingsHolder::publish(std::shared_ptr<const LiveSettings> settings) {
  std::lock_guard lock(mutex_);
  settings_ = std::move(settings);
}

std::shared_ptr<const LiveSettings> LiveSettingsHolder::current() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

EdgeConfig apply_live_changes(const EdgeConfig& running, const EdgeConfig& next, std::vector<std::string>& restart_only) {
  EdgeConfig applied = running;
  // Connection limits and timers (ServerSettings, except the parser's head
  // limits: the pooled buffers and header arrays are sized by them).
  applied.header_timeout_ms = next.header_timeout_ms;
  applied.keepalive_timeout_ms = next.keepalive_timeout_ms;
  applied.send_timeout_ms = next.send_timeout_ms;
  applied.max_requests_per_connection = next.max_requests_per_connection;
  applied.max_connections = next.max_connections;
  applied.max_request_body_bytes = next.max_request_body_bytes;
  applied.send_min_rate = next.send_min_rate;
  applied.send_min_rate_grace_ms = next.send_min_rate_grace_ms;
  applied.send_lowat = next.send_lowat;
  applied.sendfile_min = next.sendfile_min;
  applied.drain_timeout_ms = next.drain_timeout_ms;
  // What responses say.
  applied.server_name = next.server_name;
  applied.max_ranges = next.max_ranges;
  applied.cache_control_html = next.cache_control_html;
  applied.cache_control_default = next.cache_control_default;
  applied.cache_control_rules = next.cache_control_rules;
  applied.query_keys = next.query_keys;
  applied.use_as_dictionary = next.use_as_dictionary;
  applied.dictionary_path_prefixes = next.dictionary_path_prefixes;
  applied.dictionary_content_types = next.dictionary_content_types;
  // The access log moves to another file live; switching it on or off
  // changes what every worker holds.
  if ((running.access_log == "off") == (next.access_log == "off")) applied.access_log = next.access_log;
  applied.access_log_format = next.access_log_format;  // each worker's next line
  // Certificates (the listeners stay as they are).
  applied.tls_cert = next.tls_cert;
  applied.tls_key = next.tls_key;
  applied.tls_sni_certs = next.tls_sni_certs;
  applied.tls_ciphers = next.tls_ciphers;
  applied.tls_ciphersuites = next.tls_ciphersuites;
  applied.tls_ocsp_response = next.tls_ocsp_response;

  // Sites: the hosts, rules and certificates of a running site change live
  // (matched by name), a new site is added (after the running ones: a site
  // keeps its index, in metrics and logs, for the life of the process), a
  // removed one retired (SiteConfig::retired). A site's store, origin,
  // schedule and token need a restart (named below, as every option not taken).
  const bool had_sections = !running.sites.empty();
  for (SiteConfig& a : applied.sites) {
    auto n = std::find_if(next.sites.begin(), next.sites.end(), [&a](const SiteConfig& s) { return s.name == a.name; });
    if (n == next.sites.end()) {
      // The last section cannot go: without sections the global store would be the site.
      a.retired = a.retired || !next.sites.empty();
      continue;
    }
    if (a.retired) continue;  // a retired name comes back only with a restart (its index is spent)
    a.hosts = n->hosts;
    a.max_ranges = n->max_ranges;
    a.tls_cert = n->tls_cert;
    a.tls_key = n->tls_key;
    a.cache_control_html = n->cache_control_html;
    a.cache_control_default = n->cache_control_default;
    a.cache_control_rules = n->cache_control_rules;
    a.query_keys = n->query_keys;
  }
  for (const SiteConfig& n : next.sites) {
    const bool known = std::any_of(applied.sites.begin(), applied.sites.end(), [&n](const SiteConfig& s) { return s.name == n.name; });
    // The implicit site of an edge without sections has no name to keep: going to sections needs a restart.
    if (!known && had_sections && applied.sites.size() < kMaxConfiguredSites) applied.sites.push_back(n);
  }
  auto running_site = [&applied](const std::string& name) {
    return std::any_of(applied.sites.begin(), applied.sites.end(), [&name](const SiteConfig& s) { return s.name == name && !s.retired; });
  };
  if (next.default_site.empty() || running_site(next.default_site)) applied.default_site = next.default_site;

  // Whatever still differs was not taken: name it (describe_edge_config is
  // the one list of every option, so a new option cannot be forgotten here).
  EdgeConfig serving = applied;
  std::erase_if(serving.sites, [](const SiteConfig& s) { return s.retired; });
  const std::set<std::string> kept = lines_of(describe_edge_config(serving));
  const std::set<std::string> wanted = lines_of(describe_edge_config(next));
  restart_only.clear();
  auto name = [&restart_only](const std::string& line) {
    std::string key = line.substr(0, line.find(" = "));
    if (std::find(restart_only.begin(), restart_only.end(), key) == restart_only.end()) restart_only.push_back(key);
  };
  for (const std::string& line : wanted) if (!kept.contains(line)) name(line);
  for (const std::string& line : kept) if (!wanted.contains(line)) name(line);  // a repeatable key removed
  return applied;
}

}  // namespace relais
