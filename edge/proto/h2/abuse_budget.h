// AbuseBudget: what one HTTP/2 connection may make us spend on frames that
// produce no response, per window of time.
//
// Two counts, each reset at the start of a window (a fixed window: cheap, and
// an attacker gains at most one extra budget at a window's edge):
// - resets: RST_STREAMs from the client (Rapid Reset, CVE-2023-44487) and
//   stream errors we answer with a RST_STREAM (MadeYouReset, CVE-2025-8671:
//   frames that make the server reset are as cheap to send as resets);
// - control frames: SETTINGS, PING, WINDOW_UPDATE, PRIORITY (the 2019 flood
//   family, CVE-2019-9512/9515/9513). A DATA frame we send earns two, since a
//   client that reads a large body may answer each one with a WINDOW_UPDATE
//   for its stream and one for the connection (python-h2 and others do).
// Past either bound the session sends GOAWAY(ENHANCE_YOUR_CALM) and the
// connection closes. Time is passed in (tests move it).
#pragma once

#include <cstdint>

namespace relais::h2 {

class AbuseBudget {
 public:
  // WINDOW_UPDATEs a legitimate reader may send per DATA frame: stream and connection.
  static constexpr std::uint32_t kEarnedPerDataFrame = 2;

  AbuseBudget(std::uint32_t max_resets, std::uint32_t max_control_frames, std::uint64_t window_ms)
      : max_resets_(max_resets), max_control_(max_control_frames), window_ms_(window_ms) {}

  // Each returns false once the connection is over that budget in this window.
  bool reset(std::uint64_t now_ms) {
    roll(now_ms);
    return ++resets_ <= max_resets_;
  }
  bool control_frame(std::uint64_t now_ms) {
    roll(now_ms);
    return ++control_ <= max_control_ + earned_;
  }
  void data_frame_sent(std::uint64_t now_ms) {
    roll(now_ms);
    earned_ += kEarnedPerDataFrame;
  }

 private:
  void roll(std::uint64_t now_ms) {
    if (now_ms - window_start_ms_ < window_ms_) return;
    window_start_ms_ = now_ms;
    resets_ = control_ = 0;
    earned_ = 0;
  }

  std::uint32_t max_resets_;
  std::uint32_t max_control_;
  std::uint64_t window_ms_;
  std::uint64_t window_start_ms_ = 0;
  std::uint32_t resets_ = 0;
  std::uint32_t control_ = 0;
  std::uint64_t earned_ = 0;
};

}  // namespace relais::h2
