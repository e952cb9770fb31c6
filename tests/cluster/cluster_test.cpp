// Multi-node mode with real processes on loopback (docs/cluster.md): one hub
// and workers, each a real arcd, talking over CAF's middleman (TLS in the
// tests that need it, --insecure elsewhere to keep them short). Leases are
// 3 s, so a lost worker's tasks come back within about 5 s.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "storage/schema.hpp"
#include "storage/task_store.hpp"
#include "support/daemon.hpp"
#include "support/gate_history.hpp"
#include "support/process_state.hpp"
#include "support/temp_dir.hpp"
#include "support/wait_for.hpp"

namespace arc {
namespace {

using namespace std::chrono_literals;

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// Runs a command (the openssl CLI); fails the test if it fails.
void run(std::vector<std::string> argv) {
  ProcessSpec s;
  s.argv = std::move(argv);
  s.timeout_ms = 30'000;
  auto r = run_process(s);
  ASSERT_EQ(r.exit_code, 0) << s.argv[0] << " " << s.argv[1] << ": " << r.err;
}

// A CA and certificates it signs, made with the openssl CLI as docs/cluster.md says.
struct Pki {
  std::string dir;
  void ca(const std::string& name) {
    run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem", "-days", "2", "-subj",
         "/CN=" + name});
  }
  void cert(const std::string& ca, const std::string& name) {
    std::string p = dir + "/" + name;
    run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         p + ".key", "-out", p + ".csr", "-subj", "/CN=" + name});
    run({"openssl", "x509", "-req", "-in", p + ".csr", "-CA", dir + "/" + ca + ".pem", "-CAkey",
         dir + "/" + ca + ".key", "-CAcreateserial", "-out", p + ".pem", "-days", "2"});
  }
  std::vector<std::string> args(const std::string& ca, const std::string& name) const {
    return {"--tls-cert", dir + "/" + name + ".pem", "--tls-key", dir + "/" + name + ".key", "--tls-ca",
            dir + "/" + ca + ".pem"};
  }
};

class Cluster : public ::testing::Test {
 protected:
  test::TempDir dir;
  std::string db = dir.file("arc.db"), runs = dir.file("runs.log");
  std::string hub_addr = "127.0.0.1:" + std::to_string(free_port());
  std::vector<std::string> tls{"--insecure"};  // per worker/hub, unless a test sets TLS
  std::unique_ptr<test::Daemon> hub;
  std::map<std::string, std::unique_ptr<test::Daemon>> workers;
  int hub_starts = 0;
  std::map<std::string, int> starts_of;  // worker starts per name

