// TaskStore for the agent, with a simulated clock: a run that closes its own
// task, systemic failures, blocked tasks, the daily budget and the runs table.
#include <gtest/gtest.h>

#include "storage/recovery.hpp"
#include "storage/runs.hpp"
#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

constexpr millis kT0 = 1'796'547'600'000;  // 2026-12-06T09:00:00Z
const std::string kOwner = "node-1-abc";

class AgentStoreTest : public ::testing::Test {
 protected:
  AgentStoreTest() : clock_(kT0), db_(open_database(dir_.file("a.db"))), store_(*db_, clock_, options()) {}

  static StoreOptions options() {
    StoreOptions o;
    o.self_close_grace_ms = 45'000;
    o.budget.daily_usd = 10;
    o.budget.max_priority = 2;
    o.budget.zone = "America/Chicago";
    return o;
  }
  int64_t add(const std::string& subject, int priority = 5, std::string source = "") {
    TaskSpec s;
    s.subject = subject;
    s.priority = priority;
    s.source = std::move(source);
    return store_.create(s, "test").id;
  }
  Task claim_one() {
    auto tasks = store_.claim(kOwner, 1, 60'000);
    EXPECT_EQ(tasks.size(), 1u);
    return tasks.empty() ? Task{} : tasks[0];
  }
  TaskOutcome outcome(const Task& t, const std::string& status, double cost = 0) {
    TaskOutcome o;
    o.id = t.id;
    o.owner = kOwner;
    o.epoch = t.lease_epoch;
    o.duration_ms = 30'000;
    o.result.failure_class = status == "failed" ? FailureClass::crashed : FailureClass::none;
    o.result.summary = "executor says " + status;
    o.result.cost_usd = cost;
    o.result.api_cost_usd = cost * 2;
    o.result.tokens_in = 100;
    o.result.tokens_out = 10;
    o.run.executor = "claude";
    o.run.model = "sonnet";
    return o;
  }
  Task get(int64_t id) { return *store_.get(id); }
  int64_t count(const std::string& sql) { return db_->scalar_int(sql); }

  test::TempDir dir_;
  SimClock clock_;
  std::unique_ptr<Db> db_;
  TaskStore store_;
};

TEST_F(AgentStoreTest, ARunThatClosesItsOwnTaskKeepsTheAgentsWordAndItsCost) {
  int64_t id = add("review");
  Task t = claim_one();
  RunLease lease{id, t.lease_epoch};
  ASSERT_TRUE(store_.close(id, TaskStatus::completed, "posted two comments", "cli", &lease).ok());
  EXPECT_EQ(get(id).status, TaskStatus::completed);
  EXPECT_EQ(get(id).lease_owner, kOwner);  // kept until the run reports
  // Within the grace the run still holds its lease: its renewals are not lost.
  clock_.advance(20'000);
  EXPECT_TRUE(store_.renew(kOwner, {id}, 60'000).empty());
  // The executor's own verdict (here a failure) does not overrule the agent's.
  EXPECT_EQ(describe(store_.finish(outcome(t, "failed", 0.25))), "completed");
  Task done = get(id);
  EXPECT_EQ(done.summary, "posted two comments");
  EXPECT_DOUBLE_EQ(done.cost_usd, 0.25);
  EXPECT_EQ(done.tokens_in, 100);
  EXPECT_EQ(done.lease_owner, "");
  EXPECT_EQ(count("SELECT count(*) FROM runs WHERE task_id = " + std::to_string(id)), 1);
  // Delivered again (its answer lost): the same word, nothing added.
  EXPECT_EQ(describe(store_.finish(outcome(t, "failed", 0.25))), "completed");
  EXPECT_DOUBLE_EQ(get(id).cost_usd, 0.25);
}

TEST_F(AgentStoreTest, PastTheGraceTheSelfClosedRunsLeaseCountsAsLost) {
  int64_t id = add("review");
  Task t = claim_one();
  RunLease lease{id, t.lease_epoch};
  ASSERT_TRUE(store_.close(id, TaskStatus::failed, "the PR is gone", "cli", &lease).ok());
  EXPECT_EQ(get(id).failure_class, FailureClass::task_failed);
  clock_.advance(46'000);
  EXPECT_EQ(store_.renew(kOwner, {id}, 60'000), std::vector<int64_t>{id});
  // The stopped run still reports: its cost is kept, the agent's status stands.
  EXPECT_EQ(describe(store_.finish(outcome(t, "failed", 1.5))), "failed");
  EXPECT_DOUBLE_EQ(get(id).cost_usd, 1.5);
}

TEST_F(AgentStoreTest, AStaleRunCannotCloseATaskItNoLongerHolds) {
  int64_t id = add("review");
  Task t = claim_one();
  RunLease old{id, t.lease_epoch - 1};
  EXPECT_FALSE(store_.close(id, TaskStatus::completed, "", "cli", &old).ok());
  EXPECT_EQ(get(id).status, TaskStatus::active);
  RunLease other{id + 1, 1};  // a lease for another task: an operator's close of this one
  EXPECT_TRUE(store_.close(id, TaskStatus::completed, "by hand", "cli", &other).ok());
  EXPECT_EQ(get(id).lease_owner, "");
}

TEST_F(AgentStoreTest, ASystemicFailureRequeuesWithoutSpendingTheAttempt) {
  int64_t id = add("anything");
  Task t = claim_one();
  EXPECT_EQ(t.attempts, 1);
  TaskOutcome o = outcome(t, "failed");
  o.result.systemic = true;
  o.result.failure_class = FailureClass::not_logged_in;
  o.result.stop_reason = "claude: Not logged in. Log Claude Code in, then `arc dispatch reset`";
  EXPECT_EQ(describe(store_.finish(o)), "pending");
  EXPECT_EQ(get(id).attempts, 0);
  EXPECT_EQ(count("SELECT count(*) FROM runs WHERE outcome = 'systemic'"), 1);
}

TEST_F(AgentStoreTest, BlockedIsNeverRetriedAndIsRequeuedByHand) {
  int64_t id = add("needs a person", 5, "src:1");
  claim_one();
  ASSERT_TRUE(store_.close(id, TaskStatus::blocked, "needs credentials", "cli").ok());
  EXPECT_EQ(get(id).status, TaskStatus::blocked);
  EXPECT_TRUE(store_.claim(kOwner, 5, 60'000).empty());
  // Its source is free again: a sensor may queue a new task for it meanwhile.
  int64_t again = add("needs a person", 5, "src:1");
  EXPECT_NE(again, id);
  EXPECT_FALSE(store_.reopen(id, "", "cli").ok());  // the source is open elsewhere
  ASSERT_TRUE(store_.cancel(again, "dup", "cli").ok());
  ASSERT_TRUE(store_.reopen(id, "", "cli").ok());
  EXPECT_EQ(get(id).status, TaskStatus::pending);
  EXPECT_EQ(get(id).attempts, 0);
  EXPECT_EQ(claim_one().id, id);
}

TEST_F(AgentStoreTest, ACompletedTaskIsNotReopened) {
  int64_t id = add("done");
  Task t = claim_one();
  store_.finish(outcome(t, "completed"));
  EXPECT_NE(store_.reopen(id, "", "cli").why().find("completed"), std::string::npos);
}

TEST_F(AgentStoreTest, OverTheDailyBudgetOnlyUrgentTasksAreClaimed) {
  int64_t spend = add("expensive", 5);
  Task t = claim_one();
  EXPECT_EQ(t.id, spend);
  store_.finish(outcome(t, "completed", 10.0));  // the day's 10 USD
  EXPECT_DOUBLE_EQ(store_.spent_today(), 10.0);
  int64_t low = add("P5 report", 5);
  int64_t urgent = add("P2 alert", 2);
  auto got = store_.claim(kOwner, 5, 60'000);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, urgent);
  EXPECT_EQ(get(low).status, TaskStatus::pending);
  // A new day in the budget's zone (Chicago midnight is 06:00 UTC): all again.
  clock_.set(kT0 + 21 * 3'600'000);  // 2026-12-07T06:00Z
  EXPECT_DOUBLE_EQ(store_.spent_today(), 0.0);
  EXPECT_EQ(claim_one().id, low);
}

TEST_F(AgentStoreTest, EveryFinishWritesARunWithWhatItCost) {
  add("a");
  Task t = claim_one();
  TaskOutcome o = outcome(t, "completed", 0.5);
  o.result.cache_read_tokens = 80;
  o.result.turns = 4;
  o.result.model = "claude-sonnet-5";
  o.run.skills = R"([{"name":"pr-review","sha256":"ab"}])";
  store_.finish(o);
  auto runs = list_runs(*db_, {});
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].outcome, "completed");
  EXPECT_EQ(runs[0].model, "claude-sonnet-5");
  EXPECT_EQ(runs[0].executor, "claude");
  EXPECT_EQ(runs[0].attempt, 1);
  EXPECT_EQ(runs[0].cache_read_tokens, 80);
  EXPECT_EQ(runs[0].turns, 4);
  EXPECT_DOUBLE_EQ(runs[0].api_cost_usd, 1.0);
  EXPECT_EQ(runs[0].duration_ms, 30'000);
  EXPECT_EQ(runs[0].started_at, runs[0].finished_at - 30'000);
  EXPECT_EQ(runs[0].subject, "a");
}

TEST_F(AgentStoreTest, APromptContextHasTheParentChainAndTheRunsBeforeTheClaim) {
  TaskSpec s;
  s.subject = "root";
  int64_t root = store_.create(s, "t").id;
  s.subject = "child";
  s.parent_id = root;
  int64_t child = store_.create(s, "t").id;
  store_.finish(outcome(claim_one(), "completed", 0.1));  // root ran
  clock_.advance(1000);
  s.subject = "grandchild";
  s.parent_id = child;
  int64_t grandchild = store_.create(s, "t").id;
  // A parent loop (written by hand) ends the chain instead of looping.
  db_->exec("UPDATE tasks SET parent_id = " + std::to_string(grandchild) + " WHERE id = " + std::to_string(root));
  auto ctx = load_prompt_context(*db_, grandchild, 10);
  ASSERT_EQ(ctx.parents.size(), 2u);
  EXPECT_EQ(ctx.parents[0].subject, "child");
  EXPECT_EQ(ctx.parents[1].subject, "root");
  ASSERT_EQ(ctx.recent_runs.size(), 1u);
  EXPECT_EQ(ctx.recent_runs[0].task_id, root);
  EXPECT_EQ(ctx.recent_runs[0].subject, "root");
}

TEST_F(AgentStoreTest, MigrationKeepsTasksAndTheirIds) {
  // A version-6 database (before 'blocked' and runs) with a deleted top id.
  test::TempDir d;
  {
    auto db = std::make_unique<Db>(d.file("old.db"), Db::Options{});
    db->exec("PRAGMA user_version = 0");
  }
  auto db = open_database(d.file("old.db"));
  db->exec("INSERT INTO tasks (subject, created_at) VALUES ('a', 1), ('b', 2), ('c', 3); DELETE FROM tasks WHERE id = 3");
  // Rebuilding again from version 6 keeps AUTOINCREMENT's mark: id 3 is not reused.
  db->exec("PRAGMA user_version = 6; DROP TABLE runs; DROP INDEX tasks_self_closed");
  db.reset();
  db = open_database(d.file("old.db"));
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks"), 2);
  db->exec("INSERT INTO tasks (subject, created_at, status) VALUES ('d', 4, 'blocked')");
  EXPECT_EQ(db->scalar_int("SELECT max(id) FROM tasks"), 4);
}

}  // namespace
}  // namespace arc

namespace arc {
namespace {

TEST_F(AgentStoreTest, AfterAPowerCutATaskItsAgentClosedKeepsItsStatusAndLosesItsLease) {
  int64_t id = add("closed, then the power went");
  Task t = claim_one();
  RunLease lease{id, t.lease_epoch};
  ASSERT_TRUE(store_.close(id, TaskStatus::completed, "done", "cli", &lease).ok());
  clock_.advance(60'000);
  auto r = run_startup(*db_, clock_, "next-incarnation", "node", 100);
  EXPECT_EQ(r.orphans_requeued + r.orphans_failed, 0);
  EXPECT_EQ(get(id).status, TaskStatus::completed);
  EXPECT_EQ(get(id).lease_owner, "");
  EXPECT_EQ(store_.events(id).back().actor, "startup");
}

}  // namespace
}  // namespace arc
