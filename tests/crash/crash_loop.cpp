// The crash loop (docs/reliability.md): K rounds of starting arcd under load
// (a sensor creating tasks, the CLI inserting tasks, executors of random
// duration recording every run in a side file), kill -9 at a random moment,
// sometimes killing executors first, and restarting. After each round and a
// final drain it checks, from the database and the side file:
//   - every task the CLI was told was created exists;
//   - after a start-up, no task is active under a lease of a dead arcd;
//   - no task ran twice at the same time;
//   - runs per task <= its attempts; a completed task has a finished run;
//   - after the final drain, every task is terminal.
// Usage: crash_loop [--rounds K] [--seed S] [--dir DIR]   (exit 1 on a violation)
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "storage/schema.hpp"
#include "support/daemon.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

using namespace arc;
using namespace std::chrono_literals;

namespace {

int violations = 0;
void violation(const std::string& what) {
  ++violations;
  std::printf("VIOLATION: %s\n", what.c_str());
}

int64_t scalar(const std::string& db, const std::string& sql) { return open_database(db)->scalar_int(sql); }

struct Run {
  int64_t start = 0, end = 0;  // ns; end 0: killed before it finished
  int pid = 0;
};

// The side file: runs per task, and overlaps the executors saw themselves.
std::map<int64_t, std::vector<Run>> read_runs(const std::string& side, int& overlaps, bool report = false) {
  std::map<int64_t, std::vector<Run>> runs;
  std::map<int, Run*> by_pid;
  std::ifstream in(side);
  overlaps = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    char kind;
    int64_t task = 0, ns = 0;
    int pid = 0;
    if (!(l >> kind >> task >> pid)) continue;
    l >> ns;
    if (kind == 'S') runs[task].push_back({ns, 0, pid});
    if (kind == 'E')
      for (auto& r : runs[task])
        if (r.pid == pid && !r.end) r.end = ns;
    if (kind == 'O') {
      ++overlaps;
      if (report) violation("task " + std::to_string(task) + " started while its run " + std::to_string(pid) + " was alive");
    }
  }
  return runs;
}