  std::string config(const std::string& name, int slots, const std::string& extra = "") {
    std::string path = dir.file(name + ".toml");
    std::ofstream(path) << extra << "[arcd]\ndatabase = \"" << db << "\"\nslots = " << slots
                        << "\nlease_seconds = 3\npoll_ms = 50\nshutdown_grace_seconds = 5\n"
                        << "[cluster]\nreconnect_max_ms = 1000\nrequest_timeout_ms = 2000\n"
                        << "[skills.work]\ncommand = [\"" << ARC_CLUSTER_SCRIPTS << "/node-task.sh\", \"" << runs
                        << "\", \"" << name << "\"]\n";
    return path;
  }
  void start_hub(std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--config", config("hub", 1), "--role", "hub", "--listen", hub_addr,
                                  "--node-name", "hub"};
    args.insert(args.end(), extra.empty() ? tls.begin() : extra.begin(), extra.empty() ? tls.end() : extra.end());
    hub = std::make_unique<test::Daemon>(args, dir.file("hub" + std::to_string(++hub_starts) + ".log"));
    ASSERT_TRUE(hub->wait_ready()) << hub->log();
  }
  test::Daemon& start_worker(const std::string& name, int slots, std::vector<std::string> extra = {},
                             bool wait_connected = true) {
    std::vector<std::string> args{"--config", config(name, slots), "--role", "worker", "--hub", hub_addr,
                                  "--node-name", name};
    args.insert(args.end(), extra.empty() ? tls.begin() : extra.begin(), extra.empty() ? tls.end() : extra.end());
    // A log per start: a restarted worker's "arcd ready" is its own.
    std::string log = dir.file(name + "-" + std::to_string(++starts_of[name]) + ".log");
    auto& w = workers[name] = std::make_unique<test::Daemon>(args, log);
    EXPECT_TRUE(w->wait_ready()) << w->log();
    if (wait_connected) {
      EXPECT_TRUE(test::wait_for([&] { return w->log().find("connected to the hub") != std::string::npos; }, 15s))
          << w->log();
    }
    return *w;
  }
  void add_tasks(int n, const std::string& subject, int priority = 5) {
    auto d = open_database(db);
    TaskStore store(*d, system_clock());
    in_transaction(*d, [&] {
      for (int i = 0; i < n; ++i) {
        TaskSpec s;
        s.subject = subject;
        s.priority = priority;
        s.skills = {"work"};
        store.create(s, "test");
      }
    });
  }
  int64_t scalar(const std::string& sql) { return open_database(db)->scalar_int(sql); }
  int64_t count(const std::string& status) {
    return scalar("SELECT count(*) FROM tasks WHERE status = '" + status + "'");
  }
  // "start ID NODE" lines of the run log, per task id.
  std::map<int64_t, std::vector<std::string>> starts() {
    std::map<int64_t, std::vector<std::string>> out;
    std::ifstream in(runs);
    std::string word, node;
    int64_t id;
    while (in >> word >> id >> node)
      if (word == "start") out[id].push_back(node);
    return out;
  }
  // The pids of a run that works in a child (node-task.sh's LOG.pids): its
  // executor, the leader of its process group, and that child.
  struct RunPids {
    pid_t pid = 0, child = 0;
  };
  RunPids run_pids(int64_t task_id, const std::string& of_node) {
    RunPids out;
    std::ifstream in(runs + ".pids");
    int64_t id;
    std::string node;
    pid_t pid, child;
    while (in >> id >> node >> pid >> child)
      if (id == task_id && node == of_node) out = {pid, child};  // the last run of it
    return out;
  }
  std::string logs() {
    std::string s = hub ? "--- hub\n" + hub->log() : "";
    for (auto& [n, w] : workers) s += "--- " + n + "\n" + w->log();
    return s;
  }
  void TearDown() override {
    if (HasFailure() || getenv("ARC_TEST_SHOW_LOGS")) std::cerr << logs().substr(0, 20000);
  }
};

// 1 hub + 3 workers over TLS complete 2,000 tasks: each exactly once,
// spread over all three; `arc nodes` shows them.
TEST_F(Cluster, ThreeWorkersOverTlsCompleteTwoThousandTasksEachExactlyOnce) {
  Pki pki{dir.path()};
  pki.ca("ca");
  for (auto n : {"hub", "w1", "w2", "w3"}) pki.cert("ca", n);
  add_tasks(2000, "t");
  start_hub(pki.args("ca", "hub"));
  for (auto n : {"w1", "w2", "w3"}) start_worker(n, 4, pki.args("ca", n));
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 2000; }, 240s)) << count("completed");
  auto s = starts();
  ASSERT_EQ(s.size(), 2000u);
  std::map<std::string, int> per_node;
  for (auto& [id, nodes] : s) {
    EXPECT_EQ(nodes.size(), 1u) << "task " << id << " ran " << nodes.size() << " times";
    ++per_node[nodes[0]];
  }
  for (auto n : {"w1", "w2", "w3"}) EXPECT_GT(per_node[n], 100) << n;
  EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE to_status = 'completed'"), 2000);
  EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE to_status = 'active' AND actor NOT LIKE 'worker:%'"), 0);
  auto nodes = nlohmann::json::parse(test::arc_cli(db, {"nodes", "--json"}).out);
  ASSERT_EQ(nodes.size(), 4u) << nodes.dump();
  EXPECT_EQ(nodes[0]["role"], "hub");
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(nodes[i]["role"], "worker");
    EXPECT_EQ(nodes[i]["state"], "connected");
    EXPECT_EQ(nodes[i]["slots"], 4);
  }
  auto text = test::arc_cli(db, {"nodes"});
  EXPECT_NE(text.out.find("w3"), std::string::npos) << text.out;
  // A clean stop of a worker is a lost connection to the hub, and it says so.
  EXPECT_EQ(workers["w1"]->terminate(), 0);
  EXPECT_TRUE(test::wait_for([&] { return hub->log().find("lost worker w1") != std::string::npos; }, 5s));
}

