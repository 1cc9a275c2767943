#include "config/site_options.h"

#include <algorithm>
#include <filesystem>

#include "config/pull_options.h"
#include "config/units.h"

namespace po = boost::program_options;

namespace relais {
namespace {

bool valid_site_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
  });
}

// "a.example, *.b.example" (commas and/or spaces) -> patterns; checked as
// host names by the server (edge/site/site_table.h), which owns the syntax.
// A store directory as the file system resolves it (trailing slash, "..",
// symbolic links; the parts that exist yet), to compare with the others.
std::filesystem::path resolved_store(const std::string& store) {
  std::error_code ec;
  return std::filesystem::weakly_canonical(std::filesystem::absolute(store, ec), ec);
}

// Whether two resolved store directories are one, or one lies inside the other.
bool stores_overlap(const std::filesystem::path& pa, const std::filesystem::path& pb) {
  namespace fs = std::filesystem;
  auto inside = [](const fs::path& outer, const fs::path& inner) {
    auto o = outer.begin(), i = inner.begin();
    for (; o != outer.end() && i != inner.end(); ++o, ++i) {
      if (o->empty()) break;  // a trailing separator
      if (*o != *i) return false;
    }
    return o == outer.end() || o->empty();
  };
  return inside(pa, pb) || inside(pb, pa);
}

