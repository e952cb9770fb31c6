// The dispatcher's run book (core/run_book.hpp): every decision about a run,
// without an actor system. Times are steady milliseconds.
#include <gtest/gtest.h>

#include "core/run_book.hpp"

namespace arc {
namespace {

using Ids = std::vector<int64_t>;

RunBookPolicy slots(int n) {
  RunBookPolicy p;
  p.slots = n;
  return p;
}

RunBookPolicy worker(millis lease) {
  RunBookPolicy p = slots(2);
  p.lease_ms = lease;
  p.lease_deadlines = true;
  return p;
}

TEST(RunBook, AClaimAsksForTheFreeSlotsOneClaimAtATime) {
  RunBook b(slots(3));
  EXPECT_EQ(b.claim_size(0), 3);
  b.claim_sent();
  EXPECT_EQ(b.claim_size(0), 0) << "a second claim beside the first";
  b.claim_answered();
  EXPECT_EQ(b.claimed(1, 1, 0), OnClaimed::start);
  EXPECT_EQ(b.claim_size(0), 2);
  EXPECT_EQ(b.claimed(2, 1, 0), OnClaimed::start);
  EXPECT_EQ(b.claimed(3, 1, 0), OnClaimed::start);
  EXPECT_EQ(b.claim_size(0), 0) << "no free slot";
  b.release_sent();
  b.recorded(1);
  EXPECT_EQ(b.claim_size(0), 0) << "a claim beside a release";
  b.release_over();
  EXPECT_EQ(b.claim_size(0), 1);
}

TEST(RunBook, FailedClaimsPauseClaimingDoublingToTheCap) {
  RunBook b(slots(1));
  b.claim_sent();
  EXPECT_EQ(b.claim_failed(1000), 100);
  EXPECT_EQ(b.claim_size(1099), 0);
  EXPECT_EQ(b.claim_size(1100), 1);
  b.claim_sent();
  EXPECT_EQ(b.claim_failed(1100), 200);
  for (int i = 0; i < 10; ++i) b.claim_failed(2000);
  EXPECT_EQ(b.claim_failed(2000), 5000) << "capped";
  EXPECT_EQ(b.claim_failures(), 13);
  b.claim_sent();
  b.claim_answered();
  EXPECT_EQ(b.claim_failures(), 0);
  EXPECT_EQ(b.claim_size(2001), 1) << "a claim that got through ends the pause";
}

TEST(RunBook, ARecordedResultTakesTheClaimOfTheSlotItFrees) {
  RunBook b(slots(2));
  b.claimed(1, 1, 0);
  b.claimed(2, 1, 0);
  b.result_in(1);
  EXPECT_EQ(b.claim_size(0), 0);
  EXPECT_EQ(b.claim_size_after_record(0), 1) << "task 1's slot";
  b.claim_sent();
  EXPECT_EQ(b.claim_size_after_record(0), 0) << "one claim in flight";
  b.claim_failed(0);
  EXPECT_EQ(b.claim_size_after_record(50), 0) << "paused";
  b.drain();
  EXPECT_EQ(b.claim_size_after_record(10'000), 0);
  RunBookPolicy hub_link = slots(2);
  hub_link.claim_with_record = false;
  EXPECT_EQ(RunBook(hub_link).claim_size_after_record(0), 0) << "a cluster worker claims in two steps";
}

TEST(RunBook, ARunHoldsItsSlotUntilItsResultIsRecorded) {
  RunBook b(slots(1));
  ASSERT_EQ(b.claimed(7, 3, 0), OnClaimed::start);
  EXPECT_EQ(b.find(7)->epoch, 3);
  EXPECT_TRUE(b.result_in(7));
  EXPECT_EQ(b.free_slots(), 0);
  EXPECT_EQ(b.start_recording(7, false), Recording::finish);
  EXPECT_EQ(b.start_recording(7, false), Recording::none) << "already on its way";
  b.recording_failed(7);
  EXPECT_EQ(b.free_slots(), 0) << "a result not recorded keeps its slot";
  EXPECT_EQ(b.start_recording(7, false), Recording::finish) << "tried again";
  b.recorded(7);
  EXPECT_EQ(b.free_slots(), 1);
  EXPECT_EQ(b.find(7), nullptr);
}

TEST(RunBook, AResultForATaskWeDoNotHoldIsIgnored) {
  RunBook b(slots(1));
  EXPECT_FALSE(b.result_in(9));
  EXPECT_EQ(b.start_recording(9, false), Recording::none);
}

TEST(RunBook, ATaskClaimedAgainWhileItsRunGoesOnKeepsThatRunUnderTheNewClaim) {
  RunBook b(slots(2));
  b.claimed(7, 1, 0);
  uint64_t first = b.find(7)->number;
  EXPECT_EQ(b.claimed(7, 2, 10), OnClaimed::keep_running) << "never a second process for one task";
  EXPECT_EQ(b.find(7)->epoch, 2) << "its result is recorded under the new lease";
  EXPECT_NE(b.find(7)->number, first) << "a renewal sent before the claim no longer speaks for the run";
  EXPECT_EQ(b.size(), 1u);
}

TEST(RunBook, ATaskClaimedAgainWhileItsEarlierResultIsRecordedIsGivenBack) {
  RunBook b(slots(2));
  b.claimed(7, 1, 0);
  b.result_in(7);
  EXPECT_EQ(b.claimed(7, 2, 10), OnClaimed::give_back) << "that result belongs to the earlier lease";
  b.start_recording(7, false);
  EXPECT_EQ(b.claimed(7, 3, 20), OnClaimed::give_back);
  EXPECT_EQ(b.find(7)->epoch, 1) << "the result keeps its own lease";
}

TEST(RunBook, ATaskClaimedAgainWhileItsRunIsStoppedForALostLeaseIsGivenBack) {
  RunBook b(slots(2));
  b.claimed(7, 1, 0);
  Renewal r = b.renewal(100);
  ASSERT_EQ(b.renewal_answered(r, {7}), Ids{7});
  EXPECT_EQ(b.claimed(7, 2, 200), OnClaimed::give_back);
}

TEST(RunBook, ARenewalStopsOnlyTheRunItWasSentFor) {
  RunBook b(slots(2));
  b.claimed(7, 1, 0);
  b.claimed(8, 1, 0);
  Renewal r = b.renewal(100);
  // Run 7 ends and is recorded; task 7 is claimed again: a new run.
  b.result_in(7);
  b.start_recording(7, false);
  b.recorded(7);
  b.claimed(7, 2, 150);
  // The late answer says 7's lease (the old one) and 8's are lost.
  EXPECT_EQ(b.renewal_answered(r, {7, 8}), Ids{8});
  EXPECT_EQ(b.find(7)->stopped, StopCause::none);
  EXPECT_EQ(b.find(8)->stopped, StopCause::lost_lease);
}

TEST(RunBook, ALostLeaseOfARunWhoseResultIsInHandStopsNothing) {
  RunBook b(slots(1));
  b.claimed(7, 1, 0);
  Renewal r = b.renewal(100);
  b.result_in(7);
  EXPECT_TRUE(b.renewal_answered(r, {7}).empty()) << "the result carries the lease's fate";
  b.start_recording(7, false);
  EXPECT_TRUE(b.renewal_answered(r, {7}).empty());
}

TEST(RunBook, ARunStoppedForALostLeaseReportsItsResultForTheStoreToFence) {
  RunBook b(slots(1));
  b.claimed(7, 1, 0);
  b.renewal_answered(b.renewal(100), {7});
  b.result_in(7);
  EXPECT_EQ(b.start_recording(7, true), Recording::finish) << "its cost is kept; the store refuses the rest";
}

TEST(RunBook, TheDrainStopsRunningRunsTheirTasksAreRequeuedAndTheBookEndsEmpty) {
  RunBook b(slots(3));
  b.claimed(1, 1, 0);
  b.claimed(2, 1, 0);
  b.claimed(3, 1, 0);
  b.result_in(3);  // finished before the grace ran out: its result is recorded
  b.drain();
  EXPECT_EQ(b.claim_size(0), 0);
  EXPECT_FALSE(b.drained());
  EXPECT_EQ(b.drain_grace_over(), (Ids{1, 2}));
  b.result_in(1);
  EXPECT_EQ(b.start_recording(1, true), Recording::requeue);
  b.result_in(2);
  EXPECT_EQ(b.start_recording(2, false), Recording::finish) << "it ended by itself before the stop reached it";
  EXPECT_EQ(b.start_recording(3, false), Recording::finish);
  for (int64_t id : {1, 2, 3}) b.recorded(id);
  EXPECT_TRUE(b.drained());
}

TEST(RunBook, ADrainWaitsForTheClaimOrReleaseInFlight) {
  RunBook b(slots(1));
  b.claim_sent();
  b.drain();
  EXPECT_FALSE(b.drained());
  b.claim_answered();
  EXPECT_TRUE(b.drained());
  b.release_sent();
  EXPECT_FALSE(b.drained());
  b.release_over();
  EXPECT_TRUE(b.drained());
}

TEST(RunBook, TasksClaimedJustAsTheDrainBeganAreGivenBackUntouched) {
  RunBook b(slots(2));
  b.drain();
  EXPECT_EQ(b.claimed(5, 1, 0), OnClaimed::give_back_draining);
  EXPECT_TRUE(b.empty());
}

TEST(RunBook, ALostLeaseOutranksTheDrainTheTaskIsNoLongerOursToRequeue) {
  RunBook b(slots(1));
  b.claimed(7, 1, 0);
  b.drain();
  b.renewal_answered(b.renewal(100), {7});
  b.drain_grace_over();
  b.result_in(7);
  EXPECT_EQ(b.start_recording(7, true), Recording::finish);
}

TEST(RunBook, AWorkerStopsARunOnceItsLeaseHasSurelyRunOut) {
  RunBook b(worker(3000));
  b.claimed(7, 1, 1000);  // asked at 1000: surely ours until 4000
  EXPECT_TRUE(b.past_their_lease(3999).empty());
  EXPECT_EQ(b.past_their_lease(4000), Ids{7});
  EXPECT_TRUE(b.past_their_lease(9000).empty()) << "once";
  EXPECT_EQ(b.find(7)->stopped, StopCause::lost_lease);
}

TEST(RunBook, ARenewalExtendsTheDeadlineOfTheRunItWasSentForOnly) {
  RunBook b(worker(3000));
  b.claimed(7, 1, 1000);
  b.claimed(8, 1, 1000);
  Renewal r = b.renewal(2000);
  b.claimed(8, 2, 1500);  // run 8 now holds a newer claim than the renewal knew (asked earlier)
  EXPECT_TRUE(b.renewal_answered(r, {}).empty());
  EXPECT_EQ(*b.find(7)->held_until, 5000);
  EXPECT_EQ(*b.find(8)->held_until, 4500) << "the renewal was sent for the earlier run";
  EXPECT_EQ(b.past_their_lease(4500), Ids{8});
}

TEST(RunBook, AFinishedRunIsNotStoppedAtItsDeadlineItsResultIsOnItsWay) {
  RunBook b(worker(3000));
  b.claimed(7, 1, 0);
  b.result_in(7);
  EXPECT_TRUE(b.past_their_lease(10'000).empty());
}

TEST(RunBook, OnASingleNodeARunHasNoDeadline) {
  RunBook b(slots(1));
  b.claimed(7, 1, 0);
  EXPECT_FALSE(b.find(7)->held_until.has_value());
  EXPECT_TRUE(b.past_their_lease(INT64_MAX).empty());
}

TEST(RunBook, AnAdoptedRunKeepsItsLeaseEpochAndIsHeld) {
  RunBook b(slots(2));
  b.adopt(4, 6);
  EXPECT_EQ(b.held(), Ids{4});
  EXPECT_EQ(b.find(4)->epoch, 6) << "its result is fenced by the lease it was started under";
  EXPECT_EQ(b.free_slots(), 1);
}

TEST(RunBook, WhatIsGivenBackIsEveryClaimWeHoldNoRunFor) {
  RunBook b(slots(3));
  b.claimed(1, 1, 0);
  b.claimed(3, 1, 0);
  b.claim_sent();
  EXPECT_FALSE(b.may_release()) << "the claim's tasks are not in the book yet";
  b.claim_answered();
  EXPECT_TRUE(b.may_release());
  EXPECT_EQ(b.held(), (Ids{1, 3}));
}

}  // namespace
}  // namespace arc
