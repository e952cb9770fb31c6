// The crash loop (docs/reliability.md): K rounds of starting arcd under load
// (a sensor creating tasks, the CLI inserting tasks, executors of random
// duration recording every run in a side file, one in four leaving a helper
// child that outlives its run by seconds), kill -9 at a random moment,
// sometimes killing executors first, and restarting. After each start-up,
// each round and a final drain it checks, from the database, arcd's log and
// the side file:
//   - every task the CLI was told was created exists;
//   - after a start-up, no task is active under a lease of a dead arcd;
//   - after a start-up, every helper child the kill -9 left alive is dead,
//     and arcd counted at least that many stray executor groups killed;
//   - no task ran twice at the same time, counting a run's helper child as
//     part of the run;
//   - runs per task <= its attempts; a completed task has a finished run;
//   - after the final drain, every task is terminal;
//   - some kill -9 left a helper alive (stray killing was exercised).
// Usage: crash_loop [--rounds K] [--seed S] [--dir DIR]   (exit 1 on a violation)
#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
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

std::set<int64_t> task_ids(const std::string& db) {
  std::set<int64_t> ids;
  auto h = open_database(db);
  for (auto q = h->prepare("SELECT id FROM tasks"); q.step();) ids.insert(q.col_int(0));
  return ids;
}

struct Run {
  int64_t start = 0, end = 0;  // ns; end 0: killed before it finished
  int pid = 0;
  int helper = 0;              // child mode: its helper child's pid
  int64_t helper_last = 0;     // ns of the helper's last heartbeat (or its end)
};

// The side file run-task.sh writes: runs per task and their helper children
// (read_side reports the overlaps the executors saw themselves when they started).
struct Side {
  std::map<int64_t, std::vector<Run>> runs;
  std::map<int, int64_t> helper_task;  // helper pid -> task (pids of finished helpers may be reused: the latest wins)
  std::set<int> helpers_finished;      // helpers that ended by themselves (30 s of work)
};

Side read_side(const std::string& side, bool report = false) {
  Side s;
  std::ifstream in(side);
  for (std::string line; std::getline(in, line);) {
    std::istringstream l(line);
    char kind;
    int64_t task = 0;
    int pid = 0;
    if (!(l >> kind >> task >> pid)) continue;
    auto& rs = s.runs[task];
    // The latest run of the task with that pid (a pid is reused only long after).
    auto run = [&]() -> Run* {
      for (auto it = rs.rbegin(); it != rs.rend(); ++it)
        if (it->pid == pid) return &*it;
      return nullptr;
    };
    int64_t ns = 0;
    int helper = 0;
    if (kind == 'S' && (l >> ns)) rs.push_back({ns, 0, pid});
    if (kind == 'E' && (l >> ns))
      if (Run* r = run(); r && !r->end) r->end = ns;
    if ((kind == 'C' || kind == 'H' || kind == 'X') && (l >> helper >> ns)) {
      if (Run* r = run()) {
        r->helper = helper;
        if (kind != 'C') r->helper_last = std::max(r->helper_last, ns);
      }
      s.helper_task[helper] = task;
      if (kind == 'X') s.helpers_finished.insert(helper);
    }
    if (kind == 'O' && report)
      violation("task " + std::to_string(task) + " started while process " + std::to_string(pid) +
                " of an earlier run of it (the run or its helper child) was alive");
  }
  return s;
}

