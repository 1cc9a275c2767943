#include "edge/server/wakeup.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

#include "origin-sync/assert.h"

namespace relais {

Wakeup::Wakeup(event_base* base, std::function<void()> callback)
    : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), callback_(std::move(callback)) {
  RELAIS_ASSERT(fd_.valid());
  event_ = event_new(base, fd_.get(), EV_READ | EV_PERSIST, &Wakeup::on_readable, this);
  RELAIS_ASSERT(event_ != nullptr);
  event_add(event_, nullptr);
}

Wakeup::~Wakeup() { event_free(event_); }

void Wakeup::notify() {
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: a wakeup is pending anyway.
  (void)!::write(fd_.get(), &one, sizeof one);
}

void Wakeup::on_readable(evutil_socket_t fd, short, void* self) {
  std::uint64_t count = 0;
  (void)!::read(fd, &count, sizeof count);
  static_cast<Wakeup*>(self)->callback_();
}

}  // namespace relais
