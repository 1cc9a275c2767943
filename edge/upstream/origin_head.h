// The head of an origin's response, collected line by line from libcurl's
// header callback, with bounds: at most max_bytes of head and kMaxOriginFields
// field lines (an origin sending a megabyte of headers costs us nothing
// more). Interim 1xx heads are dropped (RFC 9110 §15.2). A line that is not
// `name: value` with a token name, or an obsolete folded line (RFC 9112
// §5.2), makes the head bad: the fetch fails as a bad origin response (502)
// rather than forwarding something a client parser may read differently; so
// does a framing a client could read differently from curl (settle_framing),
// and more than kMaxInterimHeads interim heads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace relais::upstream {

inline constexpr std::size_t kMaxOriginFields = 128;
inline constexpr int kMaxInterimHeads = 8;

struct OriginField {
  std::string name;
  std::string value;  // OWS trimmed
};

struct OriginHead {
  int status = 0;
  std::vector<OriginField> fields;
};

// RFC 9112 §6.3 on a complete head: with Transfer-Encoding, no Content-Length
// is kept; without, every Content-Length must give one valid length (kept
// once). False: the framing is invalid (a 502, never forwarded).
bool settle_framing(OriginHead& head);

class HeadCollector {
 public:
  enum class State : unsigned char { reading, complete, too_large, bad };

  explicit HeadCollector(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // One line as curl hands it (with its CRLF). Returns the state after it.
  State add_line(std::string_view line);
  State state() const { return state_; }
  const OriginHead& head() const { return head_; }
  OriginHead take() { return std::move(head_); }

 private:
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  bool expect_status_ = true;
  int interim_ = 0;
  State state_ = State::reading;
  OriginHead head_;
};

}  // namespace relais::upstream
