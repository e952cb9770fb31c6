// What a lease renewal's answer "lost" does to a run: the decision, with no
// actors, so that each case is a unit test. The dispatcher carries it out.
//
// A renewal is sent for the runs that hold a task at that moment, each named
// by a run number the dispatcher gives out per start. Its answer can come
// back after that run ended and the task started again under a new claim:
// the answer then speaks of a lease the new run never held, and must not stop
// it. A renewal can stop only the run it was sent for.
#pragma once
#include <cstdint>
#include <optional>

namespace arc {

enum class LostLease {
  stop_run,        // the run the renewal was sent for still runs: stop it
  result_pending,  // that run has ended and its result is being recorded: nothing to stop
  run_gone,        // that run has ended (the task may have run again since): nothing to stop
};

// `asked`: the run the renewal was sent for (none if the task was not in it);
// `now`: the run that holds the task now (none if none does); `recording`:
// the task's result is on its way to the queue.
LostLease on_lost_lease(std::optional<uint64_t> asked, std::optional<uint64_t> now, bool recording);

}  // namespace arc
