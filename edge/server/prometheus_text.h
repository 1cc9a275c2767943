// Prometheus text exposition format 0.0.4: the two kinds of line every
// metric writer of the edge appends.
#pragma once

#include <string>
#include <string_view>

namespace relais {

// "# HELP name help" and "# TYPE name type".
void append_metric_header(std::string& out, std::string_view name, std::string_view type, std::string_view help);
// "name{labels} value"; labels is "" or already braced, e.g. {tier="memory"}.
void append_metric_sample(std::string& out, std::string_view name, std::string_view labels, double value);
// A label value as the format requires: backslash, double quote and line
// feed escaped (site names come from the configuration).
void append_label_value(std::string& out, std::string_view value);

}  // namespace relais
