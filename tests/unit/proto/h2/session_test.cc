// h2::Session driven in process by an nghttp2 client session: no socket, a
// fake SessionHost, a Responder without a catalog (every request is a 503),
// so what is tested is the session: streams to requests, the host's calls,
// per-stream admission, and that mutated input never crashes it.
#include "edge/proto/h2/session.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace relais::h2 {
namespace {

constexpr char kDate[] = "Wed, 02 Dec 2026 08:00:00 GMT";

class FakeHost final : public http::SessionHost {
 public:
  http::RequestContext request_context(const http::Request&) override {
    http::RequestContext context{nullptr, nullptr, kDate};
    context.pull = pull;
    return context;
  }
  std::string_view date() override { return kDate; }
  std::uint64_t admit_request() override { return admit_wait_ms; }
  void log(const http::Request& r, const http::ResponseSummary& s) override {
    statuses.push_back(s.status);
    targets.emplace_back(r.target);
    versions.push_back(r.version_major);
  }
  void count_parse_error() override { ++parse_errors; }
  void count_rate_limited() override { ++rate_limited; }
  std::uint64_t now_ms() override { return now; }

  http::PullGateway* pull = nullptr;
  std::uint64_t admit_wait_ms = 0;
  std::uint64_t now = 1'000'000;
  std::vector<std::uint16_t> statuses;
  std::vector<std::string> targets;
  std::vector<int> versions;
  int parse_errors = 0;
  int rate_limited = 0;
};

// Client bytes from a real nghttp2 client: preface, SETTINGS, the requests.
std::string client_bytes(const std::vector<std::string>& paths) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_send_callback(
      cb, [](nghttp2_session*, const std::uint8_t* data, std::size_t length, int, void* out) -> ssize_t {
        static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(data), length);
        return static_cast<ssize_t>(length);
      });
  std::string out;
  nghttp2_session* client = nullptr;
  nghttp2_session_client_new(&client, cb, &out);
  nghttp2_submit_settings(client, NGHTTP2_FLAG_NONE, nullptr, 0);
  for (const std::string& path : paths) {
    auto nv = [](const char* n, const std::string& v) {
      return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(n)),
                        reinterpret_cast<std::uint8_t*>(const_cast<char*>(v.data())), std::strlen(n), v.size(),
                        NGHTTP2_NV_FLAG_NONE};
    };
    const std::string get = "GET", scheme = "https", host = "cours.example.org";
    const nghttp2_nv fields[] = {nv(":method", get), nv(":scheme", scheme), nv(":authority", host), nv(":path", path)};
    nghttp2_submit_request(client, nullptr, fields, 4, nullptr, nullptr);
  }
  nghttp2_session_send(client);
  nghttp2_session_del(client);
  nghttp2_session_callbacks_del(cb);
  return out;
}

struct Harness {
  explicit Harness(http::ResponderSettings settings = {}) : responder(std::move(settings)), session(Session::make(Limits{})) {}
  Env env() { return Env{responder, host, output, std::span<char>(scratch, sizeof scratch)}; }
  bool feed(const std::string& bytes) {
    Env e = env();
    const bool ok = session->receive(bytes.data(), bytes.size(), e);
    return session->send(e) && ok;
  }
  FakeHost host;
  http::Responder responder;
  http::ResponseBuffer output;
  char scratch[4097];
  std::unique_ptr<Session> session;
};

TEST(H2Session, EachStreamGoesThroughTheResponderAndTheHost) {
  Harness h;
  ASSERT_TRUE(h.feed(client_bytes({"/a.html", "/b.css"})));
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503, 503}));  // no catalog loaded
  EXPECT_EQ(h.host.targets, (std::vector<std::string>{"/a.html", "/b.css"}));
  EXPECT_EQ(h.host.versions, (std::vector<int>{2, 2}));
  EXPECT_EQ(h.session->requests(), 2u);
  EXPECT_GT(h.output.pending_bytes(), 0u);  // SETTINGS, its ACK, two HEADERS, two bodies
  EXPECT_EQ(h.session->take_events().streams, 2u);
}

TEST(H2Session, EachStreamIsAdmittedLikeAnHttp1Request) {
  Harness h;
  h.host.admit_wait_ms = 1500;
  ASSERT_TRUE(h.feed(client_bytes({"/a.html", "/b.css", "/c.js"})));
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{429, 429, 429}));
  EXPECT_EQ(h.host.rate_limited, 3);
}

TEST(H2Session, SendQueueStaysBoundedWhenTheClientDoesNotRead) {
  Harness h;
  std::vector<std::string> paths(100, "/x");
  Limits tight;
  tight.max_pending_output = 1024;
  h.session = Session::make(tight);
  ASSERT_TRUE(h.feed(client_bytes(paths)));
  // One frame may cross the bound: then nghttp2 keeps the rest.
  EXPECT_LE(h.output.pending_bytes(), 1024u + 16384u + 9u);
}

