// A renewal's "lost" answer stops only the run it was sent for.
#include <gtest/gtest.h>

#include "core/lease_loss.hpp"

namespace arc {
namespace {

TEST(LostLease, TheRunTheRenewalWasSentForIsStopped) {
  EXPECT_EQ(on_lost_lease(7, 7, false), LostLease::stop_run);
}

TEST(LostLease, ARenewalCanStopOnlyTheRunItWasSentFor) {
  // Run 7 ended, the task was claimed again and run 9 holds it under a new
  // lease: the late answer about run 7's lease leaves run 9 alone.
  EXPECT_EQ(on_lost_lease(7, 9, false), LostLease::run_gone);
  // The task started after the renewal was sent: it was not in it.
  EXPECT_EQ(on_lost_lease(std::nullopt, 9, false), LostLease::run_gone);
  // Ended and recorded: nothing runs.
  EXPECT_EQ(on_lost_lease(7, std::nullopt, false), LostLease::run_gone);
}

TEST(LostLease, ARunWhoseResultIsBeingRecordedIsLeftToItsResult) {
  EXPECT_EQ(on_lost_lease(7, 7, true), LostLease::result_pending);
}

}  // namespace
}  // namespace arc
