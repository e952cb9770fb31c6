// The dispatcher's composite writes (storage/dispatch_ops.hpp): a result
// and what it does to the gate, and the next claim, in one transaction.
#include <gtest/gtest.h>

#include "core/time_text.hpp"
#include "storage/dispatch_ops.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

struct Rig {
  test::TempDir dir;
  SimClock clock{*parse_iso_instant("2026-05-14T03:00:00Z")};
  std::unique_ptr<Db> db = open_database(dir.file("d.db"));
  TaskStore store{*db, clock};
  GateConfig gate;
  int64_t add(int priority) {
    TaskSpec s;
    s.subject = "p" + std::to_string(priority);
    s.priority = priority;
    s.max_attempts = 1;
    return in_transaction(*db, [&] { return store.create(s, "test").id; });
  }
  Task claim_one() {
    auto got = in_transaction(*db, [&] { return store.claim("me", 1, 60'000); });
    EXPECT_EQ(got.size(), 1u);
    return got.at(0);
  }
  TaskOutcome outcome(const Task& t, const std::string& status) {
    TaskOutcome o;
    o.id = t.id;
    o.owner = "me";
    o.epoch = t.lease_epoch;
    if (status == "failed") o.result.failure_class = FailureClass::task_failed;
    return o;
  }
};

// Each result as describe() words it: the status, "lease lost" or "not recorded: ...".
std::vector<std::string> described(const FinishAndClaim& r) {
  std::vector<std::string> out;
  for (auto& one : r.results) out.push_back(describe(one));
  return out;
}

TEST(DispatchOps, AResultAndTheNextClaimAreOneTransaction) {
  Rig r;
  r.add(5);
  int64_t urgent = r.add(1);
  Task first = r.claim_one();
  ASSERT_EQ(first.id, urgent);
  r.add(3);
  int64_t commits = r.db->scalar_int("PRAGMA data_version");
  auto got = in_transaction(*r.db, [&] { return finish_and_claim(r.store, r.gate, {r.outcome(first, "completed")}, "me", 1, 60'000); });
  EXPECT_EQ(described(got), std::vector<std::string>{"completed"});
  ASSERT_EQ(got.claimed.size(), 1u);
  EXPECT_EQ(got.claimed[0].subject, "p3") << "the next claim is by priority";
  EXPECT_EQ(r.store.get(first.id)->status, TaskStatus::completed);
  EXPECT_EQ(r.db->scalar_int("PRAGMA data_version"), commits) << "own commits only";
}

TEST(DispatchOps, AFailureIsCountedByTheGateInTheSameTransaction) {
  Rig r;
  r.add(5);
  Task t = r.claim_one();
  in_transaction(*r.db, [&] { return record_outcome(r.store, r.gate, r.outcome(t, "failed")); });
  EXPECT_EQ(load_gate(*r.db).consecutive_failures, 1);
  EXPECT_EQ(r.store.get(t.id)->status, TaskStatus::failed);
}

TEST(DispatchOps, AResultThatStopsTheGateClaimsNothing) {
  Rig r;
  r.gate.failure_threshold = 1;
  r.add(5);
  r.add(5);
  Task t = r.claim_one();
  auto got = in_transaction(*r.db, [&] { return finish_and_claim(r.store, r.gate, {r.outcome(t, "failed")}, "me", 1, 60'000); });
  EXPECT_EQ(load_gate(*r.db).state, GateMode::stopped_failures);
  EXPECT_TRUE(got.claimed.empty()) << "the claim reads the gate row the result just stopped";
}

TEST(DispatchOps, ARefusedResultStillFillsTheSlotAndTellsTheGateNothing) {
  Rig r;
  r.add(5);
  r.add(5);
  Task t = r.claim_one();
  TaskOutcome late = r.outcome(t, "failed");
  late.epoch = t.lease_epoch + 7;  // another lease's
  auto got = in_transaction(*r.db, [&] { return finish_and_claim(r.store, r.gate, {late}, "me", 1, 60'000); });
  EXPECT_EQ(described(got), std::vector<std::string>{"lease lost"});
  EXPECT_EQ(got.claimed.size(), 1u);
  EXPECT_EQ(load_gate(*r.db).consecutive_failures, 0);
}

TEST(DispatchOps, ABatchOfResultsAndTheNextClaimAreOneTransactionEachResultOnItsOwn) {
  Rig r;
  r.gate.failure_threshold = 5;
  for (int i = 0; i < 5; ++i) r.add(5);
  auto held = in_transaction(*r.db, [&] { return r.store.claim("me", 3, 60'000); });
  ASSERT_EQ(held.size(), 3u);
  TaskOutcome late = r.outcome(held[2], "completed");
  late.epoch = held[2].lease_epoch + 1;  // another lease's: refused, the others stand
  int64_t commits = r.db->scalar_int("PRAGMA data_version");
  auto got = in_transaction(*r.db, [&] {
    return finish_and_claim(r.store, r.gate, {r.outcome(held[0], "completed"), r.outcome(held[1], "failed"), late},
                            "me", 5, 60'000);
  });
  EXPECT_EQ(described(got), (std::vector<std::string>{"completed", "failed", "lease lost"}));
  EXPECT_TRUE(got.gate_open);
  EXPECT_EQ(got.claimed.size(), 2u) << "the two tasks left; the refused one is still active under its lease";
  EXPECT_EQ(load_gate(*r.db).consecutive_failures, 1);
  EXPECT_EQ(r.store.get(held[0].id)->status, TaskStatus::completed);
  EXPECT_EQ(r.store.get(held[1].id)->status, TaskStatus::failed);
  EXPECT_EQ(r.store.get(held[2].id)->status, TaskStatus::active);
  EXPECT_EQ(r.db->scalar_int("PRAGMA data_version"), commits) << "own commits only";
}

TEST(DispatchOps, AResultThatCannotBeRecordedIsUndoneAloneAndNamed) {
  Rig r;
  for (int i = 0; i < 3; ++i) r.add(5);
  auto held = in_transaction(*r.db, [&] { return r.store.claim("me", 2, 60'000); });
  ASSERT_EQ(held.size(), 2u);
  // A write that fails for this one task only (as a constraint would).
  r.db->exec("CREATE TEMP TRIGGER refuse BEFORE UPDATE OF status ON tasks WHEN OLD.id = " +
             std::to_string(held[0].id) + " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");
  auto got = in_transaction(*r.db, [&] {
    return finish_and_claim(r.store, r.gate, {r.outcome(held[0], "completed"), r.outcome(held[1], "completed")},
                            "me", 1, 60'000);
  });
  ASSERT_EQ(got.results.size(), 2u);
  EXPECT_EQ(got.results[0].kind, FinishResult::Kind::not_recorded);
  EXPECT_NE(got.results[0].error.find("refused by the test"), std::string::npos) << got.results[0].error;
  EXPECT_EQ(describe(got.results[1]), "completed");
  EXPECT_EQ(got.claimed.size(), 1u) << "the claim goes on";
  EXPECT_EQ(r.store.get(held[0].id)->status, TaskStatus::active) << "nothing of it half-written";
  EXPECT_EQ(r.db->scalar_int("SELECT count(*) FROM runs WHERE task_id = " + std::to_string(held[0].id)), 0);
  EXPECT_EQ(r.store.get(held[1].id)->status, TaskStatus::completed);
}

TEST(DispatchOps, AClaimThatFailsKeepsTheResultsRecorded) {
  Rig r;
  r.add(5);
  int64_t next = r.add(5);
  Task t = r.claim_one();
  r.db->exec("CREATE TEMP TRIGGER refuse BEFORE UPDATE OF status ON tasks WHEN OLD.id = " + std::to_string(next) +
             " AND NEW.status = 'active' BEGIN SELECT RAISE(ABORT, 'no claim today'); END;");
  auto got = in_transaction(*r.db, [&] { return finish_and_claim(r.store, r.gate, {r.outcome(t, "completed")}, "me", 1, 60'000); });
  EXPECT_EQ(described(got), std::vector<std::string>{"completed"});
  EXPECT_NE(got.claim_error.find("no claim today"), std::string::npos) << got.claim_error;
  EXPECT_TRUE(got.claimed.empty());
  EXPECT_EQ(r.store.get(t.id)->status, TaskStatus::completed);
  EXPECT_EQ(r.store.get(next)->status, TaskStatus::pending);
}

}  // namespace
}  // namespace arc
