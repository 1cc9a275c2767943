// An admin purge of pulled objects (pull-through, docs/PULL_THROUGH.md)
// across the workers. Each worker's PulledTable is its own, lock-free on the
// hit path (pulled_table.h), so the admin thread never touches one: it asks
// every worker's loop (Worker::request_pull_purge, through its Wakeup) and
// waits, bounded by `deadline`, until each has dropped its objects, so that
// once the purge is answered no worker serves them again. A fetch already in
// flight may still store its response after it (a new one, not a purged one).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace relais {

class Worker;

// How many objects went in all workers (those that answered in time).
std::size_t purge_pulled(const std::vector<std::unique_ptr<Worker>>& workers, std::uint16_t site, std::string_view path,
                         std::chrono::milliseconds deadline);

}  // namespace relais