// kill -9 of a worker mid-task: its task comes back when the lease runs out
// and another worker completes it.
TEST_F(Cluster, AKilledWorkersTaskIsRequeuedAtLeaseExpiryAndCompletedByAnother) {
  start_hub();
  auto& a = start_worker("a", 1);
  add_tasks(1, "sleep:30");
  ASSERT_TRUE(test::wait_for([&] { return scalar("SELECT count(*) FROM tasks WHERE lease_owner = 'worker:a'") == 1; }, 10s));
  ASSERT_TRUE(test::wait_for([&] { return starts().size() == 1; }, 5s));
  // From here on the same task completes at once wherever it runs again.
  open_database(db)->exec("UPDATE tasks SET subject = 'quick'");
  start_worker("b", 1);
  a.kill9();
  EXPECT_TRUE(test::wait_for([&] { return hub->log().find("lost worker a") != std::string::npos; }, 5s));
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 1; }, 15s));
  auto s = starts();
  ASSERT_EQ(s[1], (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE reason = 'lease expired: requeued'"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE to_status = 'completed' AND actor = 'worker:b'"), 1);
}

// A worker restarted after kill -9 first kills what its predecessor's
// executors left running (a shell executor's children), then gives the
// task back: it never runs beside its earlier run. (A name of its own: the
// sweep takes any dead worker's leftovers of that name on this host, and
// ctest runs other cluster tests, with workers named "a", beside it.)
TEST_F(Cluster, ARestartedWorkerKillsItsPredecessorsExecutorsBeforeTheirTasksRunAgain) {
  start_hub();
  auto& a = start_worker("phoenix", 1);
  add_tasks(1, "child:60");
  pid_t child = 0;
  ASSERT_TRUE(test::wait_for(
      [&] {
        std::ifstream in(runs);
        std::string word, node;
        int64_t id;
        while (in >> word >> id >> node)
          if (word == "child") child = std::stoi(node);
        return child > 0;
      },
      10s));
  a.kill9();
  ASSERT_EQ(kill(child, 0), 0) << "the executor's child should outlive the worker";
  open_database(db)->exec("UPDATE tasks SET subject = 'quick'");
  auto& again = start_worker("phoenix", 1);
  auto alive = [&] {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string text;
    return std::getline(stat, text) && text.find(") Z") == std::string::npos;
  };
  EXPECT_FALSE(alive()) << again.log();
  EXPECT_NE(again.log().find("stray executor groups killed 1"), std::string::npos) << again.log();
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 1; }, 10s));
  EXPECT_EQ(starts()[1], (std::vector<std::string>{"phoenix", "phoenix"}));
}

// kill -STOP of a worker past its lease: another worker re-runs the task;
// kill -CONT: the frozen worker's late result is refused (fencing), kept as
// an event, and the task is recorded once, with the re-run's result.
TEST_F(Cluster, AFrozenWorkersLateResultIsRefusedAndTheTaskRecordedOnce) {
  start_hub();
  auto& a = start_worker("a", 1);
  add_tasks(1, "sleep:1");
  ASSERT_TRUE(test::wait_for([&] { return starts().size() == 1; }, 10s));
  // Frozen at once, while its 1 s run goes on: b's start-up takes seconds
  // under ASan, long enough for a to finish and report first (a CI flake).
  ASSERT_EQ(kill(a.pid(), SIGSTOP), 0);
  start_worker("b", 1);
  // a's executor is its own process group, not stopped: it finishes, but a
  // cannot report. The lease (3 s) runs out and b runs the task again.
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 1; }, 15s));
  EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE to_status = 'completed' AND actor = 'worker:b'"), 1);
  // `arc nodes` shows the frozen worker as silent once it missed 5 s of heartbeats.
  nlohmann::json nodes;
  auto state_of_a = [&] {
    nodes = nlohmann::json::parse(test::arc_cli(db, {"nodes", "--json"}).out);
    for (auto& n : nodes)
      if (n["name"] == "a") return n["state"].get<std::string>();
    return std::string();
  };
  EXPECT_TRUE(test::wait_for([&] { return state_of_a() == "silent"; }, 10s)) << nodes.dump();
  ASSERT_EQ(kill(a.pid(), SIGCONT), 0);
  EXPECT_TRUE(test::wait_for([&] { return state_of_a() == "connected"; }, 5s)) << nodes.dump();
  ASSERT_TRUE(test::wait_for(
      [&] { return scalar("SELECT count(*) FROM task_events WHERE to_status = 'refused' AND reason LIKE 'late result refused%'") == 1; }, 10s));
  EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE to_status = 'completed'"), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM tasks WHERE status = 'completed' AND summary = 'done by b'"), 1);
  EXPECT_EQ(scalar("SELECT lease_epoch FROM tasks"), 2);
  EXPECT_EQ(starts()[1], (std::vector<std::string>{"a", "b"}));
}

