#include "edge/server/exchange_queue.h"

#include <gtest/gtest.h>

#include <vector>

namespace relais {
namespace {

struct Finished {
  std::uint16_t status;
  std::uint64_t first_byte_us;
  std::uint64_t last_byte_us;
  std::string log_head;
};

// Queues a response of `bytes` bytes after the ones pending, as the worker does.
void queue(ExchangeQueue& q, std::uint16_t status, std::uint64_t bytes, std::uint64_t head_done_us,
           std::string_view log_head = {}) {
  PendingExchange e;
  e.status = status;
  e.head_done_us = head_done_us;
  e.start = q.next_start();
  e.end = e.start + bytes;
  e.log_begin = q.text().size();
  q.text().append(log_head);
  e.log_end = q.text().size();
  q.push(e);
}

std::vector<Finished> settle(ExchangeQueue& q, std::uint64_t now, bool closing = false) {
  std::vector<Finished> done;
  q.settle(now, closing, [&](const PendingExchange& e, std::uint64_t at) {
    done.push_back({e.status, e.first_byte_us, at, std::string(q.log_head(e))});
  });
  return done;
}

TEST(ExchangeQueue, FirstByteAndLastByteAreStampedWhenTheyLeave) {
  ExchangeQueue q;
  queue(q, 200, 1000, 10, "a");
  EXPECT_TRUE(settle(q, 20).empty());  // nothing sent yet
  q.add_sent(1);
  EXPECT_TRUE(settle(q, 30).empty());
  EXPECT_EQ(q.front().first_byte_us, 30u);
  q.add_sent(998);
  EXPECT_TRUE(settle(q, 40).empty());  // one byte short
  EXPECT_EQ(q.front().first_byte_us, 30u);  // stamped once
  q.add_sent(1);
  auto done = settle(q, 50);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].first_byte_us, 30u);
  EXPECT_EQ(done[0].last_byte_us, 50u);
  EXPECT_EQ(done[0].log_head, "a");
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.text().empty());  // the text is reused, not grown per request
}

TEST(ExchangeQueue, PipelinedResponsesFinishInOrderAndTheNextStartsWhereOneEnds) {
  ExchangeQueue q;
  queue(q, 200, 100, 1, "first");
  queue(q, 404, 50, 1, "second");
  queue(q, 304, 30, 1, "third");
  q.add_sent(120);  // the first, and part of the second
  auto done = settle(q, 5);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].log_head, "first");
  EXPECT_EQ(q.front().status, 404);
  EXPECT_EQ(q.front().first_byte_us, 5u);
  q.add_sent(60);  // everything
  done = settle(q, 9);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].log_head, "second");
  EXPECT_EQ(done[1].log_head, "third");
  EXPECT_EQ(done[1].first_byte_us, 9u);  // its first byte left in this turn
  // Idle again: the next response starts at the current offset.
  queue(q, 200, 10, 11);
  EXPECT_EQ(q.front().start, 180u);
}

TEST(ExchangeQueue, ClosingFinishesWhatIsLeft) {
  ExchangeQueue q;
  queue(q, 200, 1 << 20, 1, "cut");
  queue(q, 200, 10, 1, "never sent");
  q.add_sent(4096);
  auto done = settle(q, 70, true);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].first_byte_us, 70u);
  EXPECT_EQ(done[0].last_byte_us, 70u);
  EXPECT_EQ(done[1].first_byte_us, 0u);  // nothing of it left: the worker counts TTFB as the duration
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace relais
