// The real arcd and arc binaries: tasks added through the CLI flow through
// executors; a hung executor is killed at its timeout with its children; an
// executor that prints garbage fails its task and arcd keeps running.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;
const std::string kScripts = ARC_TEST_SCRIPTS;

struct Fixture {
  test::TempDir dir;
  std::string db = dir.file("arc.db");
  std::string config = dir.file("arc.toml");

  void write_config(int slots, const std::string& skills) {
    std::ofstream(config) << "[arcd]\ndatabase = \"" << db << "\"\nslots = " << slots
                          << "\npoll_ms = 100\nshutdown_grace_seconds = 2\n"
                          << "[retry]\nbase_seconds = 0\n" << skills;
  }
  int64_t count(const std::string& status) {
    auto h = open_database(db);
    auto q = h->prepare("SELECT count(*) FROM tasks WHERE status = ?");
    q.bind(1, status);
    return q.step() ? q.col_int(0) : 0;
  }
  Task task(int64_t id) {
    auto h = open_database(db);
    TaskStore s(*h, system_clock());
    return *s.get(id);
  }
  int64_t add(std::vector<std::string> args) {
    std::vector<std::string> full{"tasks", "add", "--json"};
    full.insert(full.end(), args.begin(), args.end());
    auto r = test::arc_cli(db, full);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out).at("id").get<int64_t>();
  }
};

TEST(Lifecycle, FiveHundredTasksAddedThroughTheCliAllComplete) {
  Fixture f;
  f.write_config(4, "[skills.quick]\ncommand = [\"" + kScripts + "/quick.sh\"]\n");
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
  for (int i = 0; i < 500; ++i)
    f.add({"--subject", "task " + std::to_string(i), "--priority", std::to_string(1 + i % 10)});
  ASSERT_TRUE(test::wait_for([&] { return f.count("completed") == 500; }, 120s))
      << "completed " << f.count("completed") << "\n" << arcd.log().substr(0, 3000);
  auto st = test::arc_cli(f.db, {"status", "--json"});
  auto j = nlohmann::json::parse(st.out);
  EXPECT_EQ(j["counts"]["completed"], 500);
  EXPECT_TRUE(j["arcd_running"].get<bool>());
  EXPECT_NEAR(j["cost_today_usd"].get<double>(), 0.5, 1e-6);
  EXPECT_EQ(arcd.terminate(), 0);
}

// "Acknowledged means durable" rests on arcd's own connection: WAL with
// synchronous=full (read back from that connection), unless the operator
// chose normal.
TEST(Lifecycle, ArcdsConnectionIsWalWithSynchronousFullUnlessConfiguredNormal) {
  for (std::string sync : {"", "normal"}) {
    Fixture f;
    f.write_config(1, "");
    if (!sync.empty()) {
      std::ofstream(f.config) << "[arcd]\ndatabase = \"" << f.db << "\"\nsynchronous = \"" << sync << "\"\n";
    }
    test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
    ASSERT_TRUE(arcd.wait_ready()) << arcd.log();
    std::string want = "(journal_mode=wal synchronous=" + (sync.empty() ? std::string("full") : sync) + ")";
    // The persistence actor opens its connection when it is first scheduled,
    // which may be just after "arcd ready" is written.
    EXPECT_TRUE(test::wait_for(
        [&] { return arcd.log().find("persistence: " + f.db + " open " + want) != std::string::npos; }, 5s))
        << arcd.log();
    EXPECT_EQ(arcd.terminate(), 0);
  }
}

TEST(Lifecycle, ATaskAddedWhileArcdRunsStartsWithinASecond) {
  Fixture f;
  f.write_config(1, "[skills.quick]\ncommand = [\"" + kScripts + "/quick.sh\"]\n");
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready());
  std::this_thread::sleep_for(300ms);  // idle: no task yet, the dispatcher is polling
  int64_t id = f.add({"--subject", "hello"});
  ASSERT_TRUE(test::wait_for([&] { return f.task(id).status == TaskStatus::completed; }, 10s));
  Task t = f.task(id);
  // Typically a few ms (the file watch); 1 s holds on a loaded machine under ASan.
  EXPECT_LT(t.started_at - t.created_at, 1000) << "started " << t.started_at - t.created_at << " ms after creation";
  std::printf("a CLI task started %lld ms after it was created\n", static_cast<long long>(t.started_at - t.created_at));
}

TEST(Lifecycle, AHungExecutorIsKilledAtItsTimeoutWithItsChildren) {
  Fixture f;
  std::string pidfile = f.dir.file("child.pid");
  f.write_config(1, "[skills.hang]\ncommand = [\"" + kScripts + "/hang.sh\", \"" + pidfile +
                        "\"]\ntimeout_seconds = 1\nkill_grace_seconds = 1\n");
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready());
  int64_t id = f.add({"--subject", "hangs", "--max-attempts", "1"});
  ASSERT_TRUE(test::wait_for([&] { return f.task(id).status == TaskStatus::failed; }, 20s)) << arcd.log();
  Task t = f.task(id);
  EXPECT_EQ(t.failure_class, FailureClass::timeout);
  EXPECT_NE(t.summary.find("timeout"), std::string::npos) << t.summary;
  pid_t child = 0;
  std::ifstream(pidfile) >> child;
  ASSERT_GT(child, 0);
  EXPECT_TRUE(test::wait_for([&] { return kill(child, 0) != 0; }, 5s)) << "child " << child << " survived";
  EXPECT_TRUE(arcd.alive());
}

TEST(Lifecycle, GarbageOutputFailsTheTaskWithAClearSummaryAndArcdGoesOn) {
  Fixture f;
  f.write_config(1, "[skills.garbage]\ncommand = [\"" + kScripts + "/garbage.sh\"]\n"
                    "[skills.quick]\ncommand = [\"" + kScripts + "/quick.sh\"]\n");
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready());
  int64_t bad = f.add({"--subject", "noisy", "--skills", "garbage"});
  int64_t good = f.add({"--subject", "after", "--skills", "quick"});
  ASSERT_TRUE(test::wait_for([&] { return f.task(good).status == TaskStatus::completed; }, 20s)) << arcd.log();
  Task t = f.task(bad);
  EXPECT_EQ(t.status, TaskStatus::failed);
  EXPECT_EQ(t.failure_class, FailureClass::bad_output);
  EXPECT_NE(t.summary.find("not valid JSON"), std::string::npos) << t.summary;
  // Whatever bytes it printed, the CLI's JSON stays valid.
  auto show = test::arc_cli(f.db, {"tasks", "show", std::to_string(bad), "--json"});
  EXPECT_NO_THROW(nlohmann::json::parse(show.out)) << show.out;
  EXPECT_TRUE(arcd.alive());
}

TEST(Lifecycle, UnknownSkillFailsTheTaskNotArcd) {
  Fixture f;
  f.write_config(1, "[skills.quick]\ncommand = [\"" + kScripts + "/quick.sh\"]\n");
  test::Daemon arcd({"--config", f.config}, f.dir.file("arcd.log"));
  ASSERT_TRUE(arcd.wait_ready());
  int64_t id = f.add({"--subject", "x", "--skills", "nonexistent"});
  ASSERT_TRUE(test::wait_for([&] { return f.task(id).status == TaskStatus::failed; }, 10s));
  EXPECT_EQ(f.task(id).failure_class, FailureClass::executor_error);
  EXPECT_NE(f.task(id).summary.find("nonexistent"), std::string::npos);
  EXPECT_TRUE(arcd.alive());
}

}  // namespace
}  // namespace arc
