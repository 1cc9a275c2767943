// h2::Session driven in process by an nghttp2 client session: no socket, a
// fake SessionHost, a Responder without a catalog (every request is a 503),
// so what is tested is the session: streams to requests, the host's calls,
// per-stream admission, and that mutated input never crashes it.
#include "edge/proto/h2/session.h"

#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/unit/heap_in_use.h"

namespace relais::h2 {
namespace {

constexpr char kDate[] = "Wed, 02 Dec 2026 08:00:00 GMT";

class FakeHost final : public http::SessionHost {
 public:
  http::RequestContext request_context(const http::Request&) override {
    http::RequestContext context{nullptr, nullptr, date_text};
    context.pull = pull;
    return context;
  }
  std::string_view date() override { return date_text; }
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
  std::string date_text = kDate;
  std::uint64_t admit_wait_ms = 0;
  std::uint64_t now = 1'000'000;
  std::vector<std::uint16_t> statuses;
  std::vector<std::string> targets;
  std::vector<int> versions;
  int parse_errors = 0;
  int rate_limited = 0;
};

// A client that sends requests and reads what the server sent back (the
// responses' fields are counted), over one connection.
struct Client {
  Client() {
    nghttp2_session_callbacks* cb = nullptr;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_send_callback(
        cb, [](nghttp2_session*, const std::uint8_t* data, std::size_t length, int, void* self) -> ssize_t {
          static_cast<Client*>(self)->sent.append(reinterpret_cast<const char*>(data), length);
          return static_cast<ssize_t>(length);
        });
    nghttp2_session_callbacks_set_on_header_callback(
        cb, [](nghttp2_session*, const nghttp2_frame*, const std::uint8_t* name, std::size_t name_length,
               const std::uint8_t*, std::size_t, std::uint8_t flags, void* self) {
          Client& c = *static_cast<Client*>(self);
          ++c.fields;
          const std::string field(reinterpret_cast<const char*>(name), name_length);
          (flags & NGHTTP2_NV_FLAG_NO_INDEX ? c.never_indexed : c.indexable).insert(field);
          return 0;
        });
    nghttp2_session_client_new(&session, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~Client() { nghttp2_session_del(session); }
  void get(const char* path) {
    auto nv = [](const char* n, const char* v) {
      return nghttp2_nv{reinterpret_cast<std::uint8_t*>(const_cast<char*>(n)), reinterpret_cast<std::uint8_t*>(const_cast<char*>(v)),
                        std::strlen(n), std::strlen(v), NGHTTP2_NV_FLAG_NONE};
    };
    const nghttp2_nv request[] = {nv(":method", "GET"), nv(":scheme", "https"), nv(":authority", "cours.example.org"),
                                 nv(":path", path)};
    nghttp2_submit_request(session, nullptr, request, 4, nullptr, nullptr);
  }
  std::string take_sent() {
    nghttp2_session_send(session);
    return std::exchange(sent, std::string());
  }
  // Reads the server's frames: text segments and referenced bodies.
  bool read(http::ResponseBuffer& out) {
    std::string bytes;
    for (const http::Segment& s : out.segments()) {
      if (s.kind == http::Segment::Kind::text) bytes.append(out.text_data() + s.offset, s.length);
      if (s.kind == http::Segment::Kind::memory) bytes.append(s.memory->bytes, s.offset, s.length);
    }
    out.consume(out.pending_bytes());
    const ssize_t n = nghttp2_session_mem_recv(session, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return n == static_cast<ssize_t>(bytes.size());
  }
  nghttp2_session* session = nullptr;
  std::string sent;
  int fields = 0;  // header fields received
  std::set<std::string> never_indexed, indexable;  // by how the server encoded them (RFC 7541 §6.2)
};

// Client bytes from a real nghttp2 client: preface, SETTINGS, the requests.
std::string client_bytes(const std::vector<std::string>& paths) {
  Client client;
  for (const std::string& path : paths) client.get(path.c_str());
  return client.take_sent();
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

// libnghttp2 makes its 16 KiB frame buffer and its 4 KiB stream map with the
// session (session_memory.h relies on it); an idle session gives their pages
// back, one with frames to write does not (the buffer would hold one).
TEST(H2Session, IdleSessionReleasesItsFrameBufferPages) {
  Harness h;
  EXPECT_GE(h.session->memory().scratch_blocks().size(), 1u);
  EXPECT_EQ(h.session->memory().zero_kept_blocks().size(), 1u);
  EXPECT_EQ(h.session->release_idle_memory(), 0u) << "SETTINGS are still to be written";
  // The preface, SETTINGS and the first HEADERS; then the second HEADERS.
  const std::string bytes = client_bytes({"/a.html", "/b.css"});
  std::size_t at = 24;
  for (int frame = 0; frame < 2; ++frame)
    at += 9 + (static_cast<std::uint8_t>(bytes[at]) << 16 | static_cast<std::uint8_t>(bytes[at + 1]) << 8 |
               static_cast<std::uint8_t>(bytes[at + 2]));
  ASSERT_TRUE(h.feed(bytes.substr(0, at)));
  // The frame buffer's five pages (16 394 bytes) and, the stream closed, the stream map's page.
  EXPECT_GE(h.session->release_idle_memory(), 5 * 4096u + 4096u);
  // The next frames are written into the released (now zeroed) pages.
  const std::uint64_t before = h.output.pending_bytes();
  ASSERT_TRUE(h.feed(bytes.substr(at)));
  EXPECT_GT(h.output.pending_bytes(), before);
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503, 503}));
}

// Idle, the session keeps no capacity for the next header block: the
// vectors answering grew and the stream table's buckets are freed with the
// frame buffer's pages, and made again by the next request.
TEST(H2Session, IdleSessionFreesWhatAnsweringGrew) {
  Harness h;
  Client client;
  client.get("/a.html");
  client.get("/b.css");
  ASSERT_TRUE(h.feed(client.take_sent()));
  ASSERT_TRUE(client.read(h.output));
  const std::size_t before = test_support::heap_in_use();
  ASSERT_GT(h.session->release_idle_memory(), 0u);
  EXPECT_LT(test_support::heap_in_use(), before);
  client.get("/c.js");
  ASSERT_TRUE(h.feed(client.take_sent()));
  ASSERT_TRUE(client.read(h.output));
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503, 503, 503}));
  EXPECT_GE(client.fields, 3 * 3);  // :status, server, date at least, each time
}

