// Fuzzes the access log's escaping of client text: in both formats a line is
// exactly one line; in json the output has no control byte, is well-formed
// UTF-8 (checked here independently of the escaper's own decoder), and
// un-escaping it gives back the input bytes (\u00XX is the raw byte XX).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "edge/server/request_log_line.h"
#include "tests/fuzz/fuzz_check.h"

using namespace relais;

namespace {

// Decodes one code point; false on anything RFC 3629 forbids.
bool well_formed_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    std::uint32_t cp = n == 1 ? b : b & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n;
  }
  return true;
}

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out.push_back(s[i]);
      continue;
    }
    FUZZ_CHECK(i + 1 < s.size());
    if (s[i + 1] == 'u') {
      FUZZ_CHECK(i + 5 < s.size() && s.substr(i + 2, 2) == "00");
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 4, 2)), nullptr, 16)));
      i += 5;
    } else {
      FUZZ_CHECK(s[i + 1] == '"' || s[i + 1] == '\\');
      out.push_back(s[i + 1]);
      i += 1;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string escaped;
  append_json_escaped(escaped, in);
  for (unsigned char c : escaped) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  FUZZ_CHECK(well_formed_utf8(escaped));
  FUZZ_CHECK(unescape(escaped) == in);

  http::HeaderField headers[2] = {{"User-Agent", in}, {"Referer", in.substr(in.size() / 2)}};
  http::Request request;
  request.method_token = in.substr(0, in.size() / 3);
  request.target = in;
  request.headers = headers;
  request.header_count = 2;
  http::ResponseSummary summary(200, size, false, true, false, false);
  const PeerAddress peer{};
  for (AccessLogFormat format : {AccessLogFormat::combined, AccessLogFormat::json}) {
    std::string line;
    append_log_line_head(line, format, LogLineHead{0, &peer, &request, &summary, "HTTP/1.1", "default"});
    append_log_line_tail(line, format, ExchangeTiming{size, 2 * size});
    FUZZ_CHECK(line.find('\n') == line.size() - 1);
    FUZZ_CHECK(line.size() < 4 * 512 * 6 + 512);  // four client fields cut at 512 bytes, 6 bytes an escape at most
  }
  return 0;
}
