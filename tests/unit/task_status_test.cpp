// The text edges of the runtime's enums: every value round-trips through the
// name SQL, JSON and the CLI use, and text naming nothing known is told
// apart from a value (never silently taken for one).
#include <gtest/gtest.h>

#include "core/config.hpp"
#include "core/executor_output.hpp"
#include "core/gate.hpp"
#include "core/task_status.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

TEST(TaskStatusText, EveryStatusRoundTripsAndUnknownTextIsNone) {
  for (TaskStatus s : kAllStatuses) EXPECT_EQ(parse_task_status(to_string(s)), s) << to_string(s);
  EXPECT_EQ(parse_task_status("Pending"), std::nullopt);
  EXPECT_EQ(parse_task_status(""), std::nullopt);
  EXPECT_EQ(status_list(), "pending, active, completed, failed, blocked, expired, cancelled");
  EXPECT_TRUE(is_terminal(TaskStatus::blocked));
  EXPECT_FALSE(is_terminal(TaskStatus::active));
}

TEST(TaskStatusText, FailureClassesRoundTripEmptyIsNoneAndForeignTextIsUnknown) {
  for (int i = static_cast<int>(FailureClass::none); i <= static_cast<int>(FailureClass::imported); ++i) {
    auto c = static_cast<FailureClass>(i);
    EXPECT_EQ(parse_failure_class(to_string(c)), c) << to_string(c);
  }
  EXPECT_STREQ(to_string(FailureClass::none), "");
  EXPECT_EQ(parse_failure_class("disk_on_fire"), FailureClass::unknown);
}

TEST(TaskStatusText, AnExecOutcomeSaysHowItsRunEnded) {
  ExecOutcome o;
  EXPECT_EQ(o.outcome(), RunOutcome::completed) << "no failure class: completed";
  o.failure_class = FailureClass::crashed;
  EXPECT_EQ(o.outcome(), RunOutcome::failed);
  o.failure_class = FailureClass::rate_limited;
  EXPECT_EQ(o.outcome(), RunOutcome::rate_limited);
  o.failure_class = FailureClass::not_logged_in;
  o.systemic = true;
  EXPECT_EQ(o.outcome(), RunOutcome::systemic);
  for (RunOutcome r : {RunOutcome::completed, RunOutcome::failed, RunOutcome::rate_limited, RunOutcome::systemic})
    EXPECT_EQ(parse_run_outcome(to_string(r)), r);
}

TEST(TaskStatusText, GateModesCausesAndRolesRoundTrip) {
  for (GateMode m : kAllGateModes)
    EXPECT_EQ(parse_gate_mode(to_string(m)), m);
  EXPECT_EQ(parse_gate_mode("stopped"), std::nullopt);
  for (GateCause c : {GateCause::manual, GateCause::rate_limited, GateCause::failures, GateCause::systemic})
    EXPECT_EQ(parse_gate_cause(to_string(c)), c);
  EXPECT_EQ(parse_gate_cause(""), GateCause::none);
  for (NodeRole r : {NodeRole::single, NodeRole::hub, NodeRole::worker}) EXPECT_EQ(parse_node_role(to_string(r)), r);
  EXPECT_EQ(parse_node_role("boss"), std::nullopt);
}

TEST(TaskStatusText, AStoredStatusThisVersionDoesNotKnowIsANamedErrorNotAGuess) {
  test::TempDir dir;
  auto db = open_database(dir.file("s.db"));
  TaskStore store(*db, system_clock());
  TaskSpec spec;
  spec.subject = "from the future";
  int64_t id = in_transaction(*db, [&] { return store.create(spec, "test").id; });
  // As a newer arc-runtime with another status would have left it.
  db->exec("PRAGMA ignore_check_constraints = ON");
  db->exec("UPDATE tasks SET status = 'snoozed' WHERE id = " + std::to_string(id));
  db->exec("UPDATE gate SET state = 'snoozed' WHERE id = 1");
  try {
    (void)store.get(id);
    ADD_FAILURE() << "an unknown status was read as some status";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("\"snoozed\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("newer version"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_gate(*db), std::runtime_error);
}

}  // namespace
}  // namespace arc
