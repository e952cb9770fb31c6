// The actor tree in-process: tasks flow; a crashed child is restarted and no
// task is lost or run twice; past the restart intensity the supervisor gives up;
// a graceful stop requeues what it interrupts.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "actors/runtime.hpp"
#include "storage/recovery.hpp"
#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

class RuntimeTest : public ::testing::Test {
 protected:
  RuntimeTest() {
    cfg_.database = dir_.file("rt.db");
    cfg_.slots = 2;
    cfg_.poll_ms = 50;
    cfg_.lease_ms = 3'000;
    cfg_.supervisor.backoff_min_ms = 10;
    SkillConfig s;
    s.name = "work";
    // Records every run in a side file, sleeps, reports.
    s.command = {"/bin/sh", "-c",
                 "echo \"start $ARC_TASK_ID\" >> " + dir_.file("runs.log") +
                     "; sleep ${SLEEP:-0.3}; echo \"end $ARC_TASK_ID\" >> " + dir_.file("runs.log") +
                     "; echo '{\"summary\":\"ok\",\"cost_usd\":0.01}'"};
    s.timeout_ms = 10'000;
    s.kill_grace_ms = 200;
    cfg_.skills["work"] = s;
    db_ = open_database(cfg_.database);
    store_ = std::make_unique<TaskStore>(*db_, system_clock());
  }

  void start() {
    incarnation_ = make_incarnation_id("test");
    run_startup(*db_, system_clock(), incarnation_, "test", 100);
    rt_ = std::make_unique<Runtime>(std::make_shared<const Config>(cfg_), system_clock(), incarnation_);
    rt_->start();
  }
  void add(int n) {
    for (int i = 0; i < n; ++i) {
      TaskSpec s;
      s.subject = "t" + std::to_string(i);
      in_transaction(*db_, [&] { return store_->create(s, "test"); });
    }
  }
  int64_t count(const std::string& status) {
    auto q = db_->prepare("SELECT count(*) FROM tasks WHERE status = ?");
    q.bind(1, status);
    return q.step() ? q.col_int(0) : 0;
  }
  // task id -> number of runs started, and whether two runs of a task overlapped.
  std::map<int64_t, int> runs(bool* overlapped) {
    std::ifstream in(dir_.file("runs.log"));
    std::map<int64_t, int> starts, open;
    std::string what;
    int64_t id;
    *overlapped = false;
    while (in >> what >> id) {
      if (what == "start") {
        ++starts[id];
        if (open[id]++ > 0) *overlapped = true;
      } else {
        --open[id];
      }
    }
    return starts;
  }

  test::TempDir dir_;
  Config cfg_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<TaskStore> store_;
  std::string incarnation_;
  std::unique_ptr<Runtime> rt_;
};

// Crashes `name` and waits until the supervisor has restarted it (a new id).
bool crash_and_wait(Runtime& rt, const std::string& name) {
  uint64_t before = rt.child_id(name);
  rt.crash_child(name);
  return test::wait_for([&] { uint64_t now = rt.child_id(name); return now != 0 && now != before; }, 5s);
}

TEST_F(RuntimeTest, TasksFlowToCompletion) {
  add(10);
  start();
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 10; }, 20s)) << count("completed");
  bool overlapped;
  auto r = runs(&overlapped);
  EXPECT_EQ(r.size(), 10u);
  for (auto& [id, n] : r) EXPECT_EQ(n, 1) << id;
  rt_->stop(1000);
}

TEST_F(RuntimeTest, EveryChildCrashedUnderLoadLosesNoTaskAndRunsNoneTwice) {
  add(20);  // 0.3 s each on 2 slots: runs enough to start anew after each of the 4 crashes
  start();
  int started_before = 0;
  for (const char* child : {"dispatcher", "queue", "persistence", "dispatcher"}) {
    // Each crash hits a run that started after the previous crash (the state
    // before a crash never satisfies this), and each child is back before
    // the next one dies.
    bool overlapped;
    auto started = [&] {
      int n = 0;
      for (auto& [id, k] : runs(&overlapped)) n += k;
      return n;
    };
    ASSERT_TRUE(test::wait_for([&] { return started() > started_before && count("active") > 0; }, 10s))
        << "no new run started before crashing " << child;
    started_before = started();
    ASSERT_TRUE(crash_and_wait(*rt_, child)) << child << " was not restarted";
  }
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 20; }, 30s))
      << "completed " << count("completed") << " pending " << count("pending") << " active "
      << count("active") << " failed " << count("failed");
  bool overlapped;
  auto r = runs(&overlapped);
  EXPECT_FALSE(overlapped);
  EXPECT_EQ(r.size(), 20u);
  // Runs in flight are adopted by a restarted dispatcher, results are
  // retried: no task runs twice.
  for (auto& [id, n] : r) EXPECT_EQ(n, 1) << "task " << id << " ran " << n << " times";
  EXPECT_EQ(rt_->escalated(), 0);
  rt_->stop(1000);
}