// Each second's date is a new entry in our HPACK encoder's table, and
// entries only go when it is full: bounded (Limits::max_deflate_table_bytes),
// a connection that was busy for minutes holds no more of them, idle, than
// one that was busy for seconds (at the client's 4096 bytes, 14 KB more
// here, the test client's decoder table included).
TEST(H2Session, TheEncodersTableStaysBoundedAsTheDateChanges) {
  Harness h;
  Limits limits;
  limits.max_deflate_table_bytes = 1024;  // http2-hpack-table 1K
  h.session = Session::make(limits);
  h.host.statuses.reserve(256);
  h.host.targets.reserve(256);
  h.host.versions.reserve(256);
  Client client;
  auto serve_seconds = [&](unsigned from, unsigned to) {
    for (unsigned second = from; second < to; ++second) {
      char date[48];
      std::snprintf(date, sizeof date, "Wed, 02 Dec 2026 08:%02u:%02u GMT", second / 60, second % 60);
      h.host.date_text = date;
      client.get("/a.html");
      ASSERT_TRUE(h.feed(client.take_sent()));
      ASSERT_TRUE(client.read(h.output));
    }
  };
  serve_seconds(0, 20);
  ASSERT_GT(h.session->release_idle_memory(), 0u);
  const std::size_t after_20_seconds = test_support::heap_in_use();
  serve_seconds(20, 200);
  ASSERT_GT(h.session->release_idle_memory(), 0u);
  EXPECT_LE(h.session->deflate_table_bytes(), limits.max_deflate_table_bytes);
  EXPECT_LT(test_support::heap_in_use(), after_20_seconds + 1024);
  EXPECT_EQ(h.host.statuses.size(), 200u);
}

// http2-hpack-table = 0, the default: the encoder keeps nothing (nginx's
// choice); the responses still decode. With a table, it keeps what they repeat.
TEST(H2Session, WithoutAnEncoderTableNothingIsKept) {
  Harness h;
  Limits limits;
  limits.max_deflate_table_bytes = 0;
  h.session = Session::make(limits);
  Client client;
  for (int i = 0; i < 3; ++i) client.get("/a.html");
  ASSERT_TRUE(h.feed(client.take_sent()));
  ASSERT_TRUE(client.read(h.output));
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503, 503, 503}));
  EXPECT_EQ(h.session->deflate_table_bytes(), 0u);

  Harness with_table;
  Limits one_k;
  one_k.max_deflate_table_bytes = 1024;
  with_table.session = Session::make(one_k);
  Client other;
  other.get("/a.html");
  ASSERT_TRUE(with_table.feed(other.take_sent()));
  ASSERT_TRUE(other.read(with_table.output));
  EXPECT_GT(with_table.session->deflate_table_bytes(), 0u) << "a 1K table keeps the fields responses repeat";
}

// One raw frame (RFC 9113 §4.1), for blocks an nghttp2 client would not send.
std::string frame(std::uint8_t type, std::uint8_t flags, std::uint8_t stream, const std::string& payload) {
  std::string f = {static_cast<char>(payload.size() >> 16), static_cast<char>(payload.size() >> 8),
                   static_cast<char>(payload.size()), static_cast<char>(type), static_cast<char>(flags), 0, 0, 0,
                   static_cast<char>(stream)};
  return f + payload;
}

