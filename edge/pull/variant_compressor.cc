#include "edge/pull/variant_compressor.h"

#include <sys/resource.h>
#include <unistd.h>

#include "origin-sync/variant_selection.h"

namespace relais::pull {
namespace {

// Faster than the publisher's (br 11, zstd 19, gzip 9: about 2.2 CPU-seconds
// per MiB of text), which pays once for millions of responses: here a client
// chooses what is compressed, one cold URL each, so each MiB costs ~0.25 s
// (measured on base64 text: br 5 0.06 s, zstd 6 0.09 s, gzip 6 0.09 s), for
// outputs within a few percent of the publisher's on text.
constexpr CompressionLevels kEdgeLevels{5, 6, 6};

// The variants the publisher's "worth keeping" rule keeps (variant_selection.h), at kEdgeLevels; null if none.
std::shared_ptr<const CodedVariants> encode(const MemoryRef& body) {
  auto built = build_variants(body->bytes, Compressibility::always, kEdgeLevels);
  if (!built || built->empty()) return nullptr;
  auto coded = std::make_shared<CodedVariants>();
  for (EncodedVariant& v : *built) {
    auto bytes = std::make_shared<MemoryObject>();
    bytes->bytes = std::move(v.bytes);
    coded->bodies.push_back(CodedBody{v.encoding, std::move(bytes)});
  }
  return coded;
}

}  // namespace

VariantCompressor::VariantCompressor(std::size_t queue_max, std::function<void()> notify)
    : queue_max_(queue_max), notify_(std::move(notify)), thread_([this] { run(); }) {}

VariantCompressor::~VariantCompressor() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool VariantCompressor::submit(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= queue_max_) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

std::vector<VariantCompressor::Done> VariantCompressor::take() {
  std::vector<Done> out;
  std::lock_guard lock(mutex_);
  out.swap(done_);
  return out;
}

void VariantCompressor::run() {
  // Linux nice values are per thread: compression yields the CPU to the
  // workers' loops.
  (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    // Only this job holds the body: it left the table while queued, and
    // nobody could attach its variants.
    if (job.body.use_count() == 1) continue;
    Done done{std::move(job.primary), std::move(job.secondary), job.body, encode(job.body)};
    {
      std::lock_guard lock(mutex_);
      done_.push_back(std::move(done));
    }
    notify_();
  }
}

}  // namespace relais::pull
