// The power-cut incident: arcd with 4 slots and 4 long tasks active is
// killed with -9 and restarted. Within 2 s every orphan is recovered, nothing
// pending is lost, every task then finishes, and no task runs twice at once —
// also when the executors' children outlive the kill.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

#include "core/proc_scan.hpp"
#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

class PowerCut : public ::testing::TestWithParam<std::string> {};

int64_t scalar(const std::string& db, const std::string& sql) {
  auto h = open_database(db);
  return h->scalar_int(sql);
}

TEST_P(PowerCut, OrphansRecoveredNothingLostNothingRunTwice) {
  test::TempDir dir;
  std::string db = dir.file("arc.db"), config = dir.file("arc.toml"), runs = dir.file("runs.log");
  std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\nslots = 4\npoll_ms = 100\n"
                        << "[skills.work]\ncommand = [\"" << ARC_TEST_SCRIPTS << "/powercut.sh\", \""
                        << runs << "\", \"" << GetParam() << "\"]\ntimeout_seconds = 120\n";
  std::ofstream(runs + ".slow") << "1";
  std::vector<int64_t> ids;
  for (int i = 0; i < 10; ++i) {
    auto r = test::arc_cli(db, {"tasks", "add", "--json", "--subject", "work " + std::to_string(i),
                                "--priority", i < 4 ? "1" : "5"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ids.push_back(nlohmann::json::parse(r.out)["id"].get<int64_t>());
  }
  {
    test::Daemon first({"--config", config}, dir.file("arcd1.log"));
    ASSERT_TRUE(first.wait_ready()) << first.log();
    ASSERT_TRUE(test::wait_for([&] { return scalar(db, "SELECT count(*) FROM tasks WHERE status='active'") == 4; }, 10s));
    // Wait until all four executors are really working, then cut the power.
    ASSERT_TRUE(test::wait_for([&] {
      std::ifstream in(runs);
      int n = 0;
      for (std::string l; std::getline(in, l);) n += l.rfind("start", 0) == 0;
      return n == 4;
    }, 10s));
    first.kill9();
  }
  std::remove((runs + ".slow").c_str());
  std::string dead = [&] {
    auto h = open_database(db);
    auto q = h->prepare("SELECT incarnation FROM nodes ORDER BY started_at DESC LIMIT 1");
    q.step();
    return q.col_text(0);
  }();
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM tasks WHERE status='active'"), 4);
  int64_t events_before_restart = scalar(db, "SELECT max(id) FROM task_events");

  auto restart = std::chrono::steady_clock::now();
  test::Daemon second({"--config", config}, dir.file("arcd2.log"));
  // Within 2 s of start, no task is held by the dead incarnation any more.
  bool recovered = test::wait_for([&] {
    auto h = open_database(db);
    auto q = h->prepare("SELECT count(*) FROM tasks WHERE status = 'active' AND lease_owner = ?");
    q.bind(1, dead);
    return q.step() && q.col_int(0) == 0;
  }, 2s, 5ms);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - restart);
  EXPECT_TRUE(recovered) << "orphans still held by " << dead << " after " << took.count() << " ms";
  std::printf("power cut (%s): orphans recovered %lld ms after the restart\n", GetParam().c_str(),
              static_cast<long long>(took.count()));
  ASSERT_TRUE(second.wait_ready()) << second.log();
  EXPECT_NE(second.log().find("orphans requeued 4"), std::string::npos) << second.log();
  // The executors' children outlived arcd: the new arcd killed their groups
  // before requeueing. (A direct executor dies with arcd: PR_SET_PDEATHSIG.)
  if (GetParam() == "child")
    EXPECT_NE(second.log().find("stray executor groups killed 4"), std::string::npos) << second.log();

  ASSERT_TRUE(test::wait_for([&] { return scalar(db, "SELECT count(*) FROM tasks WHERE status='completed'") == 10; }, 60s))
      << second.log();
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM tasks"), 10);  // nothing lost, nothing duplicated
  // Recovered at start-up, before the new arcd claimed anything: every
  // orphan's requeue comes before the first claim made after the restart.
  std::string after = std::to_string(events_before_restart);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM task_events WHERE from_status = 'active' AND to_status = 'pending' "
                       "AND reason LIKE '%orphan%' AND id > (SELECT min(id) FROM task_events WHERE to_status = 'active' "
                       "AND id > " + after + ")"), 0) << "an orphan was requeued after the new arcd's first claim";
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM task_events WHERE from_status = 'active' AND to_status = 'pending' "
                       "AND reason LIKE '%orphan%'"), 4);
  // The crash is one downtime incident, and its orphans carry it (triage counts it once).
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM incidents WHERE kind = 'downtime'"), 1);
  EXPECT_EQ(scalar(db, "SELECT count(*) FROM tasks WHERE incident_id IS NOT NULL"), 4);
  std::ifstream in(runs);
  std::map<int64_t, int> starts;
  std::string what;
  int64_t id, pid;
  while (in >> what >> id >> pid) {
    EXPECT_NE(what, "overlap") << "task " << id << " ran while its earlier run " << pid << " was alive";
    if (what == "start") ++starts[id];
  }
  EXPECT_EQ(starts.size(), 10u);
  for (int64_t t : ids) EXPECT_LE(starts[t], 2) << t;
  // Every process the killed arcd started is gone.
  std::ifstream again(runs);
  while (again >> what >> id >> pid)
    if (what == "start") EXPECT_FALSE(process_group_alive(static_cast<pid_t>(pid))) << "pid " << pid << " still alive";
  EXPECT_EQ(second.terminate(), 0);
}

INSTANTIATE_TEST_SUITE_P(Executors, PowerCut, ::testing::Values("direct", "child"));

}  // namespace
}  // namespace arc
