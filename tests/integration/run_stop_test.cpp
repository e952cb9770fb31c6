// A run is stopped, its whole process group with it, when its task is no
// longer its own: cancelled by the operator, or its lease lost to another
// owner. Proven by the processes being gone, not by a log line. And arcd
// gives up with exit status 70 past the supervisor's restart intensity.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/process_state.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

struct Held {
  pid_t executor = 0, child = 0;
};

struct RunStop {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml");

  // lease_seconds = 3: a renewal every second finds a lost lease quickly.
  explicit RunStop(int slots) {
    std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\nslots = " << slots
                          << "\npoll_ms = 50\nlease_seconds = 3\n"
                          << "[skills.hold]\ncommand = [\"" << ARC_TEST_SCRIPTS << "/hold.sh\", \"" << dir.path()
                          << "\"]\nkill_grace_seconds = 1\n";
  }
  int64_t add(const std::string& subject) {
    auto r = test::arc_cli(db, {"tasks", "add", "--subject", subject, "--skills", "hold", "--max-attempts", "1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return open_database(db)->scalar_int("SELECT max(id) FROM tasks");
  }
  // The run's processes, once it has started and written them.
  Held held(int64_t task) {
    Held h;
    test::wait_for([&] {
      std::ifstream in(dir.file(std::to_string(task) + ".pids"));
      return static_cast<bool>(in >> h.executor >> h.child);
    }, 15s);
    return h;
  }
  int64_t scalar(const std::string& sql) { return open_database(db)->scalar_int(sql); }
};

TEST(RunStop, ArcTasksCancelOnAnActiveTaskKillsItsProcessGroup) {
  RunStop f(1);
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  int64_t id = f.add("held");
  Held h = f.held(id);
  ASSERT_GT(h.child, 0) << arcd.log();
  ASSERT_EQ(test::proc_stat(h.child).pgrp, h.executor) << "the executor does not lead its own process group";
  auto r = test::arc_cli(f.db, {"tasks", "cancel", std::to_string(id)});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The child ignores SIGTERM: only the group's SIGKILL after the grace ends it.
  EXPECT_TRUE(test::wait_for([&] { return test::process_group_gone(h.executor); }, 15s))
      << "the cancelled run's process group lives on\n" << arcd.log();
  EXPECT_EQ(f.scalar("SELECT status = 'cancelled' FROM tasks WHERE id = " + std::to_string(id)), 1);
  EXPECT_TRUE(arcd.alive());
  EXPECT_EQ(arcd.terminate(), 0);
}

TEST(RunStop, ARunWhoseLeaseIsLostIsStoppedAndTheOtherRunsGoOn) {
  RunStop f(2);
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  int64_t lost = f.add("its lease is taken"), kept = f.add("keeps its lease");
  Held a = f.held(lost), b = f.held(kept);
  ASSERT_GT(a.child, 0) << arcd.log();
  ASSERT_GT(b.child, 0) << arcd.log();
  // Another owner holds the task now, with a lease of its own (as after a
  // lapsed lease on a hub), which housekeeping leaves alone.
  open_database(f.db)->exec(
      "UPDATE tasks SET lease_owner = 'another-node', lease_epoch = lease_epoch + 1, "
      "lease_expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 600000 WHERE id = " + std::to_string(lost));
  EXPECT_TRUE(test::wait_for([&] { return test::process_group_gone(a.executor); }, 15s))
      << "the run whose lease was lost lives on\n" << arcd.log();
  EXPECT_FALSE(test::process_group_gone(b.executor)) << "a run that kept its lease was stopped too";
  // Its result, once reported, is refused: not written over the new owner's.
  EXPECT_TRUE(test::wait_for([&] {
    return f.scalar("SELECT count(*) FROM task_events WHERE to_status = 'refused' AND task_id = " + std::to_string(lost)) == 1;
  }, 15s)) << "the stopped run's result was never reported\n" << arcd.log();
  EXPECT_EQ(f.scalar("SELECT status = 'active' AND lease_owner = 'another-node' FROM tasks WHERE id = " +
                     std::to_string(lost)), 1);
  EXPECT_EQ(f.scalar("SELECT status = 'active' FROM tasks WHERE id = " + std::to_string(kept)), 1);
  EXPECT_EQ(test::arc_cli(f.db, {"tasks", "cancel", std::to_string(kept)}).exit_code, 0);
  EXPECT_TRUE(test::wait_for([&] { return test::process_group_gone(b.executor); }, 15s));
  EXPECT_EQ(arcd.terminate(), 0);
}

// SIGTERM: no new claims; a run still going at the end of
// shutdown_grace_seconds is stopped, its group killed, and its task requeued
// without losing the attempt; arcd exits 0.
TEST(RunStop, SigtermStopsARunPastTheGraceAndRequeuesItsTaskWithItsAttempt) {
  RunStop f(1);
  std::string cfg;
  {
    std::ifstream in(f.config);
    std::stringstream ss;
    ss << in.rdbuf();
    cfg = ss.str();
  }
  cfg.replace(cfg.find("lease_seconds = 3\n"), 0, "shutdown_grace_seconds = 1\n");
  std::ofstream(f.config) << cfg;
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  int64_t id = f.add("interrupted"), waiting = f.add("never claimed");
  Held h = f.held(id);
  ASSERT_GT(h.child, 0) << arcd.log();
  EXPECT_EQ(arcd.terminate(), 0) << arcd.log();
  // The group's last member got its SIGKILL just before arcd exited; it
  // may need a moment to be reaped.
  EXPECT_TRUE(test::wait_for([&] { return test::process_group_gone(h.executor); }, 5s))
      << "arcd exited and left its run's group alive";
  std::string task = std::to_string(id);
  EXPECT_EQ(f.scalar("SELECT status = 'pending' AND attempts = 0 FROM tasks WHERE id = " + task), 1);
  EXPECT_EQ(f.scalar("SELECT count(*) FROM task_events WHERE task_id = " + task + " AND reason LIKE '%arcd stopping%'"), 1);
  // One slot, held until the stop: the other task was never claimed.
  EXPECT_EQ(f.scalar("SELECT count(*) FROM task_events WHERE to_status = 'active' AND task_id = " + std::to_string(waiting)), 0);
}

// A component that keeps crashing: past its intensity the tree restarts
// once (tree_restarts = 1), past that arcd exits 70 for systemd to restart it.
TEST(Supervision, ArcdExitsWithStatus70PastTheRestartIntensity) {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml");
  std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\npoll_ms = 20\n"
                        << "[supervisor]\nmax_restarts = 2\nbackoff_min_ms = 1\nbackoff_max_ms = 5\ntree_restarts = 1\n"
                        << "[skills.work]\ncommand = [\"/bin/true\"]\n";
  ASSERT_EQ(test::arc_cli(db, {"tasks", "add", "--subject", "claimed by a queue that always dies", "--skills", "work"}).exit_code, 0);
  test::Daemon arcd({"--config", config}, dir.file("arcd.log"), {{"ARC_FAULTS", "actor.queue=every:1"}});
  int code = arcd.exit_code_within(60s);
  EXPECT_EQ(code, 70) << arcd.log();
  std::string log = arcd.log();
  EXPECT_NE(log.find("restarting the whole tree"), std::string::npos) << log;
  EXPECT_NE(log.find("stopping arcd so that its service manager restarts it"), std::string::npos) << log;
  // Nothing was lost: every claim died in the queue before it was made, so
  // the task waits, pending, for the arcd systemd starts next.
  EXPECT_EQ(open_database(db)->scalar_int("SELECT count(*) FROM tasks WHERE status = 'pending'"), 1);
}

}  // namespace
}  // namespace arc