// kill -9 of the hub mid-queue and a restart on the same port and
// database: the workers reconnect by themselves and the cluster drains the
// queue, with no task completed twice.
TEST_F(Cluster, WorkersReconnectToARestartedHubAndDrainTheQueue) {
  add_tasks(1, "sleep:2", 1);  // task 1, claimed first: it runs through the hub's outage
  add_tasks(300, "sleep:0.05");
  start_hub();
  start_worker("a", 2);
  start_worker("b", 2);
  ASSERT_TRUE(test::wait_for([&] { return count("completed") >= 10; }, 30s));
  ASSERT_EQ(scalar("SELECT count(*) FROM tasks WHERE id = 1 AND status = 'active'"), 1) << "task 1 should still run";
  hub->kill9();
  millis killed = system_clock().now_ms();
  // Cut off: no claims, and runs that were going on keep their results.
  for (auto n : {"a", "b"}) {
    EXPECT_TRUE(test::wait_for([&] { return workers[n]->log().find("hub-link: cut off") != std::string::npos; }, 5s));
  }
  start_hub();
  for (auto n : {"a", "b"}) {
    EXPECT_TRUE(test::wait_for(
        [&] {
          auto log = workers[n]->log();
          return log.find("connected to the hub") != log.rfind("connected to the hub");  // twice
        },
        15s))
        << workers[n]->log();
  }
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 301; }, 60s)) << count("completed");
  EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE to_status = 'completed'"), 301);
  EXPECT_EQ(count("failed"), 0);
  // Task 1 ran once, across the outage: its result, kept while the worker
  // was cut off, was accepted after it reconnected, under its first lease.
  EXPECT_EQ(starts()[1].size(), 1u);
  EXPECT_EQ(scalar("SELECT lease_epoch FROM tasks WHERE id = 1"), 1);
  EXPECT_GT(scalar("SELECT at FROM task_events WHERE task_id = 1 AND to_status = 'completed'"), killed);
}

// A worker cut off from its hub for longer than a lease stops the run
// itself (the hub may hand the task to another node by then); once the hub
// is back the task is requeued and runs again, under a new lease.
//
// "Stops" means its processes are gone: the executor (the leader of its own
// process group) and the child it does the work in, which a stop that only
// logged, or only killed the leader, would leave running beside the re-run.
TEST_F(Cluster, ACutOffWorkerStopsARunWhoseLeaseHasSurelyRunOut) {
  start_hub();
  auto& a = start_worker("a", 1);
  add_tasks(1, "sleep:60");
  RunPids run;
  ASSERT_TRUE(test::wait_for([&] { return (run = run_pids(1, "a")).child > 0; }, 10s)) << logs();
  // Running, in a group of its own: what follows is the worker's doing.
  ASSERT_FALSE(test::process_gone(run.pid));
  ASSERT_FALSE(test::process_gone(run.child));
  ASSERT_EQ(test::proc_stat(run.pid).pgrp, run.pid) << "the executor should lead its own process group";
  ASSERT_EQ(test::proc_stat(run.child).pgrp, run.pid) << "the executor's child should be in its group";
  hub->kill9();
  auto cut_off = std::chrono::steady_clock::now();
  // The lease is 3 s, renewed every second: the worker stops the run at its
  // first renewal tick past the last renewal it got + 3 s, so 2-4 s after the
  // hub died, then SIGTERM to the group (SIGKILL 5 s later if need be). 30 s
  // leaves room for a loaded machine and ASan.
  bool gone = test::wait_for(
      [&] { return test::process_group_gone(run.pid) && test::process_gone(run.pid) && test::process_gone(run.child); },
      30s);
  auto after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - cut_off);
  EXPECT_TRUE(gone) << "30 s after the hub died, past the 3 s lease, the run of task 1 on worker a is still there: "
                    << "executor pid " << run.pid << (test::process_gone(run.pid) ? " gone" : " running") << ", child pid "
                    << run.child << (test::process_gone(run.child) ? " gone" : " running") << ", its process group "
                    << (test::process_group_gone(run.pid) ? "gone" : "still has live members");
  RecordProperty("run_gone_after_hub_died_ms", std::to_string(after_ms.count()));  // in the XML report
  EXPECT_NE(a.log().find("has run out without a renewal"), std::string::npos) << a.log();
  // The hub comes back only now: it hands the task out again (to a, the only
  // worker) after the first run's processes are gone, so the two never overlap.
  open_database(db)->exec("UPDATE tasks SET subject = 'quick'");
  start_hub();
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 1; }, 20s));
  EXPECT_EQ(starts()[1], (std::vector<std::string>{"a", "a"}));
  EXPECT_EQ(scalar("SELECT lease_epoch FROM tasks WHERE id = 1"), 2);
}

