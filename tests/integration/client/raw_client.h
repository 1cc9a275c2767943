// RawClient: a deliberately simple HTTP/1.1 client over a blocking socket
// with deadlines, for integration tests that need to send exact bytes
// (pipelining, smuggling vectors, half-closes) and read exact answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace relais::testing {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First value of a header (case-insensitive name), "" if absent.
  std::string header(std::string_view name) const;
  bool has_header(std::string_view name) const;
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port, binding the given local source address first
  // (distinct 127.0.0.x sources behave as distinct clients).
  // receive_buffer > 0 sets SO_RCVBUF before connecting (a slow reader's small window).
  explicit RawClient(std::uint16_t port, const char* source_ip = "127.0.0.1", int receive_buffer = 0);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int native_handle() const { return fd_; }
  bool send(std::string_view bytes);
  void shutdown_write();
  // Reads one response. For HEAD (or 304/204) no body is read. nullopt on
  // deadline, reset or a malformed response.
  std::optional<HttpResponse> read_response(bool head_request = false,
                                            std::chrono::milliseconds deadline = std::chrono::seconds(10));
  // True if the server closes the connection (EOF or reset) before the
  // deadline. What it still sends is discarded, or appended to *received.
  bool wait_closed(std::chrono::milliseconds deadline = std::chrono::seconds(10), std::string* received = nullptr);
  // Everything buffered but not yet parsed into a response.
  const std::string& leftover() const { return buffer_; }

 private:
  bool fill(std::chrono::steady_clock::time_point until);
  int fd_ = -1;
  std::string buffer_;
};

// One request on a fresh connection: "GET path HTTP/1.1" with Host and the
// given extra header lines ("Name: value").
std::optional<HttpResponse> http_get(std::uint16_t port, std::string_view path,
                                     const std::vector<std::string>& headers = {}, std::string_view method = "GET");

}  // namespace relais::testing