// libnghttp2 makes its 16 KiB frame buffer with the session (session_memory.h
// relies on it); an idle session gives its pages back, one with frames to
// write does not (the buffer would hold one).
TEST(H2Session, IdleSessionReleasesItsFrameBufferPages) {
  Harness h;
  EXPECT_GE(h.session->memory().scratch_blocks().size(), 1u);
  EXPECT_EQ(h.session->release_idle_memory(), 0u) << "SETTINGS are still to be written";
  // The preface, SETTINGS and the first HEADERS; then the second HEADERS.
  const std::string bytes = client_bytes({"/a.html", "/b.css"});
  std::size_t at = 24;
  for (int frame = 0; frame < 2; ++frame)
    at += 9 + (static_cast<std::uint8_t>(bytes[at]) << 16 | static_cast<std::uint8_t>(bytes[at + 1]) << 8 |
               static_cast<std::uint8_t>(bytes[at + 2]));
  ASSERT_TRUE(h.feed(bytes.substr(0, at)));
  EXPECT_GE(h.session->release_idle_memory(), 16384u);
  // The next frames are written into the released (now zeroed) pages.
  const std::uint64_t before = h.output.pending_bytes();
  ASSERT_TRUE(h.feed(bytes.substr(at)));
  EXPECT_GT(h.output.pending_bytes(), before);
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503, 503}));
}

// Mutated client streams (bytes flipped, cut anywhere): the session ends the
// connection or goes on, never crashes, asserts, or queues without bound.
TEST(H2Session, MutatedInputNeverCrashesIt) {
  const std::string valid = client_bytes({"/a.html", "/b.css", "/c?d=e"});
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    Harness h;
    std::string bytes = valid;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < flips; ++i) bytes[24 + rng() % (bytes.size() - 24)] = static_cast<char>(rng());
    if (rng() % 4 == 0) bytes.resize(24 + rng() % (bytes.size() - 24));
    std::size_t at = 0;
    while (at < bytes.size()) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % 64, bytes.size() - at);
      if (!h.feed(bytes.substr(at, n))) break;
      at += n;
    }
    ASSERT_LE(h.output.pending_bytes(), Limits{}.max_pending_output + 16384 + 9) << "round " << round;
  }
}

// A pull gateway that defers every request and keeps the stream's sink.
class DeferringGateway final : public http::PullGateway {
 public:
  class Pending final : public http::PendingResponse {
   public:
    explicit Pending(DeferringGateway& gateway) : gateway_(gateway) {}
    ~Pending() override { ++gateway_.dropped; }
    void resume() override { ++gateway_.resumed; }

   private:
    DeferringGateway& gateway_;
  };
  http::ResponseSummary serve(const http::PullQuery&, const http::RequestContext& context, http::ResponseSink&) override {
    sinks.push_back(context.stream);
    *context.pending = std::make_unique<Pending>(*this);
    http::ResponseSummary s;
    s.deferred = true;
    return s;
  }
  std::vector<http::StreamSink*> sinks;
  int resumed = 0;
  int dropped = 0;
};

TEST(H2Session, AnAnswerThatComesLaterIsBoundedResumedAndLoggedAtItsEnd) {
  DeferringGateway gateway;
  http::ResponderSettings settings;
  settings.pull.mode = http::PullMode::pull;
  Harness h(settings);
  Limits limits;
  limits.max_pending_output = 64 * 1024;
  h.session = Session::make(limits);
  int wakes = 0;
  h.session->set_wake([&wakes] { ++wakes; });
  h.host.pull = &gateway;
  ASSERT_TRUE(h.feed(client_bytes({"/pulled"})));
  ASSERT_EQ(gateway.sinks.size(), 1u);
  ASSERT_NE(gateway.sinks[0], nullptr);
  EXPECT_TRUE(h.host.statuses.empty()) << "logged at its end, not when deferred";
  EXPECT_TRUE(h.session->answers_pending());
  EXPECT_FALSE(h.session->done());

  http::StreamSink& sink = *gateway.sinks[0];
  http::Response head(200, "relais", kDate);
  head.body.kind = http::ResponseBody::Kind::stream;
  head.body.length_known = false;
  sink.head(head);
  EXPECT_FALSE(h.session->responses_waiting()) << "waiting on the origin is not a slow client";
  // The origin sends faster than anyone reads: the session takes up to
  // max_pending_output, then refuses (the fetch window holds the rest).
  const std::string piece(16 * 1024, 'p');
  std::size_t taken = 0;
  for (int i = 0; i < 64; ++i) {
    const std::size_t n = sink.body(piece);
    taken += n;
    if (n == 0) break;
  }
  EXPECT_EQ(taken, 64u * 1024);
  EXPECT_GT(wakes, 0);
  EXPECT_TRUE(h.session->responses_waiting());
  EXPECT_EQ(gateway.resumed, 0);
  // Frames leave (the client's 64 KiB window): room again, the fetch resumed.
  h.output.consume(h.output.pending_bytes());
  Env e = h.env();
  ASSERT_TRUE(h.session->send(e));
  EXPECT_EQ(gateway.resumed, 1);

  http::ResponseSummary summary;
  summary.status = 200;
  summary.body_bytes = taken;
  sink.end(summary, true);
  ASSERT_TRUE(h.session->send(e));
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{200}));
  EXPECT_EQ(h.host.targets, (std::vector<std::string>{"/pulled"}));
  EXPECT_FALSE(h.session->answers_pending());
  EXPECT_EQ(gateway.dropped, 1);
}

}  // namespace
}  // namespace relais::h2