// A rate limit that one worker hits stops claiming on every worker until
// the reset time, then dispatch resumes by itself.
TEST_F(Cluster, ARateLimitOnOneWorkerStopsTheWholeClusterUntilTheReset) {
  start_hub();
  start_worker("a", 1);
  start_worker("b", 1);
  add_tasks(1, "limit");
  ASSERT_TRUE(test::wait_for([&] { return scalar("SELECT count(*) FROM gate WHERE state = 'stopped_rate_limited'") == 1; }, 10s));
  millis stopped = scalar("SELECT max(at) FROM gate_events WHERE to_state = 'stopped_rate_limited'");
  add_tasks(6, "t");
  // Held on both workers while the gate is stopped (it resumes ~4 s later).
  EXPECT_FALSE(test::wait_for([&] { return count("completed") > 0; }, 2s));
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 7; }, 20s));
  millis resumed = scalar("SELECT max(at) FROM gate_events WHERE to_state = 'running'");
  EXPECT_GT(resumed, stopped + 2000);
  // Nothing ran while the gate was stopped: no claim, by any worker, between
  // the gate's stop and its reopening on the hub, and no run started then
  // (support/gate_history.hpp: the event history keeps every claim; the
  // limited task 1 runs again after the reset, which overwrites its
  // tasks.started_at).
  auto s = starts();
  {
    auto d = open_database(db);
    auto closures = test::gate_closures(*d);
    ASSERT_EQ(closures.size(), 1u) << "the gate should have stopped once";
    auto& stop = closures[0];
    EXPECT_EQ(stop.state, "stopped_rate_limited");
    EXPECT_EQ(stop.closed_at, stopped);
    // Checked before the reopening: if the gate never reopened, the window
    // stays open and every claim since the stop counts.
    auto ran = test::claimed_or_started_while_closed(*d, stop);
    EXPECT_TRUE(ran.empty()) << "claimed or started while the gate was stopped:" << test::lines(ran);
    EXPECT_NE(stop.reopened_feed_id, 0) << "the gate never reopened";
    EXPECT_EQ(stop.reopened_at, resumed);
    // Every start of the executor (its own log) is a claim the check above
    // saw: 7 tasks, task 1 twice (limited, then after the reset).
    size_t runs_logged = 0;
    for (auto& [id, nodes] : s) runs_logged += nodes.size();
    EXPECT_EQ(runs_logged, 8u);
    EXPECT_EQ(scalar("SELECT count(*) FROM task_events WHERE from_status = 'pending' AND to_status = 'active'"),
              static_cast<int64_t>(runs_logged));
  }
  std::set<std::string> ran_on;
  for (auto& [id, nodes] : s) ran_on.insert(nodes.begin(), nodes.end());
  EXPECT_EQ(ran_on.size(), 2u);
}

// A worker's sensors run on the worker and record through the hub: their
// tasks land in the hub's queue, deduplicated by source across runs.
TEST_F(Cluster, AWorkersSensorCreatesTasksInTheHubsQueue) {
  start_hub();
  std::string sensor = std::string("[sensors.watch]\ncommand = [\"") + ARC_CLUSTER_SCRIPTS +
                       "/sensor.sh\", \"s1\"]\ninterval_seconds = 1\nstartup_spread_seconds = 0\n";
  workers["s1"] = std::make_unique<test::Daemon>(
      std::vector<std::string>{"--config", config("s1", 1, sensor), "--role", "worker", "--hub", hub_addr,
                               "--node-name", "s1", "--insecure"},
      dir.file("s1.log"));
  ASSERT_TRUE(test::wait_for([&] { return count("completed") >= 1; }, 15s)) << logs();
  // Every task that completed is the sensor's (one query: the sensor adds one a second).
  EXPECT_EQ(scalar("SELECT count(*) FROM tasks WHERE status = 'completed' AND "
                   "NOT (source LIKE '%seen-s1' AND subject = 'seen by s1')"), 0);
  ASSERT_TRUE(test::wait_for([&] { return scalar("SELECT runs FROM sensor_state WHERE name = 'watch'") >= 3; }, 10s));
  EXPECT_LE(scalar("SELECT count(*) FROM tasks WHERE status IN ('pending', 'active')"), 1);
}

