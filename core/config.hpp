// arcd's configuration: a TOML file (docs/config.md is the reference).
// Every field has a default that works with no file at all.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "core/agent_config.hpp"
#include "core/clock.hpp"
#include "core/gate.hpp"
#include "core/sensor_schedule.hpp"

namespace arc {

// How a skill's executor is run.
struct SkillConfig {
  std::string name;
  std::vector<std::string> command;  // argv; never passed through a shell
  millis timeout_ms = 30 * 60'000;
  millis kill_grace_ms = 5'000;
  size_t output_cap_bytes = 1 << 20;
  std::string format = "arc";  // "arc": last-line JSON protocol
  std::string cwd;             // empty = arcd's working directory
  bool builtin_shell = false;  // the `shell` skill: the description is the argv
};

struct RetryPolicy {
  millis base_ms = 10'000;
  millis max_ms = 10 * 60'000;
};

struct SupervisorPolicy {
  int max_restarts = 5;          // restart intensity ...
  millis period_ms = 60'000;     // ... within this period
  millis backoff_min_ms = 100;   // delay before the first restart, doubled per restart
  millis backoff_max_ms = 5'000;
  int jitter_percent = 20;       // each delay is spread by up to this much either way
  int tree_restarts = 1;         // past a child's intensity: restart the whole tree this often
                                 // within period_ms, then escalate (arcd exits 70)
};

// `first` doubled for each try after the first (`nth` is 1-based), never
// more than `cap`: the one doubling backoff (restarts, failed claims).
millis doubling_delay(millis first, millis cap, int nth);

// doubling_delay spread by up to jitter_percent either way, so that many
// retrying at once (workers reconnecting, actors restarting) do not stay in
// lockstep; `u` is a uniform random number in [0, 1).
millis jittered_delay(millis first, millis cap, int nth, int jitter_percent, double u);

// The delay before the `nth` restart (1-based) within the period: doubling
// from backoff_min_ms up to backoff_max_ms, spread by the jitter.
millis restart_delay(const SupervisorPolicy& p, int nth, double u);

// Failure triage (docs/triage.md).
struct TriageConfig {
  millis cadence_ms = 60'000;          // scan this often ...
  int burst = 50;                      // ... and at once after this many failures
  int outage_threshold = 200;          // failures within outage_window_ms, whatever their text,
  millis outage_window_ms = 2 * 3'600'000;  // are one outage incident
  millis quiet_ms = 30 * 60'000;       // an outage incident closes after this long without failures
  double similarity = 0.5;             // template mining: share of equal tokens to join a pattern
  int investigate_after = 3;           // a pattern with this many failures ...
  millis investigate_period_ms = 24 * 3'600'000;  // ... within this period gets one investigation
  int investigation_priority = 4;
  std::vector<std::string> investigation_skills;
  bool incident_summary_task = false;  // one summary task per outage incident
  int64_t scan_chunk = 200'000;        // failures one scan reads (not in the file: tests lower it)
};

// Message tracing (docs/trace-format.md).
struct TraceConfig {
  bool enabled = false;              // at start; `arc trace on|off` switches at run time
  std::string file = "arc-trace.jsonl";  // relative paths are beside the database
  uint64_t max_bytes = 64ull << 20;  // rotate at this size ...
  int keep = 3;                      // ... keeping this many older files
};

// The HTTP API, dashboard and metrics (docs/http-api.md). Off unless
// `listen` is set.
struct HttpConfig {
  std::string listen;                        // "127.0.0.1:7474"; empty = off
  std::string token_file = "arcd-http.token";  // bearer token for writes; beside the database when relative
  int64_t max_body_bytes = 64 << 10;        // larger request bodies get 413
  int max_event_streams = 16;               // concurrent GET /api/events clients
};

// Multi-node mode (docs/cluster.md). `role` single (the default) is one arcd
// with its own database; a hub owns the database and the queue, gate and
// triage; workers run tasks they claim from the hub over CAF's network layer.
enum class NodeRole : uint8_t { single, hub, worker };
const char* to_string(NodeRole r);
std::optional<NodeRole> parse_node_role(std::string_view text);

struct ClusterConfig {
  NodeRole role = NodeRole::single;
  std::string listen;            // hub: "HOST:PORT" it accepts workers on
  std::string hub;               // worker: "HOST:PORT" of the hub
  std::string certificate, key, cafile;  // TLS (PEM): required unless insecure
  bool insecure = false;         // plain TCP, no peer authentication (tests, a trusted loopback)
  int hub_slots = 0;             // tasks the hub runs itself (0: none; run a worker beside it)
  millis reconnect_max_ms = 5'000;  // a worker's reconnect backoff doubles up to this
  millis request_timeout_ms = 5'000;  // a worker's requests to the hub
};

// "HOST:PORT" (an IPv4 address or a name; port 0..65535) -> {host, port};
// nullopt when it cannot be read.
std::optional<std::pair<std::string, int>> parse_listen(const std::string& text);

// One sensor (docs/sensors.md).
struct SensorConfig {
  std::string name;
  std::string kind = "script";          // script | health | stale-tasks
  std::vector<std::string> command;     // script: argv printing JSON task lines
  SensorCadence cadence;
  millis timeout_ms = 60'000;
  millis kill_grace_ms = 5'000;
  size_t output_cap_bytes = 1 << 20;
  int failure_threshold = 3;            // failures in a row that raise a health task
  std::vector<GuardWindow> guards;
  // health: what raises an alert task
  millis gate_stopped_alert_ms = 60 * 60'000;
  int queue_depth_alert = 500;
  int disk_free_percent_alert = 5;
};

struct Config {
  std::string source_path;  // the file it was read from; empty = defaults
  std::string database = "arc.db";
  std::string synchronous = "full";  // SQLite synchronous: full | normal
  int slots = 1;
  millis lease_ms = 60'000;        // a claim's lease; renewed every lease/3
  millis poll_ms = 250;            // idle re-check for new tasks (CLI writes)
  millis prefetch_ms = 5;          // claim ahead the runs the slots get through in this long (0: never)
  millis shutdown_grace_ms = 30'000;
  millis busy_timeout_ms = 5'000;
  std::string log_level = "info";
  std::string node_name;           // default: host name
  std::string default_skill;       // for tasks with no skills; empty = first skill
  RetryPolicy retry;
  SupervisorPolicy supervisor;
  // [supervisor.children.NAME]: a child's own policy (NAME: persistence,
  // queue, gate, triage, dispatcher, tracer, sensors, or sensor:NAME).
  std::map<std::string, SupervisorPolicy> supervisor_children;
  GateConfig gate;
  TriageConfig triage;
  TraceConfig trace;
  HttpConfig http;
  ClusterConfig cluster;
  std::map<std::string, SensorConfig> sensors;
  std::map<std::string, SkillConfig> skills;
  AgentConfig agent;
  ClaudeConfig claude;
  BudgetConfig budget;
};

// Reads and validates a config file. Throws std::runtime_error whose message
// names the file, the key and what is wrong.
Config load_config(const std::string& path);

// Parses config text (path is only used in messages).
Config parse_config(const std::string& text, const std::string& path);

// The executor skill for a task with these skills, or nullptr with `why` set.
const SkillConfig* pick_skill(const Config& cfg, const std::vector<std::string>& task_skills,
                              std::string& why);

}  // namespace arc
