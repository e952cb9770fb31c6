#include "core/lease_loss.hpp"

namespace arc {

LostLease on_lost_lease(std::optional<uint64_t> asked, std::optional<uint64_t> now, bool recording) {
  if (recording) return LostLease::result_pending;  // just finished: the result carries the lease's fate
  if (!asked || !now || *asked != *now) return LostLease::run_gone;
  return LostLease::stop_run;
}

}  // namespace arc
