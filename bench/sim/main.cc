// relais-sim: miss ratio of Relais's memory-tier policy against LRU, FIFO and
// Belady's MIN, over synthetic and recorded traces, for a range of cache sizes.
//
//   relais-sim [--requests N] [--sizes 0.1,1,10] [--max-object BYTES]
//              [--no-synthetic] [--traces NAMES] [--policies NAMES]
//              [--txt PATH[:ID_COL:SIZE_COL]]... [--access-log PATH]...
//              [--markdown FILE] [--dat-dir DIR] [--title TEXT]
//
// Prints the markdown report on stdout (and writes it to --markdown), one
// gnuplot .dat per trace into --dat-dir. Exit 0, 2 on bad usage or an
// unreadable trace (one line on stderr). See bench/sim/README.md.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/sim/access_log_reader.h"
#include "bench/sim/mixed_trace.h"
#include "bench/sim/monday_trace.h"
#include "bench/sim/report.h"
#include "bench/sim/simulator.h"
#include "bench/sim/text_trace_reader.h"

namespace {

using namespace relais::sim;

// Bounds: a synthetic trace of 5 M requests replays 4 policies x 6 sizes in
// well under a minute; recorded traces are capped so a huge log cannot exhaust memory.
constexpr std::uint64_t kMaxSyntheticRequests = 5'000'000;
constexpr std::uint64_t kMaxFileRequests = 50'000'000;

struct Options {
  std::uint64_t requests = 2'000'000;
  std::vector<double> sizes = {0.1, 0.3, 1, 3, 10, 30};
  TierModel tier;
  bool synthetic = true;
  std::vector<std::string> traces;  // synthetic traces to run; empty: all
  std::vector<PolicyKind> policies = {std::begin(kAllPolicies), std::end(kAllPolicies)};
  std::vector<std::string> txt, logs;
  std::string markdown, dat_dir, title = "relais-sim";
};

[[noreturn]] void usage_error(const std::string& what) {
  std::fprintf(stderr, "relais-sim: %s (see --help)\n", what.c_str());
  std::exit(2);
}

std::uint64_t parse_count(std::string_view flag, std::string_view text) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) usage_error(std::string(flag) + ": not a number: " + std::string(text));
  return v;
}

std::vector<double> parse_sizes(std::string_view text) {
  std::vector<double> sizes;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string item(text.substr(0, comma));
    char* end = nullptr;
    double v = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !(v > 0 && v <= 100)) usage_error("--sizes: not a percentage in (0, 100]: " + item);
    sizes.push_back(v);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  if (sizes.empty()) usage_error("--sizes: empty list");
  return sizes;
}

std::vector<std::string> parse_names(std::string_view flag, std::string_view text) {
  std::vector<std::string> names;
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    names.emplace_back(text.substr(0, comma));
    if (names.back().empty()) usage_error(std::string(flag) + ": empty name");
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  if (names.empty()) usage_error(std::string(flag) + ": empty list");
  return names;
}

std::vector<PolicyKind> parse_policies(std::string_view text) {
  std::vector<PolicyKind> kinds;
  for (const std::string& name : parse_names("--policies", text)) {
    auto it = std::find_if(std::begin(kAllPolicies), std::end(kAllPolicies),
                           [&](PolicyKind k) { return policy_flag_name(k) == name; });
    if (it == std::end(kAllPolicies)) usage_error("--policies: unknown policy '" + name + "'");
    kinds.push_back(*it);
  }
  return kinds;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) usage_error(std::string(a) + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::puts("usage: relais-sim [--requests N] [--sizes 0.1,1,10] [--max-object BYTES] [--no-synthetic]\n"
                "                  [--traces mixed-zipf-0.6,mixed-zipf-0.9,mixed-zipf-1.2,monday-morning]\n"
                "                  [--policies wtinylfu,s3fifo,lru,fifo,belady]\n"
                "                  [--txt PATH[:ID_COL:SIZE_COL]]... [--access-log PATH]...\n"
                "                  [--markdown FILE] [--dat-dir DIR] [--title TEXT]\n"
                "defaults: --requests 2000000 (max 5000000) --sizes 0.1,0.3,1,3,10,30 --max-object 4194304");
      std::exit(0);
    } else if (a == "--requests") {
      o.requests = parse_count(a, value());
      if (o.requests == 0 || o.requests > kMaxSyntheticRequests) usage_error("--requests: must be in 1..5000000");
    } else if (a == "--sizes") {
      o.sizes = parse_sizes(value());
    } else if (a == "--max-object") {
      o.tier.max_object_bytes = parse_count(a, value());
    } else if (a == "--no-synthetic") {
      o.synthetic = false;
    } else if (a == "--traces") {
      o.traces = parse_names(a, value());
    } else if (a == "--policies") {
      o.policies = parse_policies(value());
    } else if (a == "--txt") {
      o.txt.emplace_back(value());
    } else if (a == "--access-log") {
      o.logs.emplace_back(value());
    } else if (a == "--markdown") {
      o.markdown = value();
    } else if (a == "--dat-dir") {
      o.dat_dir = value();
    } else if (a == "--title") {
      o.title = value();
    } else {
      usage_error("unknown argument '" + std::string(a) + "'");
    }
  }
  return o;
}

