// Session: HTTP/1.1 framing of a byte stream without a socket: pipelining,
// bodies discarded (not read as requests), the request rate, backpressure.
// No catalog is loaded, so every lookup answers 503: the framing is under test.
#include "edge/proto/h1/session.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace relais::http {
namespace {

class FakeHost final : public SessionHost {
 public:
  RequestContext request_context(const Request&) override { return RequestContext{nullptr, nullptr, date()}; }
  std::string_view date() override { return "Wed, 02 Dec 2026 08:00:00 GMT"; }
  std::uint64_t admit_request() override { return wait_ms; }
  void log(const Request& request, const ResponseSummary& summary) override {
    logged.push_back(std::string(request.target) + " " + std::to_string(summary.status));
  }
  void count_parse_error() override { ++parse_errors; }
  void count_rate_limited() override { ++rate_limited; }
  std::uint64_t now_ms() override { return 1000; }

  std::uint64_t wait_ms = 0;
  std::vector<std::string> logged;
  int parse_errors = 0;
  int rate_limited = 0;
};

class SessionTest : public ::testing::Test {
 protected:
  // Appends bytes to the input and feeds the session once.
  void feed(const std::string& bytes) {
    input_.append(bytes);
    std::vector<char> buffer(input_.begin(), input_.end());
    std::size_t length = buffer.size();
    std::vector<char> scratch(limits_.parser.max_target_bytes + 1);
    Session session(limits_, responder_, headers_.data(), nullptr, host_,
                    SessionIo{buffer.data(), length, scratch, out_, framing_, head_started_ms_});
    session.feed(flags_);
    input_.assign(buffer.data(), length);
  }
  std::string output() {
    std::string bytes;
    for (const Segment& s : out_.segments()) bytes.append(out_.text_data() + s.offset, s.length);
    return bytes;
  }

  SessionLimits limits_{ParserLimits{}, 1 << 20, 100};
  Responder responder_{ResponderSettings{}};
  std::vector<HeaderField> headers_ = std::vector<HeaderField>(ParserLimits{}.max_headers);
  FakeHost host_;
  ResponseBuffer out_;
  FramingState framing_;
  std::uint64_t head_started_ms_ = 0;
  SessionFlags flags_;
  std::string input_;
};

TEST_F(SessionTest, PipelinedRequestsAreAnsweredInOrderAndABodyIsNeverReadAsARequest) {
  feed("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(host_.logged, (std::vector<std::string>{"/a 503", "/b 503"}));
  EXPECT_EQ(flags_.requests, 2u);
  EXPECT_TRUE(input_.empty());
  EXPECT_FALSE(flags_.stop_parsing);
}

TEST_F(SessionTest, AChunkedBodyIsDiscardedAcrossFeeds) {
  feed("GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nGET /");
  EXPECT_TRUE(framing_.discarding());
  feed("x\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(framing_.discarding());
  EXPECT_EQ(host_.logged, (std::vector<std::string>{"/a 503", "/b 503"}));
}

TEST_F(SessionTest, ABrokenChunkedBodyIs400AndStopsParsing) {
  feed("GET /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(host_.logged, (std::vector<std::string>{"/a 503", " 400"}));
  EXPECT_EQ(host_.parse_errors, 1);
  EXPECT_TRUE(flags_.stop_parsing);
}

TEST_F(SessionTest, OverTheRequestRateA429KeepsTheConnection) {
  host_.wait_ms = 1500;
  feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(host_.logged, (std::vector<std::string>{"/a 429"}));
  EXPECT_NE(output().find("\r\nRetry-After: 2\r\n"), std::string::npos) << output();
  EXPECT_EQ(host_.rate_limited, 1);
  EXPECT_FALSE(flags_.stop_parsing);
}

TEST_F(SessionTest, AnIncompleteHeadWaitsForMoreBytes) {
  feed("GET /a HTTP/1.1\r\nHo");
  EXPECT_TRUE(host_.logged.empty());
  EXPECT_EQ(input_, "GET /a HTTP/1.1\r\nHo");
  feed("st: x\r\n\r\n");
  EXPECT_EQ(host_.logged, (std::vector<std::string>{"/a 503"}));
}

TEST_F(SessionTest, QueuedOutputHoldsBackTheNextPipelinedRequest) {
  limits_.max_pending_output = 1;
  feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(host_.logged, (std::vector<std::string>{"/a 503"}));
  EXPECT_TRUE(flags_.held_back);
  EXPECT_EQ(input_, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
}

TEST_F(SessionTest, TheLastRequestAllowedOnAConnectionIsToldToClose) {
  limits_.max_requests_per_connection = 1;
  feed("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(host_.logged, (std::vector<std::string>{"/a 503"}));
  EXPECT_NE(output().find("\r\nConnection: close\r\n"), std::string::npos) << output();
  EXPECT_TRUE(flags_.stop_parsing);
}

}  // namespace
}  // namespace relais::http