TEST_F(RuntimeTest, AResultThatCannotBeRecordedIsRetriedNotDropped) {
  cfg_.slots = 1;
  cfg_.supervisor.backoff_min_ms = 1500;  // the queue stays down for a while
  add(2);
  start();
  ASSERT_TRUE(test::wait_for([&] { return count("active") == 1; }, 10s));
  rt_->crash_child("queue");  // the run ends while there is no queue to record it
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 2; }, 20s))
      << "completed " << count("completed") << " active " << count("active");
  rt_->stop(1000);
}

TEST_F(RuntimeTest, PastAChildsIntensityTheTreeRestartsThenTheSupervisorGivesUp) {
  cfg_.supervisor.tree_restarts = 1;
  SupervisorPolicy queue = cfg_.supervisor;
  queue.max_restarts = 2;
  queue.backoff_min_ms = 1;
  cfg_.supervisor_children["queue"] = queue;  // its own, lower intensity
  add(3);
  start();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(crash_and_wait(*rt_, "queue")) << "restart " << i;
  uint64_t gate = rt_->child_id("gate");
  // The third crash in the period is past the queue's intensity: the whole
  // tree restarts (the gate too), and the runtime goes on.
  ASSERT_TRUE(crash_and_wait(*rt_, "queue"));
  EXPECT_TRUE(test::wait_for([&] { uint64_t g = rt_->child_id("gate"); return g != 0 && g != gate; }, 5s))
      << "the gate was not restarted with the tree";
  EXPECT_EQ(rt_->escalated(), 0);
  EXPECT_TRUE(test::wait_for([&] { return count("completed") == 3; }, 10s)) << "nothing ran after the tree restart";
  // The histories start afresh; past the intensity again, with the one tree
  // restart of the period spent, the supervisor gives up.
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(crash_and_wait(*rt_, "queue"));
  rt_->crash_child("queue");
  EXPECT_TRUE(test::wait_for([&] { return rt_->escalated() != 0; }, 5s));
  EXPECT_EQ(rt_->escalated(), 70);
  rt_->stop(0);
}

TEST_F(RuntimeTest, ACrashingSensorIsRestartedWhileTheOthersKeepTheirCadence) {
  for (const char* name : {"alpha", "beta"}) {
    SensorConfig s;
    s.name = name;
    s.command = {"/bin/sh", "-c", "echo '{\"subject\":\"tick\"}'"};
    s.cadence.interval_ms = 1000;
    s.cadence.startup_spread_ms = 0;
    cfg_.sensors[name] = s;
  }
  cfg_.skills.clear();  // no dispatching: only sensors
  start();
  auto runs = [&](const char* name) {
    return db_->scalar_int(std::string("SELECT runs FROM sensor_state WHERE name = '") + name + "'");
  };
  ASSERT_TRUE(test::wait_for([&] { return runs("alpha") >= 1 && runs("beta") >= 1; }, 10s));
  auto t0 = std::chrono::steady_clock::now();
  int64_t beta0 = runs("beta");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(crash_and_wait(*rt_, "sensor0"));  // alpha
  ASSERT_TRUE(test::wait_for([&] { return runs("beta") >= beta0 + 4; }, 10s));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // beta ran once a second throughout (a run may start up to a poll tick late).
  EXPECT_LE(secs, 6.5);
  int64_t alpha_before = runs("alpha");
  EXPECT_TRUE(test::wait_for([&] { return runs("alpha") > alpha_before; }, 5s)) << "alpha was not restarted";
  EXPECT_EQ(rt_->escalated(), 0);
  rt_->stop(0);
}

TEST_F(RuntimeTest, GracefulStopRequeuesWhatItInterrupts) {
  setenv("SLEEP", "30", 1);
  add(1);
  start();
  ASSERT_TRUE(test::wait_for([&] { return count("active") == 1; }, 10s));
  rt_->stop(100);
  unsetenv("SLEEP");
  auto t = store_->get(1);
  EXPECT_EQ(t->status, TaskStatus::pending);
  EXPECT_EQ(t->attempts, 0);
  EXPECT_NE(store_->events(1).back().reason.find("arcd stopping"), std::string::npos);
}

}  // namespace
}  // namespace arc