// Whether `pid` is still one of our executors (not a process that reused
// its pid: killing that would be a bug of the test itself).
// (read(2), not a stream: a process that exits while we read makes the read
// fail with ESRCH, which std::filebuf reports by throwing.)
bool is_our_executor(int pid, const std::string& side) {
  int fd = ::open(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return false;
  std::string cmd(buf, static_cast<size_t>(n));
  return cmd.find("run-task.sh") != std::string::npos && cmd.find(side) != std::string::npos;
}

std::vector<int> unfinished_pids(const std::string& side) {
  int overlaps;
  std::vector<int> out;
  for (auto& [t, rs] : read_runs(side, overlaps))
    for (auto& r : rs)
      if (!r.end && is_our_executor(r.pid, side)) out.push_back(r.pid);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 20;
  unsigned seed = std::random_device{}();
  std::string dir_arg;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--rounds") rounds = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = static_cast<unsigned>(std::atoll(argv[i + 1]));
    else if (a == "--dir") dir_arg = argv[i + 1];
  }
  std::mt19937 rng(seed);
  test::TempDir tmp;
  std::string dir = dir_arg.empty() ? tmp.path() : dir_arg;
  std::string db = dir + "/arc.db", side = dir + "/runs.log", sensor = dir + "/sensor.sh";
  std::string base = "[arcd]\ndatabase = \"" + db + "\"\nslots = 4\npoll_ms = 100\nshutdown_grace_seconds = 5\n"
                     "[supervisor]\nmax_restarts = 50\n[gate]\nfailure_threshold = 0\n[retry]\nbase_seconds = 0\n"
                     "[skills.work]\ncommand = [\"" ARC_CRASH_DIR "/run-task.sh\", \"" + side + "\", \"150\"]\n";
  std::ofstream(sensor) << "#!/bin/sh\nn=$(date +%s%N)\n"
                        << "echo \"{\\\"subject\\\":\\\"observed $n\\\",\\\"source\\\":\\\"crash:$n:a\\\"}\"\n"
                        << "echo \"{\\\"subject\\\":\\\"observed $n b\\\",\\\"source\\\":\\\"crash:$n:b\\\"}\"\n";
  chmod(sensor.c_str(), 0755);
  std::ofstream(dir + "/load.toml") << base << "[sensors.watch]\ncommand = [\"" << sensor
                                    << "\"]\ninterval_seconds = 1\nstartup_spread_seconds = 0\n";
  std::ofstream(dir + "/drain.toml") << base;
  setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens in a log file
  std::printf("crash loop: %d rounds, seed %u, in %s\n", rounds, seed, dir.c_str());

  std::mutex mu;
  std::vector<int64_t> acked;  // tasks the CLI was told were created
  int executor_kills = 0, orphans = 0, strays = 0;
  for (int round = 1; round <= rounds; ++round) {
    test::Daemon arcd({"--config", dir + "/load.toml"}, dir + "/arcd.log");
    if (!arcd.wait_ready(30s)) {
      violation("round " + std::to_string(round) + ": arcd did not start:\n" + arcd.log().substr(arcd.log().size() > 2000 ? arcd.log().size() - 2000 : 0));
      break;
    }
    std::string inc;
    {
      auto h = open_database(db);
      auto q = h->prepare("SELECT incarnation FROM nodes ORDER BY started_at DESC, rowid DESC LIMIT 1");
      if (q.step()) inc = q.col_text(0);
      auto bad = h->prepare("SELECT count(*) FROM tasks WHERE status = 'active' AND lease_owner != ?");
      bad.bind(1, inc);
      if (bad.step() && bad.col_int(0) > 0)
        violation("round " + std::to_string(round) + ": " + std::to_string(bad.col_int(0)) +
                  " tasks active under a dead arcd's lease after start-up");
    }
    // The CLI inserts tasks while arcd runs (and dies).
    std::atomic<bool> stop{false};
    std::thread cli([&] {
      for (int i = 0; !stop; ++i) {
        auto r = test::arc_cli(db, {"tasks", "add", "--json", "--subject", "cli r" + std::to_string(round) + " " + std::to_string(i), "--skills", "work"});
        std::this_thread::sleep_for(std::chrono::milliseconds(30));  // the load's pace, not a wait
        if (r.exit_code != 0) continue;
        auto j = nlohmann::json::parse(r.out, nullptr, false);
        if (!j.is_discarded() && j.contains("id")) {
          std::lock_guard<std::mutex> g(mu);
          acked.push_back(j["id"].get<int64_t>());
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 1300));  // the random moment
    if (rng() % 3 == 0)
      for (int pid : unfinished_pids(side)) {  // an executor dies on its own
        kill(pid, SIGKILL);
        ++executor_kills;
      }
    arcd.kill9();
    stop = true;
    cli.join();
    std::string log = arcd.log();
    for (size_t at = 0; (at = log.find("orphans requeued ", at)) != std::string::npos; at += 17) orphans += std::atoi(log.c_str() + at + 17);
    for (size_t at = 0; (at = log.find("stray executor groups killed ", at)) != std::string::npos; at += 29) strays += std::atoi(log.c_str() + at + 29);
    std::ofstream(dir + "/arcd.log", std::ios::trunc);  // one round's log at a time
    std::lock_guard<std::mutex> g(mu);
    if (round % 10 == 0)
      std::printf("round %d: %zu tasks acknowledged by the CLI so far, %d violations\n", round, acked.size(), violations);
    for (int64_t id : acked)
      if (scalar(db, "SELECT count(*) FROM tasks WHERE id = " + std::to_string(id)) != 1)
        violation("round " + std::to_string(round) + ": acknowledged task " + std::to_string(id) + " is missing");
  }

  // Final drain: no more load; every task must end terminal.
  {
    test::Daemon arcd({"--config", dir + "/drain.toml"}, dir + "/arcd.log");
    if (!arcd.wait_ready(30s)) violation("drain: arcd did not start");
    bool drained = test::wait_for([&] { return scalar(db, "SELECT count(*) FROM tasks WHERE status IN ('pending', 'active')") == 0; }, 120s, 100ms);
    if (!drained) violation("drain: tasks still pending or active after 120 s");
    if (arcd.terminate() != 0) violation("drain: arcd did not stop cleanly");
  }
  int overlaps = 0;
  auto runs = read_runs(side, overlaps, true);
  int64_t total_runs = 0, killed_runs = 0;
  auto h = open_database(db);
  for (int64_t id : acked)
    if (h->scalar_int("SELECT count(*) FROM tasks WHERE id = " + std::to_string(id)) != 1)
      violation("acknowledged task " + std::to_string(id) + " is missing after the drain");
  auto q = h->prepare("SELECT id, status, attempts FROM tasks");
  std::map<std::string, int64_t> by_status;
  while (q.step()) {
    int64_t id = q.col_int(0), attempts = q.col_int(2);
    std::string st = q.col_text(1);
    ++by_status[st];
    auto& rs = runs[id];
    total_runs += static_cast<int64_t>(rs.size());
    for (auto& r : rs) killed_runs += r.end == 0;
    if (static_cast<int64_t>(rs.size()) > attempts)
      violation("task " + std::to_string(id) + " ran " + std::to_string(rs.size()) + " times with " + std::to_string(attempts) + " attempts");
    std::sort(rs.begin(), rs.end(), [](auto& a, auto& b) { return a.start < b.start; });
    for (size_t i = 1; i < rs.size(); ++i)
      if (rs[i - 1].end && rs[i - 1].end > rs[i].start) violation("task " + std::to_string(id) + ": two runs overlapped");
    if (st == "completed" && std::none_of(rs.begin(), rs.end(), [](auto& r) { return r.end != 0; }))
      violation("task " + std::to_string(id) + " completed without a finished run");
    if (st == "pending" || st == "active") violation("task " + std::to_string(id) + " is " + st + " after the drain");
  }
  std::printf("rounds %d: tasks %lld (CLI acknowledged %zu, sensor %lld), runs %lld (%lld killed mid-run), "
              "executors killed %d, orphans requeued %d, stray executor groups killed %d\n",
              rounds, static_cast<long long>(h->scalar_int("SELECT count(*) FROM tasks")), acked.size(),
              static_cast<long long>(h->scalar_int("SELECT count(*) FROM tasks WHERE source LIKE 'crash:%'")),
              static_cast<long long>(total_runs), static_cast<long long>(killed_runs), executor_kills, orphans, strays);
  std::printf("final states:");
  for (auto& [s, n] : by_status) std::printf(" %s %lld", s.c_str(), static_cast<long long>(n));
  std::printf("\ninvariant violations: %d\n", violations);
  return violations ? 1 : 0;
}