// Whether `pid` is still a process of run-task.sh writing to our side file,
// a run's own process (helper false) or a helper child (helper true); not a
// process that reused its pid: killing that would be a bug of the test itself.
// (read(2), not a stream: a process that exits while we read makes the read
// fail with ESRCH, which std::filebuf reports by throwing. A zombie's cmdline
// is empty: a zombie is not alive.)
bool is_ours(int pid, const std::string& side, bool helper) {
  int fd = ::open(("/proc/" + std::to_string(pid) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return false;
  std::string cmd(buf, static_cast<size_t>(n));
  bool is_helper = cmd.find(side + std::string("\0helper\0", 8)) != std::string::npos;
  return cmd.find("run-task.sh") != std::string::npos && cmd.find(side) != std::string::npos && is_helper == helper;
}

std::vector<int> unfinished_pids(const std::string& side) {
  std::vector<int> out;
  for (auto& [t, rs] : read_side(side).runs)
    for (auto& r : rs)
      if (!r.end && is_ours(r.pid, side, false)) out.push_back(r.pid);
  return out;
}

// The process is dying, whatever else /proc shows: a SIGKILL is pending
// (sent, e.g. by the dead arcd's runner as its run ended, but not yet acted
// on), or it took the signal and is on its way out (PF_EXITING, 0x4 in the
// flags field of /proc/PID/stat; its cmdline is readable until its memory
// goes). Pending first, then the flag: a signal taken between the two reads
// has set the flag by the second.
bool dying(int pid) {
  {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
      if (line.rfind("SigPnd:", 0) == 0 || line.rfind("ShdPnd:", 0) == 0)
        if (std::strtoull(line.c_str() + 7, nullptr, 16) & (1ull << (SIGKILL - 1))) return true;
  }
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = stat.rfind(')');  // the command may hold spaces and parentheses
  if (paren == std::string::npos) return true;  // gone while we read
  std::istringstream fields(stat.substr(paren + 1));
  std::string state, ppid, pgrp, session, tty, tpgid;
  unsigned long flags = 0;
  fields >> state >> ppid >> pgrp >> session >> tty >> tpgid >> flags;
  constexpr unsigned long kExiting = 0x4;  // PF_EXITING (include/linux/sched.h)
  return state == "Z" || state == "X" || (flags & kExiting);
}

// The task a process of run-task.sh works for (ARC_TASK_ID in its
// environment), 0 if it has none or is gone.
int64_t task_of(int pid) {
  int fd = ::open(("/proc/" + std::to_string(pid) + "/environ").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::string env(1, '\0');  // each variable then follows a NUL, the first too
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) env.append(buf, static_cast<size_t>(n));
  ::close(fd);
  auto at = env.find(std::string("\0ARC_TASK_ID=", 13));
  return at == std::string::npos ? 0 : std::atoll(env.c_str() + at + 13);
}

// Helper children alive now (not dying): after a kill -9 of arcd, the stray
// executor groups the next start-up must kill. A pid is the helper the side
// file names only if it still works for that helper's task: pids wrap (a
// long loop reuses them), and a helper forks a copy of itself for each
// $(date ...) it runs, which a reused pid of an old helper may be.
std::set<int> live_helpers(const std::string& side) {
  std::set<int> out;
  for (auto& [pid, task] : read_side(side).helper_task)
    if (is_ours(pid, side, true) && !dying(pid) && task_of(pid) == task) out.insert(pid);
  return out;
}

// The number after `what` in arcd's start-up line, e.g. "stray executor groups killed 2".
int startup_count(const std::string& log, const std::string& what) {
  auto at = log.find(what);
  return at == std::string::npos ? -1 : std::atoi(log.c_str() + at + what.size());
}

// After a start-up that followed a kill -9: every helper child the kill left
// alive was killed (with its group) before arcd was ready, and arcd counted
// those groups. `left`: helpers alive before arcd started; `outlived`: those
// an earlier start-up failed to kill, reported once (their tasks have been
// rerun since: no later start-up owes their groups a kill).
void check_stray_killing(const std::string& when, const std::set<int>& left, int killed, const std::string& side,
                         std::set<int>& outlived) {
  if (killed < 0) {
    violation(when + ": arcd's log has no start-up line with \"stray executor groups killed\"");
    return;
  }
  Side s = read_side(side);
  size_t expected = 0;
  std::string pids;
  for (int pid : left) {
    if (s.helpers_finished.count(pid)) continue;  // it ended by itself (30 s) before start-up scanned for it
    ++expected;
    pids += " " + std::to_string(pid) + " (task " + std::to_string(s.helper_task[pid]) + ")";
    if (is_ours(pid, side, true)) {
      outlived.insert(pid);
      violation(when + ": helper child " + std::to_string(pid) + " of a run of task " + std::to_string(s.helper_task[pid]) +
                " outlived the kill -9 and is still alive after start-up: its executor group was not killed");
    }
  }
  if (static_cast<size_t>(killed) < expected)
    violation(when + ": the kill -9 left " + std::to_string(expected) + " helper children alive, each in an executor group " +
              "of its own, but start-up reports " + std::to_string(killed) + " stray executor groups killed; helpers:" + pids);
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
  int kills_leaving_helpers = 0, helpers_left = 0;  // how often a kill -9 left stray groups behind
  std::set<int> outlived;                            // helpers a start-up did not kill
  // Starts arcd after a kill -9 (or the first time) and checks its start-up
  // killed the helper children the kill left alive. Null if it did not start.
  auto start_arcd = [&](const std::string& config, const std::string& when) {
    std::set<int> left;
    for (int pid : live_helpers(side))
      if (!outlived.count(pid)) left.insert(pid);
    kills_leaving_helpers += !left.empty();
    helpers_left += static_cast<int>(left.size());
    std::ofstream(dir + "/arcd.log", std::ios::trunc);  // one start's log at a time
    auto arcd = std::make_unique<test::Daemon>(std::vector<std::string>{"--config", dir + "/" + config}, dir + "/arcd.log");
    if (!arcd->wait_ready(30s)) {
      std::string log = arcd->log();
      violation(when + ": arcd did not start:\n" + log.substr(log.size() > 2000 ? log.size() - 2000 : 0));
      return std::unique_ptr<test::Daemon>();
    }
    std::string log = arcd->log();
    orphans += std::max(0, startup_count(log, "orphans requeued "));
    int killed = startup_count(log, "stray executor groups killed ");
    strays += std::max(0, killed);
    int before = violations;
    check_stray_killing(when, left, killed, side, outlived);
    if (violations > before)  // keep this start's log: the next start truncates arcd.log
      std::ofstream(dir + "/arcd-" + std::to_string(violations) + ".log") << log;
    return arcd;
  };
  for (int round = 1; round <= rounds; ++round) {
    auto arcd = start_arcd("load.toml", "round " + std::to_string(round));
    if (!arcd) break;
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
    // In one round of two the kill also waits (up to 2 s) for a run in child
    // mode to be in flight, so that every loop leaves stray groups for the
    // next start-up to kill; the other rounds kill wherever the moment falls.
    if (rng() % 2 == 0) test::wait_for([&] { return !live_helpers(side).empty(); }, 2s);
    if (rng() % 3 == 0)
      for (int pid : unfinished_pids(side)) {  // an executor dies on its own
        kill(pid, SIGKILL);
        ++executor_kills;
      }
    arcd->kill9();
    stop = true;
    cli.join();
    std::lock_guard<std::mutex> g(mu);
    if (round % 10 == 0)
      std::printf("round %d: %zu tasks acknowledged by the CLI so far, %d violations\n", round, acked.size(), violations);
    std::set<int64_t> present = task_ids(db);  // one read, not one per task: 1,000 rounds ack tens of thousands
    for (int64_t id : acked)
      if (!present.count(id))
        violation("round " + std::to_string(round) + ": acknowledged task " + std::to_string(id) + " is missing");
  }

  // Final drain: no more load; every task must end terminal.
  {
    auto arcd = start_arcd("drain.toml", "drain");
    // The backlog of a long loop takes minutes (the executors read the side
    // file, which grows with every run): the drain fails only when it stalls.
    auto open_tasks = [&] { return scalar(db, "SELECT count(*) FROM tasks WHERE status IN ('pending', 'active')"); };
    for (int64_t left = open_tasks(); arcd && left > 0;) {
      if (!test::wait_for([&] { return open_tasks() < left; }, 30s, 100ms)) {
        violation("drain: no task finished in 30 s, " + std::to_string(left) + " still pending or active");
        break;
      }
      left = open_tasks();
    }
    if (arcd && arcd->terminate() != 0) violation("drain: arcd did not stop cleanly");
  }
  // Child mode is what makes stray groups: a loop whose kills never left a
  // helper alive did not test the start-up's stray killing at all. (Half the
  // rounds wait for a helper to be in flight before the kill; a loop of a
  // few rounds, run by hand, may have none of those.)
  if (rounds >= 10 && kills_leaving_helpers == 0)
    violation("no kill -9 in " + std::to_string(rounds) + " rounds left a helper child alive: stray killing was not exercised");
  auto runs = read_side(side, true).runs;
  int64_t total_runs = 0, killed_runs = 0;
  auto h = open_database(db);
  std::set<int64_t> present = task_ids(db);
  for (int64_t id : acked)
    if (!present.count(id)) violation("acknowledged task " + std::to_string(id) + " is missing after the drain");
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
    // A run is alive until its end or its helper's last heartbeat, whichever
    // is later; no later run of the task may start before any earlier run's
    // last sign of life. (A run killed with no helper has no recorded end:
    // run-task.sh's check at the next run's start covers it.)
    const Run* latest = nullptr;  // the earlier run last seen alive
    for (auto& r : rs) {
      if (latest && std::max(latest->end, latest->helper_last) > r.start)
        violation("task " + std::to_string(id) + ": run " + std::to_string(r.pid) + " started while run " + std::to_string(latest->pid) +
                  (latest->helper_last > latest->end ? " still worked in its helper child " + std::to_string(latest->helper) : std::string(" still worked")) +
                  " (" + std::to_string((std::max(latest->end, latest->helper_last) - r.start) / 1'000'000) + " ms more)");
      if (!latest || std::max(r.end, r.helper_last) > std::max(latest->end, latest->helper_last)) latest = &r;
    }
    if (st == "completed" && std::none_of(rs.begin(), rs.end(), [](auto& r) { return r.end != 0; }))
      violation("task " + std::to_string(id) + " completed without a finished run");
    if (st == "pending" || st == "active") violation("task " + std::to_string(id) + " is " + st + " after the drain");
  }
  std::printf("rounds %d: tasks %lld (CLI acknowledged %zu, sensor %lld), runs %lld (%lld killed mid-run), "
              "executors killed %d, orphans requeued %d, stray executor groups killed %d "
              "(kills that left helper children alive: %d, helpers %d)\n",
              rounds, static_cast<long long>(h->scalar_int("SELECT count(*) FROM tasks")), acked.size(),
              static_cast<long long>(h->scalar_int("SELECT count(*) FROM tasks WHERE source LIKE 'crash:%'")),
              static_cast<long long>(total_runs), static_cast<long long>(killed_runs), executor_kills, orphans, strays,
              kills_leaving_helpers, helpers_left);
  std::printf("final states:");
  for (auto& [s, n] : by_status) std::printf(" %s %lld", s.c_str(), static_cast<long long>(n));
  std::printf("\ninvariant violations: %d\n", violations);
  return violations ? 1 : 0;
}