// "trace.txt:2:4" -> path and columns; a plain path keeps the defaults.
Trace load_txt(const std::string& spec) {
  TextTraceFormat format;
  std::string path = spec;
  std::size_t last = spec.rfind(':');
  std::size_t middle = last == std::string::npos || last == 0 ? std::string::npos : spec.rfind(':', last - 1);
  if (middle != std::string::npos) {
    std::string id = spec.substr(middle + 1, last - middle - 1), size = spec.substr(last + 1);
    unsigned idc = 0, sizec = 0;
    auto r1 = std::from_chars(id.data(), id.data() + id.size(), idc);
    auto r2 = std::from_chars(size.data(), size.data() + size.size(), sizec);
    if (r1.ec == std::errc{} && r1.ptr == id.data() + id.size() && r2.ec == std::errc{} &&
        r2.ptr == size.data() + size.size()) {
      path = spec.substr(0, middle);
      format = TextTraceFormat{idc, sizec};
    }
  }
  relais::Result<Trace> t = read_text_trace_file(path, format, kMaxFileRequests);
  if (!t.ok()) usage_error(t.error().message);
  return std::move(t).value();
}

Trace load_log(const std::string& path) {
  relais::Result<Trace> t = read_access_log_file(path, kMaxFileRequests);
  if (!t.ok()) usage_error(t.error().message);
  return std::move(t).value();
}

// Trace names become file names: keep the base name, letters, digits, - _ .
std::string file_safe(const std::string& name) {
  std::string base = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
  for (char& c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return base.empty() ? "trace" : base;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) {
    std::fprintf(stderr, "relais-sim: cannot write %s\n", path.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::vector<TraceSummary> summaries;
  std::vector<SimRow> rows;

  auto run = [&](Trace trace) {
    auto start = std::chrono::steady_clock::now();
    trace.name = file_safe(trace.name);
    TraceSummary summary{trace.name, profile(trace, o.tier)};
    const std::vector<std::uint32_t> next = next_use(trace);
    for (double percent : o.sizes) {
      auto capacity = static_cast<std::uint64_t>(static_cast<double>(summary.profile.working_set_bytes) * percent / 100);
      for (PolicyKind kind : o.policies) {
        auto policy = make_policy(kind, capacity, trace.objects());
        rows.push_back(SimRow{trace.name, percent, capacity, kind, replay(trace, next, *policy, o.tier, capacity)});
      }
    }
    std::fprintf(stderr, "relais-sim: %s: %zu requests, %zu objects, %zu lines skipped, %.1f s\n", trace.name.c_str(),
                 trace.requests.size(), trace.objects(), static_cast<std::size_t>(trace.skipped_lines),
                 seconds_since(start));
    if (!o.dat_dir.empty()) write_file(o.dat_dir + "/" + trace.name + ".dat", results_dat(trace.name, rows));
    summaries.push_back(std::move(summary));
  };

  // Recorded traces first: a missing or unreadable file fails before minutes of synthetic runs.
  std::vector<Trace> recorded;
  for (const std::string& spec : o.txt) recorded.push_back(load_txt(spec));
  for (const std::string& path : o.logs) recorded.push_back(load_log(path));

  if (o.synthetic) {
    std::vector<MixedTraceParams> mixed;
    for (double alpha : {0.6, 0.9, 1.2}) {
      MixedTraceParams p;
      p.alpha = alpha;
      p.requests = o.requests;
      mixed.push_back(p);
    }
    // Names are checked before any replay: a typo fails at once, not after minutes.
    std::vector<std::string> known = {"monday-morning"};
    for (const MixedTraceParams& p : mixed) known.push_back(mixed_trace_name(p));
    for (const std::string& name : o.traces) {
      if (std::find(known.begin(), known.end(), name) == known.end()) usage_error("--traces: unknown trace '" + name + "'");
    }
    auto wanted = [&](std::string_view name) {
      return o.traces.empty() || std::find(o.traces.begin(), o.traces.end(), name) != o.traces.end();
    };
    for (const MixedTraceParams& p : mixed) {
      if (wanted(mixed_trace_name(p))) run(make_mixed_trace(p));
    }
    MondayTraceParams monday;
    monday.requests = o.requests;
    if (wanted("monday-morning")) run(make_monday_trace(monday));
  }
  for (Trace& t : recorded) run(std::move(t));
  if (summaries.empty()) usage_error("no trace: drop --no-synthetic or give --txt / --access-log");

  const std::string md = results_markdown(o.title, summaries, rows, o.tier);
  std::fwrite(md.data(), 1, md.size(), stdout);
  if (!o.markdown.empty()) write_file(o.markdown, md);
  return 0;
}
