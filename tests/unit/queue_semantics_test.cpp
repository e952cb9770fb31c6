// TaskStore: the queue's rules, with a simulated clock.
#include <gtest/gtest.h>

#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

constexpr millis kT0 = 1'747'000'000'000;  // 2025-05-11T21:46:40Z
const std::string kOwner = "node-1-abc";

class QueueTest : public ::testing::Test {
 protected:
  QueueTest() : clock_(kT0), db_(open_database(dir_.file("q.db"))), store_(*db_, clock_, RetryPolicy{10'000, 60'000}) {}

  int64_t add(const std::string& subject, int priority = 5, std::vector<std::string> locks = {},
              std::string source = "") {
    TaskSpec s;
    s.subject = subject;
    s.priority = priority;
    s.locks = std::move(locks);
    s.source = std::move(source);
    return store_.create(s, "test").id;
  }
  std::vector<int64_t> claim_ids(int max) {
    std::vector<int64_t> ids;
    for (auto& t : store_.claim(kOwner, max, 60'000)) ids.push_back(t.id);
    return ids;
  }
  TaskOutcome outcome(int64_t id, const std::string& status, const std::string& cls = "", bool retryable = false) {
    TaskOutcome o{id, kOwner, {}, 0};
    // A word as an executor says it: completed, failed (with the class), rate_limited.
    o.result.failure_class = status == "completed" ? FailureClass::none : parse_failure_class(cls.empty() ? status : cls);
    o.result.retryable = retryable;
    o.result.summary = "s";
    return o;
  }
  TaskStatus status_of(int64_t id) { return store_.get(id)->status; }

  test::TempDir dir_;
  SimClock clock_;
  std::unique_ptr<Db> db_;
  TaskStore store_;
};

TEST_F(QueueTest, LowestPriorityNumberFirstThenOldest) {
  int64_t a = add("a", 5);
  clock_.advance(1);
  int64_t b = add("b", 1);
  clock_.advance(1);
  int64_t c = add("c", 5);
  clock_.advance(1);
  int64_t d = add("d", 1);
  EXPECT_EQ(claim_ids(4), (std::vector<int64_t>{b, d, a, c}));
}

TEST_F(QueueTest, NotBeforeScheduledFor) {
  TaskSpec s;
  s.subject = "later";
  s.scheduled_for = kT0 + 60'000;
  int64_t id = store_.create(s, "test").id;
  EXPECT_TRUE(claim_ids(1).empty());
  clock_.advance(60'000);
  EXPECT_EQ(claim_ids(1), std::vector<int64_t>{id});
}

TEST_F(QueueTest, NeverAnExpiredOneAndExpiryHasAReason) {
  TaskSpec s;
  s.subject = "stale";
  s.expires_at = kT0 + 1000;
  int64_t id = store_.create(s, "test").id;
  clock_.advance(1000);
  EXPECT_TRUE(claim_ids(1).empty());
  EXPECT_EQ(store_.expire_stale("test"), 1);
  auto t = store_.get(id);
  EXPECT_EQ(t->status, TaskStatus::expired);
  EXPECT_NE(t->summary.find("expires_at"), std::string::npos);
  EXPECT_EQ(store_.events(id).back().to_status, "expired");
}

TEST_F(QueueTest, TasksSharingALockNeverRunTogether) {
  int64_t a = add("a", 5, {"repo"});
  int64_t b = add("b", 5, {"repo", "net"});
  int64_t c = add("c", 5, {"other"});
  // One claim call must not hand out two holders of "repo" either.
  EXPECT_EQ(claim_ids(3), (std::vector<int64_t>{a, c}));
  EXPECT_TRUE(claim_ids(3).empty());  // b waits: not failed
  EXPECT_EQ(status_of(b), TaskStatus::pending);
  EXPECT_EQ(describe(store_.finish(outcome(a, "completed"))), "completed");
  EXPECT_EQ(claim_ids(3), std::vector<int64_t>{b});
}

TEST_F(QueueTest, ALockedTaskDoesNotBlockTheOthersBehindIt) {
  int64_t a = add("a", 1, {"x"});
  ASSERT_EQ(claim_ids(1), std::vector<int64_t>{a});
  add("b", 1, {"x"});
  int64_t c = add("c", 9);
  EXPECT_EQ(claim_ids(1), std::vector<int64_t>{c});
}

TEST_F(QueueTest, SourceDedupWhilePendingOrActiveThenNewAfterFinish) {
  TaskSpec s;
  s.subject = "inbox";
  s.source = "sensor:inbox:msg-1";
  auto first = store_.create(s, "test");
  EXPECT_TRUE(first.created);
  auto again = store_.create(s, "test");
  EXPECT_FALSE(again.created);
  EXPECT_EQ(again.id, first.id);
  ASSERT_EQ(claim_ids(1), std::vector<int64_t>{first.id});
  EXPECT_EQ(store_.create(s, "test").id, first.id);  // active: still deduplicated
  store_.finish(outcome(first.id, "completed"));
  auto next = store_.create(s, "test");
  EXPECT_TRUE(next.created);
  EXPECT_NE(next.id, first.id);
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM tasks"), 2);
}

TEST_F(QueueTest, UniqueIndexBacksTheDedupRule) {
  add("x", 5, {}, "k");
  EXPECT_THROW(db_->exec("INSERT INTO tasks(subject, source, created_at) VALUES ('y', 'k', 1)"), DbError);
}

TEST_F(QueueTest, ClaimIsALeaseThatRenewsAndExpires) {
  int64_t id = add("a");
  auto tasks = store_.claim(kOwner, 1, 60'000);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].lease_owner, kOwner);
  EXPECT_EQ(tasks[0].lease_expires_at, kT0 + 60'000);
  EXPECT_EQ(tasks[0].attempts, 1);
  clock_.advance(50'000);
  EXPECT_TRUE(store_.renew(kOwner, {id}, 60'000).empty());
  EXPECT_EQ(store_.get(id)->lease_expires_at, kT0 + 110'000);
  clock_.advance(59'000);
  EXPECT_EQ(store_.recover_expired_leases("test"), 0);
  clock_.advance(2'000);
  EXPECT_EQ(store_.recover_expired_leases("test"), 1);
  EXPECT_EQ(status_of(id), TaskStatus::pending);
}

TEST_F(QueueTest, ExpiredLeaseWithNoAttemptsLeftFailsAsOrphaned) {
  TaskSpec s;
  s.subject = "once";
  s.max_attempts = 1;
  int64_t id = store_.create(s, "test").id;
  claim_ids(1);
  clock_.advance(61'000);
  EXPECT_EQ(store_.recover_expired_leases("test"), 1);
  auto t = store_.get(id);
  EXPECT_EQ(t->status, TaskStatus::failed);
  EXPECT_EQ(t->failure_class, FailureClass::orphaned);
}

TEST_F(QueueTest, OutcomeFromAnotherOwnerIsIgnored) {
  int64_t id = add("a");
  claim_ids(1);
  auto o = outcome(id, "completed");
  o.owner = "someone-else";
  EXPECT_EQ(describe(store_.finish(o)), "lease lost");
  EXPECT_EQ(status_of(id), TaskStatus::active);
}

TEST_F(QueueTest, RetryableFailureBacksOffThenFailsWhenAttemptsRunOut) {
  int64_t id = add("a");  // max_attempts 3
  claim_ids(1);
  EXPECT_EQ(describe(store_.finish(outcome(id, "failed", "crashed", true))), "pending");
  EXPECT_EQ(store_.get(id)->scheduled_for, kT0 + 10'000);
  EXPECT_TRUE(claim_ids(1).empty());
  clock_.advance(10'000);
  claim_ids(1);
  EXPECT_EQ(describe(store_.finish(outcome(id, "failed", "timeout", true))), "pending");
  EXPECT_EQ(store_.get(id)->scheduled_for, kT0 + 10'000 + 20'000);  // doubled
  clock_.advance(20'000);
  claim_ids(1);
  EXPECT_EQ(describe(store_.finish(outcome(id, "failed", "crashed", true))), "failed");
  auto t = store_.get(id);
  EXPECT_EQ(t->attempts, 3);
  EXPECT_EQ(t->failure_class, FailureClass::crashed);
}

TEST_F(QueueTest, ExplicitFailureIsNotRetried) {
  int64_t id = add("a");
  claim_ids(1);
  EXPECT_EQ(describe(store_.finish(outcome(id, "failed", "task_failed", false))), "failed");
}

TEST_F(QueueTest, RateLimitedRunDoesNotConsumeTheAttempt) {
  int64_t id = add("a");
  claim_ids(1);
  EXPECT_EQ(describe(store_.finish(outcome(id, "rate_limited", "rate_limited", true))), "pending");
  EXPECT_EQ(store_.get(id)->attempts, 0);
  EXPECT_EQ(store_.get(id)->scheduled_for, 0);  // the gate, not the task, waits for the reset
}

TEST_F(QueueTest, CancelledActiveTaskIsReportedLostAtRenewal) {
  int64_t id = add("a");
  claim_ids(1);
  EXPECT_TRUE(store_.cancel(id, "operator", "test").ok());
  EXPECT_EQ(store_.renew(kOwner, {id}, 60'000), std::vector<int64_t>{id});
  EXPECT_EQ(describe(store_.finish(outcome(id, "completed"))), "lease lost");  // fenced
  EXPECT_EQ(status_of(id), TaskStatus::cancelled);
}

TEST_F(QueueTest, RequeueGivesTheAttemptBack) {
  int64_t id = add("a");
  claim_ids(1);
  EXPECT_TRUE(store_.requeue(id, kOwner, "shutdown"));
  auto t = store_.get(id);
  EXPECT_EQ(t->status, TaskStatus::pending);
  EXPECT_EQ(t->attempts, 0);
}

TEST_F(QueueTest, NothingIsClaimedWhileTheGateRowSaysStopped) {
  int64_t id = add("a");
  db_->exec("UPDATE gate SET state = 'paused'");
  EXPECT_TRUE(claim_ids(1).empty());
  db_->exec("UPDATE gate SET state = 'running'");
  EXPECT_EQ(claim_ids(1), std::vector<int64_t>{id});
}

TEST_F(QueueTest, InvalidSpecsAreRefusedWithTheFieldNamed) {
  TaskSpec s;
  s.subject = "x";
  s.priority = 0;
  try {
    store_.create(s, "test");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("priority"), std::string::npos);
  }
  s.priority = 11;
  EXPECT_THROW(store_.create(s, "test"), std::invalid_argument);
  s.priority = 5;
  s.subject = "";
  EXPECT_THROW(store_.create(s, "test"), std::invalid_argument);
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM tasks"), 0);
}

TEST_F(QueueTest, EveryStatusChangeIsAnEvent) {
  int64_t id = add("a");
  claim_ids(1);
  store_.finish(outcome(id, "completed"));
  auto ev = store_.events(id);
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].to_status, "pending");
  EXPECT_EQ(ev[1].to_status, "active");
  EXPECT_EQ(ev[2].to_status, "completed");
}

TEST_F(QueueTest, UpdateOnlyPendingAndValidated) {
  int64_t id = add("a");
  TaskUpdate u;
  u.priority = 2;
  EXPECT_TRUE(store_.update(id, u, "test").ok());
  EXPECT_EQ(store_.get(id)->priority, 2);
  u.priority = 0;
  EXPECT_NE(store_.update(id, u, "test").why().find("priority"), std::string::npos);
  u.priority = 3;
  claim_ids(1);
  EXPECT_NE(store_.update(id, u, "test").why().find("only pending"), std::string::npos);
}

}  // namespace
}  // namespace arc

namespace arc {
namespace {

// Fencing (docs/cluster.md): a run whose lease lapsed and was claimed again,
// even by the same owner, cannot record its result; the refused result is
// kept as a "refused" event and the re-run's result stands.
TEST_F(QueueTest, AResultUnderAnOldLeaseEpochIsRefusedAndKeptAsAnEvent) {
  int64_t id = add("fenced");
  auto first = store_.claim(kOwner, 1, 1'000);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].lease_epoch, 1);
  clock_.advance(2'000);
  ASSERT_EQ(store_.recover_expired_leases("test"), 1);
  auto second = store_.claim(kOwner, 1, 60'000);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].lease_epoch, 2);
  auto late = outcome(id, "completed");
  late.epoch = first[0].lease_epoch;
  EXPECT_EQ(describe(store_.finish(late)), "lease lost");  // same owner, old epoch: refused
  EXPECT_EQ(status_of(id), TaskStatus::active);
  auto events = store_.events(id);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().to_status, "refused");
  EXPECT_NE(events.back().reason.find("lease epoch 1"), std::string::npos) << events.back().reason;
  auto current = outcome(id, "failed", "executor_error");
  current.epoch = second[0].lease_epoch;
  EXPECT_EQ(describe(store_.finish(current)), "failed");
  // Once finished, a second delivery of either result changes nothing. The
  // current one (its answer was lost) gets the same answer again, unwritten;
  // the late one is refused again, also unwritten (its run and cost are
  // recorded once).
  int64_t events_before = db_->scalar_int("SELECT count(*) FROM task_events");
  EXPECT_EQ(describe(store_.finish(current)), "failed");
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM task_events"), events_before);
  EXPECT_EQ(describe(store_.finish(late)), "lease lost");
  EXPECT_EQ(status_of(id), TaskStatus::failed);
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM task_events WHERE to_status = 'refused'"), 1);
  EXPECT_EQ(db_->scalar_int("SELECT count(*) FROM runs WHERE outcome = 'refused'"), 1);
  // And after a refusal, the current result still reads as delivered.
  EXPECT_EQ(describe(store_.finish(current)), "failed");
}

// Another owner's result is refused whatever its epoch.
TEST_F(QueueTest, AnotherOwnersResultIsRefused) {
  int64_t id = add("mine");
  auto t = store_.claim(kOwner, 1, 60'000);
  ASSERT_EQ(t.size(), 1u);
  auto o = outcome(id, "completed");
  o.owner = "worker:other";
  o.epoch = t[0].lease_epoch;
  EXPECT_EQ(describe(store_.finish(o)), "lease lost");
  EXPECT_EQ(status_of(id), TaskStatus::active);
}

}  // namespace
}  // namespace arc

namespace arc {
namespace {

// A long summary is cut on a character boundary in the task's history, never
// inside a UTF-8 sequence (which every reader would show as U+FFFD).
TEST_F(QueueTest, ALongSummaryIsCutOnACharacterBoundaryInTheHistory) {
  int64_t id = add("long");
  ASSERT_EQ(claim_ids(1).size(), 1u);
  auto o = outcome(id, "failed", "executor_error");
  o.result.summary = std::string(199, 'x') + "\xC3\xA9";  // "é" across byte 200
  ASSERT_EQ(describe(store_.finish(o)), "failed");
  std::string reason = store_.events(id).back().reason;
  EXPECT_EQ(reason.find('\xC3'), std::string::npos) << "half a character kept";
  EXPECT_EQ(reason.back(), 'x');
}

}  // namespace
}  // namespace arc
