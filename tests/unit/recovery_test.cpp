// The start-up sequence: incarnation and gap, orphans, stray executors, expiry.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/proc_scan.hpp"
#include "storage/recovery.hpp"
#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

constexpr millis kT0 = 1'747'000'000'000;

TEST(Recovery, OrphansGoBackToPendingOrFailWhenOutOfAttempts) {
  test::TempDir dir;
  SimClock clock(kT0);
  auto db = open_database(dir.file("r.db"));
  TaskStore store(*db, clock);
  run_startup(*db, clock, "dead-1", "n", 100);
  TaskSpec s;
  s.subject = "retry me";
  int64_t a = store.create(s, "t").id;
  s.subject = "last try";
  s.max_attempts = 1;
  int64_t b = store.create(s, "t").id;
  s.subject = "still pending";
  int64_t c = store.create(s, "t").id;
  s.subject = "stale";
  s.expires_at = kT0 + 1000;
  int64_t d = store.create(s, "t").id;
  store.claim("dead-1", 2, 60'000);
  // kill -9: no clean stop, 10 minutes pass.
  clock.advance(600'000);
  auto r = run_startup(*db, clock, "new-2", "n", 100);
  EXPECT_EQ(r.previous_incarnation, "dead-1");
  EXPECT_FALSE(r.previous_stopped_cleanly);
  EXPECT_EQ(r.gap_ms, 600'000);
  EXPECT_EQ(r.orphans_requeued, 1);
  EXPECT_EQ(r.orphans_failed, 1);
  EXPECT_EQ(r.expired, 1);
  EXPECT_EQ(store.get(a)->status, TaskStatus::pending);
  EXPECT_EQ(store.get(b)->status, TaskStatus::failed);
  EXPECT_EQ(store.get(b)->failure_class, FailureClass::orphaned);
  EXPECT_EQ(store.get(c)->status, TaskStatus::pending);
  EXPECT_EQ(store.get(d)->status, TaskStatus::expired);
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks WHERE status = 'active'"), 0);
}

TEST(Recovery, GapAfterACleanStopIsMeasuredFromTheStop) {
  test::TempDir dir;
  SimClock clock(kT0);
  auto db = open_database(dir.file("r.db"));
  run_startup(*db, clock, "one", "n", 100);
  clock.advance(5'000);
  heartbeat(*db, "one", clock.now_ms());
  clock.advance(5'000);
  mark_stopped(*db, "one", clock.now_ms());
  clock.advance(30'000);
  auto r = run_startup(*db, clock, "two", "n", 100);
  EXPECT_TRUE(r.previous_stopped_cleanly);
  EXPECT_EQ(r.gap_ms, 30'000);
}

// A process group left running by a dead arcd (its executor's children).
pid_t spawn_stray(const std::string& incarnation) {
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    std::string env = std::string(kIncarnationEnv) + "=" + incarnation;
    char* envp[] = {env.data(), nullptr};
    execle("/bin/sleep", "sleep", "60", static_cast<char*>(nullptr), envp);
    _exit(127);
  }
  setpgid(pid, pid);
  return pid;
}

TEST(Recovery, StrayExecutorsOfTheDeadIncarnationAreKilledFirst) {
  test::TempDir dir;
  SimClock clock(kT0);
  auto db = open_database(dir.file("r.db"));
  TaskStore store(*db, clock);
  run_startup(*db, clock, "dead-7", "n", 100);
  TaskSpec s;
  s.subject = "x";
  store.create(s, "t");
  store.claim("dead-7", 1, 60'000);
  pid_t stray = spawn_stray("dead-7");
  pid_t unrelated = spawn_stray("someone-else");
  ASSERT_TRUE(test::wait_for([&] { return !find_executor_groups({"dead-7"}).empty(); },
                             std::chrono::seconds(5)));
  auto r = run_startup(*db, clock, "new-8", "n", 1000);
  EXPECT_EQ(r.stray_groups_killed, 1);
  int status = 0;
  EXPECT_EQ(waitpid(stray, &status, 0), stray);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(waitpid(unrelated, &status, WNOHANG), 0);  // not ours to kill
  kill(unrelated, SIGKILL);
  waitpid(unrelated, &status, 0);
}

}  // namespace
}  // namespace arc
