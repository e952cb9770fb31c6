// What happens to a task when its run ends, is lost or its time runs out
// (core/task_lifecycle.hpp): every row of docs/executor-protocol.md's outcome
// table, from the executor's exit to the task's new status.
#include <gtest/gtest.h>

#include "core/executor_output.hpp"
#include "core/process.hpp"
#include "core/task.hpp"
#include "core/task_lifecycle.hpp"

namespace arc {
namespace {

const RetryPolicy kRetry{10'000, 600'000};
constexpr millis kNow = 1'000'000;

ProcessResult exited(int code, const std::string& out = "") {
  ProcessResult r;
  r.exit_code = code;
  r.out = out;
  return r;
}

// A run of the table's kind, its task at attempt `attempts` of 3.
Transition after(const ProcessResult& r, int attempts = 1) {
  return after_run(interpret_arc_output(r), attempts, 3, kRetry, kNow);
}

TEST(TaskLifecycle, ExitZeroCompletesAndClearsAnEarlierFailureClass) {
  Transition t = after(exited(0, R"({"status":"completed","summary":"done"})"));
  EXPECT_EQ(t.from, TaskStatus::active);
  EXPECT_EQ(t.to, TaskStatus::completed);
  EXPECT_TRUE(t.terminal());
  EXPECT_EQ(t.summary, "done");
  EXPECT_EQ(t.failure_class, FailureClass::none) << "a completed task shows no failure class of an earlier attempt";
  EXPECT_EQ(t.attempt_delta, 0);
}

TEST(TaskLifecycle, AnExecutorsOwnFailureIsFinalEvenWithAttemptsLeft) {
  Transition t = after(exited(0, R"({"status":"failed","summary":"no such repo"})"));
  EXPECT_EQ(t.to, TaskStatus::failed);
  EXPECT_EQ(t.failure_class, FailureClass::task_failed);
  EXPECT_EQ(t.reason, "task_failed: no such repo");
}

TEST(TaskLifecycle, ACrashWithAttemptsLeftRetriesAfterTheDoublingBackoff) {
  ProcessResult crash = exited(3);
  Transition first = after(crash, 1), second = after(crash, 2);
  EXPECT_EQ(first.to, TaskStatus::pending);
  EXPECT_FALSE(first.terminal());
  EXPECT_EQ(first.failure_class, FailureClass::crashed);
  EXPECT_EQ(first.retry_at, kNow + 10'000);
  EXPECT_EQ(second.retry_at, kNow + 20'000) << "doubled per attempt";
  EXPECT_EQ(first.attempt_delta, 0) << "the attempt is spent";
  EXPECT_NE(first.reason.find("retry 2/3 in 10 s"), std::string::npos) << first.reason;
  EXPECT_EQ(after(crash, 3).to, TaskStatus::failed) << "no attempts left";
}

TEST(TaskLifecycle, TheRetryBackoffIsCapped) {
  EXPECT_EQ(retry_delay(kRetry, 1), 10'000);
  EXPECT_EQ(retry_delay(kRetry, 7), 600'000);
  EXPECT_EQ(retry_delay(kRetry, 50), 600'000);
}

TEST(TaskLifecycle, ATimeoutIsRetriedLikeACrash) {
  ProcessResult r = exited(-1);
  r.timed_out = true;
  r.term_signal = 9;
  Transition t = after(r);
  EXPECT_EQ(t.to, TaskStatus::pending);
  EXPECT_EQ(t.failure_class, FailureClass::timeout);
}

TEST(TaskLifecycle, BadOutputAndAnExecutorThatCannotStartFailAtOnce) {
  Transition bad = after(exited(0, "{not json"));
  EXPECT_EQ(bad.to, TaskStatus::failed);
  EXPECT_EQ(bad.failure_class, FailureClass::bad_output);
  ProcessResult missing;
  missing.spawn_failed = true;
  missing.spawn_error = "no such file";
  Transition none = after(missing);
  EXPECT_EQ(none.to, TaskStatus::failed);
  EXPECT_EQ(none.failure_class, FailureClass::executor_error);
}

TEST(TaskLifecycle, ARateLimitGoesBackWithItsAttemptAndNoDelayOfItsOwn) {
  Transition t = after(exited(0, R"j({"status":"rate_limited","summary":"limit reached, resets 5pm (America/Chicago)"})j"), 3);
  EXPECT_EQ(t.to, TaskStatus::pending) << "even at its last attempt: not the task's failure";
  EXPECT_EQ(t.attempt_delta, -1);
  EXPECT_EQ(t.retry_at, 0) << "the gate holds all dispatch until the reset";
  EXPECT_NE(t.reason.find("rate limited: limit reached"), std::string::npos) << t.reason;
}

TEST(TaskLifecycle, ASystemicFailureGoesBackWithItsAttempt) {
  ExecOutcome o;
  o.failure_class = FailureClass::not_logged_in;
  o.systemic = true;
  o.summary = "Invalid API key";
  Transition t = after_run(o, 3, 3, kRetry, kNow);
  EXPECT_EQ(t.to, TaskStatus::pending);
  EXPECT_EQ(t.attempt_delta, -1);
  EXPECT_NE(t.reason.find("not the task's fault"), std::string::npos) << t.reason;
}

TEST(TaskLifecycle, ALostRunIsRequeuedWhileAttemptsRemainElseOrphaned) {
  for (LostRun why : {LostRun::arcd_died, LostRun::lease_expired}) {
    Transition again = lost_run(why, true);
    EXPECT_EQ(again.from, TaskStatus::active);
    EXPECT_EQ(again.to, TaskStatus::pending);
    EXPECT_EQ(again.attempt_delta, 0) << "the lost run spent its attempt";
    EXPECT_FALSE(again.failure_class) << "kept";
    Transition done = lost_run(why, false);
    EXPECT_EQ(done.to, TaskStatus::failed);
    EXPECT_EQ(done.failure_class, FailureClass::orphaned);
    EXPECT_TRUE(done.terminal());
  }
  EXPECT_EQ(lost_run(LostRun::arcd_died, true).reason, "orphaned by a dead arcd; requeued");
  EXPECT_EQ(lost_run(LostRun::lease_expired, false).reason, "lease expired: no attempts left (orphaned)");
}

TEST(TaskLifecycle, APendingTaskExpiresByItsDeadlineOrItsMaxAgeAfterAGap) {
  Transition e = expired_unrun();
  EXPECT_EQ(e.from, TaskStatus::pending);
  EXPECT_EQ(e.to, TaskStatus::expired);
  EXPECT_TRUE(e.terminal());
  GateConfig cfg;
  cfg.max_age_by_skill = {{"market", 3'600'000}};
  cfg.max_age_by_source = {{"github:", 7'200'000}, {"github:pr:", 600'000}};
  EXPECT_EQ(past_max_age({"market"}, "", 4'000'000, cfg), "skill market max_age 1h00m");
  EXPECT_EQ(past_max_age({"market"}, "", 3'000'000, cfg), "");
  EXPECT_EQ(past_max_age({}, "github:pr:42", 700'000, cfg), "source github:pr:* max_age 10m00s")
      << "the longest matching prefix decides";
  EXPECT_EQ(past_max_age({}, "github:issue:1", 700'000, cfg), "");
  Transition s = expired_stale("skill market max_age 1h00m", 4'000'000, 19 * 3'600'000);
  EXPECT_EQ(s.to, TaskStatus::expired);
  EXPECT_EQ(s.reason, "stale after a 19h00m gap: 1h06m old, past its skill market max_age 1h00m");
  EXPECT_EQ(s.summary, s.reason);
}

}  // namespace
}  // namespace arc
