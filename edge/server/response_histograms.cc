#include "edge/server/response_histograms.h"

#include <algorithm>
#include <cstdio>

#include "edge/server/prometheus_text.h"

namespace relais {
namespace {

template <std::size_t N>
int bucket_of(const std::uint64_t (&bounds)[N], std::uint64_t value) {
  // Prometheus buckets are upper-inclusive (le): the first bound >= value.
  return static_cast<int>(std::lower_bound(bounds, bounds + N, value) - bounds);
}

struct Totals {
  std::vector<std::uint64_t> buckets;
  std::uint64_t sum = 0;
};

// One histogram's samples for one label set; buckets summed over workers,
// cumulated here. le values are written as text, not through %.17g, which
// would print 0.0005 as 0.00050000000000000001.
template <std::size_t N>
void render_series(std::string& out, const std::string& name, const std::string& labels, const Totals& t,
                   const std::uint64_t (&bounds)[N], double scale) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= N; ++i) {
    cumulative += t.buckets[i];
    char le[32];
    if (i == N) {
      std::snprintf(le, sizeof le, "+Inf");
    } else if (scale == 1) {
      std::snprintf(le, sizeof le, "%llu", static_cast<unsigned long long>(bounds[i]));
    } else {
      std::snprintf(le, sizeof le, "%.6g", static_cast<double>(bounds[i]) * scale);
    }
    append_metric_sample(out, name + "_bucket", "{" + labels + ",le=\"" + le + "\"}", static_cast<double>(cumulative));
  }
  append_metric_sample(out, name + "_sum", "{" + labels + "}", static_cast<double>(t.sum) * scale);
  append_metric_sample(out, name + "_count", "{" + labels + "}", static_cast<double>(cumulative));
}

}  // namespace

ResponseHistograms::ResponseHistograms(std::size_t sites)
    : sites_(std::max<std::size_t>(sites, 1)), series_(new Series[sites_ * kClasses]) {}

void ResponseHistograms::record(std::size_t site, int status_class, const ExchangeTiming& timing, std::uint64_t body_bytes) {
  if (status_class < 1 || status_class > kClasses) return;
  Series& s = series_[std::min(site, sites_ - 1) * kClasses + status_class - 1];
  s.duration[bucket_of(kSecondsBoundsUs, timing.duration_us)].add();
  s.duration_sum_us.add(timing.duration_us);
  s.ttfb[bucket_of(kSecondsBoundsUs, timing.ttfb_us)].add();
  s.ttfb_sum_us.add(timing.ttfb_us);
  s.size[bucket_of(kBytesBounds, body_bytes)].add();
  s.size_sum.add(body_bytes);
}

void ResponseHistograms::render(std::string& out, const std::vector<const ResponseHistograms*>& workers,
                                const std::vector<std::string>& site_names) {
  struct Histogram {
    const char* name;
    const char* help;
    const Counter* (*buckets)(const Series&);
    const Counter& (*sum)(const Series&);
    int bucket_count;
  };
  static const Histogram kHistograms[] = {
      {"relais_request_duration_seconds", "From the request head complete to the last response byte handed to the socket.",
       [](const Series& s) -> const Counter* { return s.duration; }, [](const Series& s) -> const Counter& { return s.duration_sum_us; },
       kSecondsBuckets},
      {"relais_time_to_first_byte_seconds", "From the request head complete to the first response byte handed to the socket.",
       [](const Series& s) -> const Counter* { return s.ttfb; }, [](const Series& s) -> const Counter& { return s.ttfb_sum_us; },
       kSecondsBuckets},
      {"relais_response_size_bytes", "Response body bytes (0 for HEAD, 304 and most errors).",
       [](const Series& s) -> const Counter* { return s.size; }, [](const Series& s) -> const Counter& { return s.size_sum; },
       kBytesBuckets},
  };
  for (const Histogram& h : kHistograms) {
    append_metric_header(out, h.name, "histogram", h.help);
    const bool seconds = h.bucket_count == kSecondsBuckets;
    for (std::size_t site = 0; site < site_names.size(); ++site) {
      if (site_names[site].empty()) continue;  // a row no site holds (yet)
      for (int c = 1; c <= kClasses; ++c) {
        Totals t;
        t.buckets.assign(static_cast<std::size_t>(h.bucket_count), 0);
        for (const ResponseHistograms* w : workers) {
          if (site >= w->sites_) continue;
          const Series& s = w->series(site, c);
          const Counter* b = h.buckets(s);
          for (int i = 0; i < h.bucket_count; ++i) t.buckets[static_cast<std::size_t>(i)] += b[i].get();
          t.sum += h.sum(s).get();
        }
        std::uint64_t count = 0;
        for (std::uint64_t n : t.buckets) count += n;
        if (count == 0) continue;  // a series appears with its first observation (1xx never does)
        std::string labels = "site=\"";
        append_label_value(labels, site_names[site]);
        labels.append("\",class=\"").append(std::to_string(c)).append("xx\"");
        if (seconds) {
          render_series(out, h.name, labels, t, kSecondsBoundsUs, 1e-6);
        } else {
          render_series(out, h.name, labels, t, kBytesBounds, 1);
        }
      }
    }
  }
}

}  // namespace relais