// Two live workers under one name would share one lease owner: the second
// is refused with what to do, and the first keeps its connection.
TEST_F(Cluster, ASecondWorkerWithTheSameNameIsRefused) {
  start_hub();
  auto& first = start_worker("same", 1);
  workers["twin"] = std::make_unique<test::Daemon>(
      std::vector<std::string>{"--config", config("twin", 1), "--role", "worker", "--hub", hub_addr, "--node-name",
                               "same", "--insecure"},
      dir.file("twin.log"));
  auto& twin = *workers["twin"];
  EXPECT_TRUE(test::wait_for([&] { return twin.log().find("give each worker its own --node-name") != std::string::npos; },
                             10s))
      << twin.log();
  add_tasks(3, "t");
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 3; }, 10s));
  EXPECT_EQ(first.log().find("hub-link: cut off"), std::string::npos) << first.log();
  EXPECT_EQ(twin.log().find("connected to the hub"), std::string::npos) << twin.log();
}

// A peer without a certificate from the cluster CA is refused before any
// message is handled: one with a certificate from another CA, and one that
// speaks plain TCP. arcd refuses to start in cluster mode without its TLS
// files unless --insecure.
TEST_F(Cluster, PeersWithoutAClusterCertificateAreRefused) {
  Pki pki{dir.path()};
  pki.ca("ca");
  pki.ca("other");
  pki.cert("ca", "hub");
  pki.cert("ca", "good");
  pki.cert("other", "evil");
  start_hub(pki.args("ca", "hub"));
  // The evil worker's certificate is valid, but from another CA.
  auto& evil = start_worker("evil", 1, pki.args("other", "evil"), false);
  auto& plain = start_worker("plain", 1, {"--insecure"}, false);
  auto& good = start_worker("good", 1, pki.args("ca", "good"));
  add_tasks(3, "t");
  ASSERT_TRUE(test::wait_for([&] { return count("completed") == 3; }, 15s));
  EXPECT_TRUE(test::wait_for([&] { return evil.log().find("cannot reach the hub") != std::string::npos; }, 10s));
  EXPECT_TRUE(test::wait_for([&] { return plain.log().find("cannot reach the hub") != std::string::npos; }, 10s));
  for (auto* w : {&evil, &plain}) EXPECT_EQ(w->log().find("connected to the hub"), std::string::npos) << w->log();
  EXPECT_EQ(hub->log().find("worker evil"), std::string::npos);
  EXPECT_EQ(hub->log().find("worker plain"), std::string::npos);
  for (auto& [id, nodes] : starts()) EXPECT_EQ(nodes, (std::vector<std::string>{"good"}));
  // The refused peers keep trying (up to once a second): ten failed
  // handshakes each do not disturb the good worker's connection (they did,
  // before apps/arcd/openssl_error_queue.cpp).
  EXPECT_TRUE(test::wait_for([&] { return evil.log().find("attempt 10,") != std::string::npos; }, 15s)) << evil.log();
  auto g = good.log();
  EXPECT_EQ(g.find("hub-link: cut off"), std::string::npos) << g;
  EXPECT_EQ(scalar("SELECT count(*) FROM cluster_nodes WHERE name IN ('evil', 'plain')"), 0);
  // arcd hands CAF in-memory copies of the files it checked: the hub's files
  // changing under it (a rotation half done) does not abort it at the next
  // connection, as CAF's module would when it re-reads them.
  pki.cert("ca", "late");
  std::ofstream(dir.file("hub.key"), std::ios::trunc) << "not a key\n";
  std::filesystem::remove(dir.file("hub.pem"));
  start_worker("late", 1, pki.args("ca", "late"));
  EXPECT_TRUE(hub->alive()) << hub->log();
  // No TLS files and no --insecure: a clear error, before anything starts.
  test::Daemon bare({"--config", config("bare", 1), "--role", "worker", "--hub", hub_addr}, dir.file("bare.log"));
  EXPECT_EQ(bare.wait_exit(), 2);
  EXPECT_NE(bare.log().find("no certificate file given"), std::string::npos) << bare.log();
  test::Daemon mixed({"--config", config("mixed", 1), "--role", "worker", "--hub", hub_addr, "--tls-cert",
                      dir.file("evil.pem"), "--tls-key", dir.file("evil.key"), "--tls-ca", dir.file("ca.pem")},
                     dir.file("mixed.log"));
  EXPECT_EQ(mixed.wait_exit(), 2);
  EXPECT_NE(mixed.log().find("is not signed by the CA"), std::string::npos) << mixed.log();
}

}  // namespace
}  // namespace arc