std::vector<std::string> split_hosts(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find_first_of(", \t", start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

po::options_description site_description(const std::string& prefix) {
  po::options_description d;
  auto key = [&prefix](const char* k) { return prefix + k; };
  for (const char* k : {"hosts", "store", "origin", "sync-interval", "sync-jobs", "max-ranges", "tls-cert", "tls-key",
                        "admin-token", "cache-control-html", "cache-control-default", "mode", "pull-query"})
    d.add_options()(key(k).c_str(), po::value<std::string>());
  for (const char* k : {"cache-control-rule", "query-key", "pull-prefix", "trusted-key", "origin-url"})
    d.add_options()(key(k).c_str(), po::value<std::vector<std::string>>());
  return d;
}

std::optional<CliOutcome> parse_one_site(const std::string& name, const std::vector<po::option>& keys,
                                         const EdgeConfig& c, SiteConfig& s) {
  const std::string prefix = "site." + name + ".";
  const po::options_description description = site_description(prefix);
  po::variables_map vm;
  try {
    po::parsed_options parsed(&description);
    for (po::option o : keys) {
      o.unregistered = false;
      parsed.options.push_back(std::move(o));
    }
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return CliOutcome::usage(std::string("--config: ") + e.what());
  }
  auto text = [&](const char* k, const std::string& fallback) {
    return vm.count(prefix + k) ? vm[prefix + k].as<std::string>() : fallback;
  };
  auto usage = [&](const char* k, const std::string& what) { return CliOutcome::usage("--" + prefix + k + ": " + what); };
  s.name = name;
  s.hosts = split_hosts(text("hosts", ""));
  if (s.hosts.empty()) return usage("hosts", "needed: the host names this site answers (a.example, *.b.example)");
  s.store = text("store", "");
  if (s.store.empty()) return usage("store", "needed: this site's store directory");
  s.origin = text("origin", "");
  if (auto bad = check_origin((prefix + "origin").c_str(), s.origin)) return *bad;
  struct Numeric {
    const char* key;
    std::uint64_t global;
    std::uint64_t* out;
  };
  std::uint64_t jobs = c.sync_jobs;
  for (const Numeric& n : {Numeric{"sync-interval", c.sync_interval_ms, &s.sync_interval_ms},
                           Numeric{"sync-jobs", c.sync_jobs, &jobs}, Numeric{"max-ranges", c.max_ranges, &s.max_ranges}}) {
    BoundedOption bound = edge_bound(n.key);
    const std::string full = prefix + n.key;
    bound.name = full.c_str();
    *n.out = n.global;
    if (auto bad = convert_bounded(vm, bound, *n.out)) return *bad;
  }
  s.sync_jobs = static_cast<unsigned>(jobs);
  s.tls_cert = text("tls-cert", "");
  s.tls_key = text("tls-key", "");
  if (!s.tls_cert.empty() && s.tls_key.empty()) return usage("tls-key", "needed with " + prefix + "tls-cert");
  if (s.tls_cert.empty() && !s.tls_key.empty()) return usage("tls-cert", "needed with " + prefix + "tls-key");
  if (!s.tls_cert.empty() && c.tls_listen.empty()) return usage("tls-cert", "needs --tls-listen");
  s.admin_token = text("admin-token", "");
  s.cache_control_html = text("cache-control-html", c.cache_control_html);
  s.cache_control_default = text("cache-control-default", c.cache_control_default);
  for (const char* k : {"admin-token", "cache-control-html", "cache-control-default"}) {
    if (has_control_byte(text(k, ""))) return usage(k, "control characters are not allowed");
  }
  if (vm.count(prefix + "cache-control-rule")) {
    for (const auto& rule : vm[prefix + "cache-control-rule"].as<std::vector<std::string>>())
      if (auto bad = parse_cache_control_rule(prefix + "cache-control-rule", rule, s.cache_control_rules)) return *bad;
  } else {
    s.cache_control_rules = c.cache_control_rules;
  }
  if (vm.count(prefix + "query-key")) {
    for (const auto& key : vm[prefix + "query-key"].as<std::vector<std::string>>())
      if (auto bad = parse_query_key(prefix + "query-key", key, s.query_keys)) return *bad;
  } else {
    s.query_keys = c.query_keys;
  }
  // Not merged with the global keys: a site that names its own trusts only
  // them (another publisher's key, trusted globally, is not its publisher's).
  s.own_trusted_keys = vm.count(prefix + "trusted-key") > 0;
  s.trusted_keys = s.own_trusted_keys ? vm[prefix + "trusted-key"].as<std::vector<std::string>>() : c.trusted_keys;
  s.mode = text("mode", "manifest");
  if (vm.count(prefix + "origin-url"))
    s.origin_urls = origin_url_lines(vm[prefix + "origin-url"].as<std::vector<std::string>>());
  if (vm.count(prefix + "pull-prefix")) s.pull_prefixes = vm[prefix + "pull-prefix"].as<std::vector<std::string>>();
  s.pull_query = text("pull-query", c.pull_query);
  if (auto bad = check_pull_query(prefix, s.pull_query)) return *bad;
  return check_pull_keys(prefix, s.mode, s.origin_urls, s.pull_prefixes);
}

}  // namespace

std::optional<CliOutcome> parse_site_sections(const std::vector<po::option>& keys, EdgeConfig& c) {
  // site.NAME.key: NAME is what lies between "site." and the last dot.
  std::vector<std::pair<std::string, std::vector<po::option>>> sections;
  for (const po::option& o : keys) {
    const std::size_t last = o.string_key.rfind('.');
    const std::string name = last > 5 ? o.string_key.substr(5, last - 5) : "";
    if (!valid_site_name(name))
      return CliOutcome::usage("--config: [site." + name + "]: a site name is 1 to 64 letters, digits, '-' or '_' (key " +
                               o.string_key + ")");
    auto at = std::find_if(sections.begin(), sections.end(), [&](const auto& s) { return s.first == name; });
    if (at == sections.end()) at = sections.insert(sections.end(), {name, {}});
    at->second.push_back(o);
  }
  if (sections.size() > kMaxConfiguredSites)
    return CliOutcome::usage("--config: at most " + std::to_string(kMaxConfiguredSites) + " [site.*] sections, " +
                             std::to_string(sections.size()) + " given");
  std::size_t hosts = 0;
  std::vector<std::filesystem::path> stores;  // resolved once: the pairs are compared below
  for (const auto& [name, site_keys] : sections) {
    SiteConfig s;
    if (auto bad = parse_one_site(name, site_keys, c, s)) return *bad;
    hosts += s.hosts.size();
    if (hosts > kMaxConfiguredHosts)
      return CliOutcome::usage("--site." + name + ".hosts: at most " + std::to_string(kMaxConfiguredHosts) +
                               " host names in all [site.*] sections together");
    stores.push_back(resolved_store(s.store));
    for (std::size_t i = 0; i < c.sites.size(); ++i) {
      const SiteConfig& other = c.sites[i];
      // Two sync loops on one store would delete each other's blobs, and one
      // site would serve the other's files: compared as the directories they
      // are (trailing slash, "..", symbolic links), nested ones too.
      if (stores_overlap(stores[i], stores.back()))
        return CliOutcome::usage("--site." + name + ".store: '" + s.store + "' is, holds or is inside site " + other.name +
                                 "'s store '" + other.store + "'");
      // A token names the one site its holder may purge.
      if (!s.admin_token.empty() && s.admin_token == other.admin_token)
        return CliOutcome::usage("--site." + name + ".admin-token: the same as site " + other.name + "'s");
    }
    if (!s.admin_token.empty() && s.admin_token == c.admin_token)
      return CliOutcome::usage("--site." + name + ".admin-token: the same as the global admin-token");
    c.sites.push_back(std::move(s));
  }
  if (!c.default_site.empty()) {
    auto named = [&](const SiteConfig& s) { return s.name == c.default_site; };
    if (std::none_of(c.sites.begin(), c.sites.end(), named))
      return CliOutcome::usage("--default-site: '" + c.default_site + "' is not a [site.*] section of the config file");
  }
  return std::nullopt;
}

std::vector<SiteConfig> effective_sites(const EdgeConfig& c) {
  if (!c.sites.empty()) return c.sites;
  SiteConfig s;
  s.name = "default";
  s.store = c.store;
  s.origin = c.origin;
  s.sync_interval_ms = c.sync_interval_ms;
  s.sync_jobs = c.sync_jobs;
  s.max_ranges = c.max_ranges;
  s.cache_control_html = c.cache_control_html;
  s.cache_control_default = c.cache_control_default;
  s.cache_control_rules = c.cache_control_rules;
  s.query_keys = c.query_keys;
  s.mode = c.mode;
  s.origin_urls = c.origin_urls;
  s.pull_prefixes = c.pull_prefixes;
  s.pull_query = c.pull_query;
  s.trusted_keys = c.trusted_keys;
  return {s};  // the global certificate and token already apply to everything
}

std::string describe_sites(const EdgeConfig& c) {
  std::string out;
  for (const SiteConfig& s : c.sites) {
    auto line = [&](std::string_view key, std::string_view value) {
      out.append("site.").append(s.name).append(".").append(key).append(" = ").append(value).append("\n");
    };
    std::string hosts;
    for (const std::string& h : s.hosts) hosts.append(hosts.empty() ? "" : ", ").append(h);
    line("hosts", hosts);
    line("store", s.store);
    line("origin", s.origin);
    line("sync-interval", format_duration_ms(s.sync_interval_ms));
    line("sync-jobs", std::to_string(s.sync_jobs));
    line("max-ranges", std::to_string(s.max_ranges));
    line("tls-cert", s.tls_cert);
    line("tls-key", s.tls_key);
    line("admin-token", s.admin_token.empty() ? "" : "(set)");
    line("cache-control-html", s.cache_control_html);
    line("cache-control-default", s.cache_control_default);
    for (const CacheControlRule& rule : s.cache_control_rules) line("cache-control-rule", rule.prefix + "=" + rule.value);
    for (const std::string& key : s.query_keys) line("query-key", key);
    line("mode", s.mode);
    for (const std::string& url : s.origin_urls) line("origin-url", url);
    for (const std::string& p : s.pull_prefixes) line("pull-prefix", p);
    line("pull-query", s.pull_query);
    for (const std::string& file : s.trusted_keys) line("trusted-key", file);
  }
  return out;
}

}  // namespace relais
