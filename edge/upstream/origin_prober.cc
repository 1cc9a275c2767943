#include "edge/upstream/origin_prober.h"

#include <event2/event.h>

#include <algorithm>
#include <random>

#include "origin-sync/assert.h"

namespace relais::upstream {
namespace {

struct EventDeleter {
  void operator()(event* e) const { event_free(e); }
};

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// RFC 9110 §15.3, §15.4: the origin answers and means it; a redirect is how
// many applications answer a bare path, and we never follow it anyway.
bool passes(int status) { return status >= 200 && status < 400; }

}  // namespace

struct OriginProber::Probe final : FetchHandler {
  using Clock = std::chrono::steady_clock;

  Probe(OriginProber& o, std::size_t i) : owner(o), index(i) {
    timer.reset(evtimer_new(owner.client_.base(), &Probe::fired, this));
    RELAIS_ASSERT(timer != nullptr);
  }
  ~Probe() override { stop(); }

  void arm(std::chrono::milliseconds delay) {
    const timeval tv = to_timeval(std::max(delay, std::chrono::milliseconds{1}));
    evtimer_add(timer.get(), &tv);
  }

  void stop() {
    if (in_flight) owner.client_.cancel(fetch);
    in_flight = false;
    evtimer_del(timer.get());
  }

  static void fired(evutil_socket_t, short, void* self) { static_cast<Probe*>(self)->on_timer(); }

  void on_timer() {
    if (!in_flight) {
      start();
      return;
    }
    // The probe's own bound, shorter than the client fetches' timeouts: an
    // origin that accepts and never answers is what it must find.
    owner.client_.cancel(fetch);
    in_flight = false;
    if (!judged) judge(false, "no answer within " + std::to_string(owner.settings_.timeout.count()) + " ms");
    next();
  }

  void start() {
    started = Clock::now();
    judged = false;
    body_bytes = 0;
    ++owner.stats_.sent;
    OriginRequest request;
    request.path = owner.settings_.path;
    Result<FetchId> id = owner.client_.start(owner.origins_[index], request, *this);
    if (!id) {
      judge(false, id.error().message);
      next();
      return;
    }
    fetch = *id;
    in_flight = true;
    arm(owner.settings_.timeout);
  }

  // The next probe, one interval after this one started.
  void next() {
    const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    arm(owner.settings_.interval - spent);
  }

  void on_head(OriginHead head) override {
    judge(passes(head.status), "answered " + std::to_string(head.status));
  }

  std::size_t on_body(std::string_view chunk) override {
    body_bytes += chunk.size();
    if (body_bytes > kMaxProbeBodyBytes) {
      // Not a health page: its connection is not worth keeping.
      owner.client_.cancel(fetch);
      in_flight = false;
      evtimer_del(timer.get());
      next();
    }
    return chunk.size();
  }

  void on_done(const FetchOutcome& outcome) override {
    in_flight = false;
    evtimer_del(timer.get());
    if (!judged) judge(false, std::string(fetch_failure_name(outcome.failure)) + ": " + outcome.message);
    next();
  }

  void judge(bool pass, const std::string& why) {
    judged = true;
    const std::string& url = owner.origins_[index].base_url;
    if (!pass) ++owner.stats_.failed;
    const ProbeTransition t = pass ? owner.health_.probe_passed(url) : owner.health_.probe_failed(url);
    if (t == ProbeTransition::went_down && owner.log_)
      owner.log_("origin " + url + " down: health probe GET " + owner.settings_.path + " " + why +
                 "; skipped until " + std::to_string(owner.health_.policy().rise) + " probes in a row pass");
    if (t == ProbeTransition::came_up && owner.log_)
      owner.log_("origin " + url + " up: " + std::to_string(owner.health_.policy().rise) + " health probes in a row passed (" +
                 why + ")");
  }

  OriginProber& owner;
  std::size_t index;
  std::unique_ptr<event, EventDeleter> timer;
  FetchId fetch = 0;
  bool in_flight = false;
  bool judged = false;  // this probe's verdict is given (at its head, or its failure)
  std::size_t body_bytes = 0;
  Clock::time_point started{};
};

OriginProber::OriginProber(OriginClient& client, OriginHealth& health, ProbeSettings settings,
                           std::vector<OriginTarget> origins, Log log, std::uint64_t seed)
    : client_(client), health_(health), settings_(std::move(settings)), origins_(std::move(origins)), log_(std::move(log)) {
  RELAIS_ASSERT(settings_.enabled() && settings_.timeout < settings_.interval && settings_.timeout.count() > 0);
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<std::int64_t> jitter(0, settings_.interval.count() - 1);
  for (std::size_t i = 0; i < origins_.size(); ++i) {
    probes_.push_back(std::make_unique<Probe>(*this, i));
    // A random part of the interval: N workers (and N origins) spread out
    // rather than probing in lockstep (HAProxy's spread-checks).
    probes_.back()->started = Probe::Clock::now();
    probes_.back()->arm(std::chrono::milliseconds(jitter(random)));
  }
}

OriginProber::~OriginProber() { probes_.clear(); }

void OriginProber::stop() {
  for (auto& probe : probes_) probe->stop();
}

}  // namespace relais::upstream