const std::string kPreface = std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + frame(4, 0, 0, "");
// HPACK, static table: :method GET, :scheme http, :path /, then :authority localhost.
const std::string kGetRoot = "\x82\x86\x84";
const std::string kAuthority = std::string("\x01\x09", 2) + "localhost";
constexpr std::uint8_t kHeaders = 1, kContinuation = 9, kEndStream = 1, kEndHeaders = 4;

TEST(H2Session, AnUnfinishedHeaderBlockIsTrackedFromItsFirstFrame) {
  Harness h;
  ASSERT_TRUE(h.feed(kPreface + frame(kHeaders, kEndStream, 1, kGetRoot)));
  EXPECT_TRUE(h.session->in_header_block());
  EXPECT_EQ(h.session->header_block_started_ms(), h.host.now);
  h.host.now += 500;
  ASSERT_TRUE(h.feed(frame(kContinuation, kEndHeaders, 1, kAuthority)));
  EXPECT_FALSE(h.session->in_header_block());
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503}));
}

// RFC 9113 §8.2.3: a client may send Cookie as one field per crumb.
TEST(H2Session, CookieCrumbsCountAsOneField) {
  Harness h;
  std::string crumbs, fields;
  for (int i = 0; i < 70; ++i) {
    crumbs += std::string("\x0f\x11\x03", 3) + "a=1";  // cookie (static index 32), literal value
    fields += std::string("\x00\x03", 2) + "x-a" + std::string("\x01", 1) + "1";
  }
  ASSERT_TRUE(h.feed(kPreface + frame(kHeaders, kEndStream | kEndHeaders, 1, kGetRoot + kAuthority + crumbs) +
                     frame(kHeaders, kEndStream | kEndHeaders, 3, kGetRoot + kAuthority + fields)));
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503, 431}));  // no catalog: 503 is "served"
}

// HPACK bomb (outside attack): a 4 KB field put in the table once, then
// referenced a thousand times per block, stream after stream. Each stream over
// the bound costs like a stream error: the connection ends at the budget.
TEST(H2Session, AnHpackBombStreamAfterStreamEndsTheConnection) {
  Harness h;
  Limits limits;
  limits.max_resets = 5;
  h.session = Session::make(limits);
  // Literal with incremental indexing, new name "x-big", a 4000-byte value
  // (length 4000 = 127 + 3873: 0x7f, then 3873 as 0xa1 0x1e).
  const std::string big = std::string("\x40\x05x-big\x7f\xa1\x1e", 10) + std::string(4000, 'x');
  std::string bytes = kPreface + frame(kHeaders, kEndStream | kEndHeaders, 1, kGetRoot + kAuthority + big);
  const std::string bomb = kGetRoot + kAuthority + std::string(1000, '\xbe');  // dynamic index 62, 1000 times
  for (std::uint8_t id = 3; id < 3 + 2 * 20; id += 2) bytes += frame(kHeaders, kEndStream | kEndHeaders, id, bomb);
  EXPECT_FALSE(h.feed(bytes)) << "the session goes away";
  EXPECT_EQ(h.session->take_events().goaways[NGHTTP2_ENHANCE_YOUR_CALM], 1u);
  EXPECT_EQ(h.host.statuses.front(), 503);  // the first stream was a request like any other
  EXPECT_LE(h.host.statuses.size(), 1u + 5u);
}

// Outside attack: one stream kept at a zero window while others on the
// connection move held its body past send-timeout for as long as they moved.
// Each stream has its own: reset with ENHANCE_YOUR_CALM after it.
TEST(H2Session, AStreamKeptShutWhileOthersMoveIsResetAtTheSendTimeout) {
  Harness h;
  // SETTINGS_INITIAL_WINDOW_SIZE = 0: no stream may get a DATA byte until its window opens.
  const std::string zero_window = frame(4, 0, 0, std::string("\x00\x04\x00\x00\x00\x00", 6));
  ASSERT_TRUE(h.feed(std::string("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") + zero_window +
                     frame(kHeaders, kEndStream | kEndHeaders, 1, kGetRoot + kAuthority)));
  ASSERT_EQ(h.host.statuses, (std::vector<std::uint16_t>{503}));
  ASSERT_TRUE(h.session->responses_waiting()) << "the 503's body waits on the window";
  const std::string reset = frame(3, 0, 1, std::string("\x00\x00\x00\x0b", 4));  // RST_STREAM(ENHANCE_YOUR_CALM)
  auto sent_reset = [&] {
    std::string bytes;
    for (const http::Segment& seg : h.output.segments())
      if (seg.kind == http::Segment::Kind::text) bytes.append(h.output.text_data() + seg.offset, seg.length);
    h.output.consume(h.output.pending_bytes());
    return bytes.find(reset) != std::string::npos;
  };
  constexpr std::uint64_t kTimeout = 10'000;
  EXPECT_EQ(h.session->reset_stalled_streams(h.host.now, kTimeout), 0u);  // first seen waiting
  h.host.now += kTimeout - 1;
  EXPECT_EQ(h.session->reset_stalled_streams(h.host.now, kTimeout), 0u);
  Env e = h.env();
  ASSERT_TRUE(h.session->send(e));
  EXPECT_FALSE(sent_reset());
  h.host.now += 1;
  EXPECT_EQ(h.session->reset_stalled_streams(h.host.now, kTimeout), 0u) << "one look per timeout / 4";
  h.host.now += kTimeout / 4;
  EXPECT_EQ(h.session->reset_stalled_streams(h.host.now, kTimeout), 1u);
  ASSERT_TRUE(h.session->send(e));
  EXPECT_TRUE(sent_reset());
  EXPECT_FALSE(h.session->responses_waiting());
}

