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
  EXPECT_EQ(b.claim_size(0), 0) << "a result in hand holds its slot";
  ASSERT_EQ(b.start_recording(1, false), Recording::finish);
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

TEST(RunBook, ARunHoldsItsSlotUntilItsResultIsOnItsWayAndAgainIfItsRecordFails) {
  RunBook b(slots(1));
  ASSERT_EQ(b.claimed(7, 3, 0), OnClaimed::start);
  EXPECT_EQ(b.find(7)->epoch, 3);
  EXPECT_TRUE(b.result_in(7));
  EXPECT_EQ(b.free_slots(), 0);
  EXPECT_EQ(b.start_recording(7, false), Recording::finish);
  EXPECT_EQ(b.free_slots(), 1) << "the next run may start while this result is committed";
  EXPECT_EQ(b.find(7)->phase, RunPhase::recording) << "but the task stays ours until it is recorded";
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

// ---- claiming ahead (prefetch) ---------------------------------------------

RunBookPolicy ahead(int slots_n, int max, millis horizon) {
  RunBookPolicy p = slots(slots_n);
  p.prefetch_max = max;
  p.prefetch_horizon_ms = horizon;
  return p;
}

// Runs task `id` from `start` to `end` and sends its result on its way.
void run_through(RunBook& b, int64_t id, int64_t start, int64_t end, bool failed = false) {
  ASSERT_EQ(b.claimed(id, 1, start, start), OnClaimed::start);
  ASSERT_TRUE(b.result_in(id, end, failed));
  ASSERT_EQ(b.start_recording(id, false), Recording::finish);
}

// After a timed 1 ms run, claims `ids` at 1 ms: the first starts, the rest wait.
void short_run_then_claim(RunBook& b, const Ids& ids) {
  run_through(b, 1, 0, 1);
  for (int64_t id : ids) b.claimed(id, 1, 1, 1);
}

TEST(RunBook, NothingIsClaimedAheadBeforeARunHasBeenTimed) {
  RunBook b(ahead(1, 4, 5));
  EXPECT_EQ(b.ahead_allowance(0), 0);
  EXPECT_EQ(b.claim_size(0), 1);
}

TEST(RunBook, ShortRunsAreClaimedAheadUpToTheCap) {
  RunBook b(ahead(1, 4, 5));
  run_through(b, 1, 100, 101);  // 1 ms: five of them in the 5 ms horizon, capped at 4
  EXPECT_EQ(b.ahead_allowance(101), 4);
  EXPECT_EQ(b.claim_size_after_record(101), 5) << "the freed slot and four ahead";
}

TEST(RunBook, RunsOfAFewMsAreClaimedAheadOnlyAsFarAsTheHorizonReaches) {
  RunBook b(ahead(2, 8, 5));
  run_through(b, 1, 0, 4);  // 4 ms, two slots: 2 x 5 / 4 = 2.5 in 5 ms
  EXPECT_EQ(b.ahead_allowance(4), 2);
}

TEST(RunBook, AnAgentsRunIsNeverClaimedAhead) {
  RunBook b(ahead(1, 4, 5));
  run_through(b, 1, 0, 90'000);
  EXPECT_EQ(b.ahead_allowance(90'000), 0);
  EXPECT_EQ(b.claim_size_after_record(90'000), 1) << "only the slot it frees";
}

TEST(RunBook, ALongRunAfterShortOnesStopsClaimingAheadAndTheWaitingAreGivenBack) {
  RunBook b(ahead(1, 4, 5));
  for (int64_t id = 1; id <= 20; ++id) run_through(b, id, id, id + 1);  // twenty runs of 1 ms
  ASSERT_EQ(b.claimed(21, 1, 30, 30), OnClaimed::start);  // an agent's run, as it turns out
  for (int64_t id = 22; id <= 25; ++id) EXPECT_EQ(b.claimed(id, 1, 30, 30), OnClaimed::wait);
  EXPECT_EQ(b.take_excess_waiting(31), Ids{}) << "1 ms in: still a short run as far as anyone knows";
  EXPECT_EQ(b.ahead_allowance(32), 2) << "2 ms in: the horizon holds fewer of its kind";
  EXPECT_EQ(b.ahead_allowance(130), 0) << "100 ms in: far past the 5 ms horizon";
  EXPECT_EQ(b.claim_size(130), 0);
  EXPECT_FALSE(b.wants_tasks(130));
  EXPECT_EQ(b.take_excess_waiting(130), (Ids{25, 24, 23, 22})) << "given back, not left waiting behind it";
  EXPECT_EQ(b.waiting(), 0);
  EXPECT_EQ(b.held(), (Ids{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}))
      << "the recorded ones are still on their way in this test";
}

TEST(RunBook, AnAdoptedRunIsNotTimed) {
  RunBook b(ahead(1, 4, 5));
  b.adopt(4, 1);  // started by our predecessor: when is not known here
  ASSERT_TRUE(b.result_in(4, 1'000'000'000, false));
  b.start_recording(4, false);
  b.recorded(4);
  run_through(b, 5, 2'000'000'000, 2'000'000'001);
  EXPECT_EQ(b.ahead_allowance(2'000'000'001), 4) << "its 'run time' (the machine's uptime) did not count";
}

TEST(RunBook, OffWithoutAPrefetchPolicy) {
  RunBook b(slots(1));
  run_through(b, 1, 0, 0);
  EXPECT_EQ(b.ahead_allowance(0), 0);
}

TEST(RunBook, ClaimedAheadTasksWaitAndStartInClaimOrderAsSlotsFree) {
  RunBook b(ahead(1, 4, 5));
  run_through(b, 1, 0, 1);
  EXPECT_EQ(b.claimed(2, 1, 1, 2), OnClaimed::start) << "a free slot";
  EXPECT_EQ(b.claimed(3, 1, 1, 2), OnClaimed::wait);
  EXPECT_EQ(b.claimed(4, 1, 1, 2), OnClaimed::wait);
  EXPECT_EQ(b.waiting(), 2);
  EXPECT_EQ(b.free_slots(), 0);
  EXPECT_EQ(b.claim_size(2), 2) << "four may wait, two do";
  EXPECT_FALSE(b.next_to_start(2)) << "no free slot";
  EXPECT_EQ(b.held(), (Ids{1, 2, 3, 4})) << "their claims are ours: renewed, never released";
  EXPECT_EQ(b.renewal(2).tasks, (Ids{1, 2, 3, 4}));
  ASSERT_TRUE(b.result_in(2, 3, false));
  EXPECT_FALSE(b.next_to_start(3)) << "task 2's result in hand still holds the slot";
  b.start_recording(2, false);
  EXPECT_EQ(b.next_to_start(3), 3) << "its result is on its way";
  EXPECT_FALSE(b.next_to_start(3)) << "one slot";
  EXPECT_EQ(b.find(3)->phase, RunPhase::running);
  EXPECT_FALSE(b.result_in(4, 3, false)) << "a waiting task has no result";
}

TEST(RunBook, ATaskClaimedWhileOthersWaitWaitsBehindThem) {
  RunBook b(ahead(2, 8, 5));
  short_run_then_claim(b, {2, 3});
  EXPECT_EQ(b.claimed(4, 1, 1, 1), OnClaimed::wait);
  for (int64_t id : {2, 3}) {
    b.result_in(id, 2, false);
    b.start_recording(id, false);
  }
  EXPECT_EQ(b.claimed(5, 1, 2, 2), OnClaimed::wait) << "task 4 was claimed first";
  EXPECT_EQ(b.next_to_start(2), 4);
  EXPECT_EQ(b.next_to_start(2), 5);
}

TEST(RunBook, AnUrgentTaskClaimedLaterStartsBeforeLessUrgentOnesWaiting) {
  RunBook b(ahead(1, 4, 5));
  run_through(b, 1, 0, 1);
  b.claimed(2, 1, 1, 1, 5);
  b.claimed(3, 1, 1, 1, 5);
  b.claimed(4, 1, 1, 1, 7);
  EXPECT_EQ(b.claimed(5, 1, 2, 2, 1), OnClaimed::wait);
  EXPECT_EQ(b.claimed(6, 1, 2, 2, 5), OnClaimed::wait);
  Ids order;
  for (int i = 0; i < 4; ++i) {
    int64_t running = i == 0 ? 2 : order.back();
    b.result_in(running, 3, false);
    b.start_recording(running, false);
    order.push_back(*b.next_to_start(3));
  }
  EXPECT_EQ(order, (Ids{5, 3, 6, 4})) << "by priority, then in claim order";
}

TEST(RunBook, ATaskClaimedIntoAFreeSlotWaitsWhileAFailureIsOnItsWay) {
  RunBook b(ahead(1, 4, 5));
  run_through(b, 1, 0, 1);
  b.claimed(2, 1, 1, 1);
  ASSERT_TRUE(b.result_in(2, 2, /*may_close_gate=*/true));
  b.start_recording(2, false);  // its slot is free, its verdict pending
  EXPECT_EQ(b.claimed(3, 1, 1, 3), OnClaimed::wait) << "a claim sent before the failure must not start a run after it";
  EXPECT_FALSE(b.next_to_start(3));
  b.recorded(2);
  EXPECT_EQ(b.next_to_start(3), 3);
}

TEST(RunBook, AfterAFailureWaitingTasksHoldUntilItsRecordIsAnswered) {
  RunBook b(ahead(1, 4, 5));
  short_run_then_claim(b, {2, 3});
  ASSERT_TRUE(b.result_in(2, 2, /*may_close_gate=*/true));
  EXPECT_FALSE(b.next_to_start(2)) << "the store may stop the gate with this result";
  b.start_recording(2, false);
  EXPECT_FALSE(b.next_to_start(3));
  b.recorded(2);
  EXPECT_EQ(b.next_to_start(3), 3) << "the gate is still open";
}

TEST(RunBook, AGateFoundClosedTakesTheWaitingTasksOutToBeGivenBack) {
  RunBook b(ahead(1, 4, 5));
  short_run_then_claim(b, {2, 3, 4});
  b.result_in(2, 2, true);
  b.start_recording(2, false);
  b.recorded(2);
  EXPECT_EQ(b.take_waiting(), (Ids{3, 4}));
  EXPECT_EQ(b.find(3), nullptr);
  EXPECT_EQ(b.waiting(), 0);
  EXPECT_FALSE(b.next_to_start(3));
}

TEST(RunBook, TheDrainGivesBackTheWaitingTasksUntouched) {
  RunBook b(ahead(1, 4, 5));
  short_run_then_claim(b, {2, 3});
  EXPECT_EQ(b.drain(), Ids{3});
  EXPECT_EQ(b.claim_size(10), 0);
  b.recorded(1);
  b.result_in(2, 5, false);
  EXPECT_FALSE(b.next_to_start(5)) << "nothing starts once arcd stops";
  b.start_recording(2, false);
  b.recorded(2);
  EXPECT_TRUE(b.drained());
}

TEST(RunBook, AWaitingTaskWhoseLeaseIsLostIsForgottenNotStopped) {
  RunBook b(ahead(1, 4, 5));
  short_run_then_claim(b, {2, 3, 4});
  EXPECT_TRUE(b.renewal_answered(b.renewal(5), {3}).empty()) << "no process to stop";
  EXPECT_EQ(b.find(3), nullptr);
  b.result_in(2, 6, false);
  b.start_recording(2, false);
  EXPECT_EQ(b.next_to_start(6), 4) << "task 3 is someone else's now";
}

TEST(RunBook, AResultWhoseRecordFailedHoldsClaimsBack) {
  RunBook b(ahead(1, 4, 5));
  run_through(b, 1, 0, 1);
  b.claimed(2, 1, 1, 1);
  b.result_in(2, 2, false);
  b.start_recording(2, false);
  b.recording_failed(1);  // task 1's record failed: its result is in hand again
  EXPECT_EQ(b.claim_size(3), 0);
  EXPECT_FALSE(b.wants_tasks(3));
}

// ---- results in batches ----------------------------------------------------

TEST(RunBook, ResultsGoOneBatchAtATimeAndNotBesideAClaim) {
  RunBook b(slots(2));
  b.claimed(1, 1, 0);
  b.claimed(2, 1, 0);
  b.result_in(1, 1, false);
  b.start_recording(1, false);
  EXPECT_TRUE(b.may_send_records());
  b.batch_sent();
  EXPECT_FALSE(b.may_send_records()) << "one batch in flight";
  EXPECT_EQ(b.claim_size(1), 0) << "no claim of its own beside a batch";
  EXPECT_EQ(b.free_slots(), 1) << "a result on its way frees its slot";
  b.batch_answered();
  b.recorded(1);
  b.claim_sent();
  EXPECT_FALSE(b.may_send_records()) << "results wait for the claim's answer, then take the next claim with them";
}

TEST(RunBook, ABatchWithoutAClaimNeitherHoldsReleasesBackNorEndsAClaimPause) {
  RunBook b(slots(1));
  b.claimed(1, 1, 0);
  b.claim_sent();
  millis pause = b.claim_failed(10);
  ASSERT_GT(pause, 0);
  b.result_in(1, 11, false);
  b.start_recording(1, false);
  b.batch_sent();
  EXPECT_TRUE(b.may_release()) << "a batch that claims nothing hands us no task the release could miss";
  b.batch_answered();
  b.recorded(1);
  EXPECT_EQ(b.claim_failures(), 1) << "only a claim that gets through ends the pause";
  EXPECT_EQ(b.claim_size(11), 0);
  EXPECT_EQ(b.claim_size(10 + pause), 1);
}

TEST(RunBook, TheDrainIsNotOverWhileABatchIsInFlight) {
  RunBook b(slots(1));
  b.claimed(1, 1, 0);
  b.result_in(1, 1, false);
  b.start_recording(1, false);
  b.drain();
  b.batch_sent();
  b.recorded(1);
  EXPECT_FALSE(b.drained()) << "its claimed tasks are not given back yet";
  b.batch_answered();
  EXPECT_TRUE(b.drained());
}

}  // namespace
}  // namespace arc
