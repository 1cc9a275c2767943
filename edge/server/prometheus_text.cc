#include "edge/server/prometheus_text.h"

#include <cstdio>

namespace relais {

void append_metric_header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help);
  out.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

void append_metric_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  char number[32];
  // %.17g round-trips a double; counters up to 2^53 print as integers.
  int n = std::snprintf(number, sizeof number, "%.17g", value);
  out.append(name).append(labels).append(" ").append(number, static_cast<std::size_t>(n)).append("\n");
}

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace relais