// CVE-2019-9518: empty DATA frames that end nothing count as control frames.
TEST(H2Session, AFloodOfEmptyDataFramesEndsTheConnection) {
  Harness h;
  Limits limits;
  limits.max_control_frames = 50;
  h.session = Session::make(limits);
  const std::string post = std::string("\x83", 1) + "\x86\x84" + kAuthority;  // :method POST (static 3)
  std::string bytes = kPreface + frame(kHeaders, kEndHeaders, 1, post);
  for (int i = 0; i < 100; ++i) bytes += frame(0, 0, 1, "");
  EXPECT_FALSE(h.feed(bytes));
  EXPECT_EQ(h.session->take_events().goaways[NGHTTP2_ENHANCE_YOUR_CALM], 1u);

  Harness fine;  // a body ended by an empty DATA frame is no flood
  fine.session = Session::make(limits);
  EXPECT_TRUE(fine.feed(kPreface + frame(kHeaders, kEndHeaders, 1, post) + frame(0, kEndStream, 1, "")));
}

// nghttp2 resets a stream whose block has a connection-specific field
// (RFC 9113 §8.2.2) before any request is built: logged as HTTP/1 logs a 400.
TEST(H2Session, AStreamResetForAMalformedFieldIsLogged) {
  Harness h;
  const std::string connection = std::string("\x00\x0a", 2) + "connection" + std::string("\x05", 1) + "close";
  ASSERT_TRUE(h.feed(kPreface + frame(kHeaders, kEndStream | kEndHeaders, 1, kGetRoot + kAuthority + connection)));
  EXPECT_EQ(h.host.statuses, (std::vector<std::uint16_t>{400}));
  EXPECT_EQ(h.host.targets, (std::vector<std::string>{"/"}));
  EXPECT_EQ(h.host.parse_errors, 1);
  EXPECT_EQ(h.session->requests(), 0u);
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

// A dictionary's match pattern and a range are new for each URL or request:
// sent as literals, they leave the encoder's table to the fields every
// response repeats. Those stay indexable.
TEST(H2Session, FieldsNewForEachUrlAreNeverIndexed) {
  DeferringGateway gateway;
  http::ResponderSettings settings;
  settings.pull.mode = http::PullMode::pull;
  Harness h(settings);
  h.host.pull = &gateway;
  Client client;
  client.get("/video.mp4");
  ASSERT_TRUE(h.feed(client.take_sent()));
  ASSERT_EQ(gateway.sinks.size(), 1u);
  const std::vector<http::HeaderField> fields = {{"Content-Type", "video/mp4"},
                                                 {"Content-Range", "bytes 0-9/100"},
                                                 {"Use-As-Dictionary", "match=\"/video.mp4\""}};
  http::Response head(206, "relais", kDate);
  head.forwarded = fields;
  head.body.kind = http::ResponseBody::Kind::stream;
  head.body.length_known = true;
  head.body.size = 10;
  gateway.sinks[0]->head(head);
  EXPECT_EQ(gateway.sinks[0]->body("0123456789"), 10u);
  http::ResponseSummary summary;
  summary.status = 206;
  summary.body_bytes = 10;
  gateway.sinks[0]->end(summary, true);
  Env e = h.env();
  ASSERT_TRUE(h.session->send(e));
  ASSERT_TRUE(client.read(h.output));
  EXPECT_EQ(client.never_indexed, (std::set<std::string>{"content-range", "use-as-dictionary"}));
  EXPECT_TRUE(client.indexable.count("content-type"));
  EXPECT_TRUE(client.indexable.count("server"));
}

}  // namespace
}  // namespace relais::h2
