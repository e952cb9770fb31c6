// arcd: the runtime. Start-up order (ARCHITECTURE.md): instance lock,
// open/migrate the database, record this incarnation and the downtime gap,
// recover orphans, age out expired tasks, then start the actors.
// SIGTERM/SIGINT stop it gracefully. `--role hub|worker` runs it as one
// node of a cluster (docs/cluster.md); a worker has no database and skips
// everything before the actors.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "actors/runtime.hpp"
#include "core/agent_launch.hpp"
#include "core/config.hpp"
#include "core/proc_scan.hpp"
#include "core/process.hpp"
#include "core/sd_notify.hpp"
#include "core/tls_files.hpp"
#include "core/time_text.hpp"
#include "core/version.hpp"
#include "http/server.hpp"
#include "http/token.hpp"
#include "storage/instance_lock.hpp"
#include "storage/recovery.hpp"
#include "storage/schema.hpp"

namespace {

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("arcd");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  spdlog::set_default_logger(logger);
  auto lvl = spdlog::level::from_str(level);
  if (lvl == spdlog::level::off && level != "off") {
    spdlog::warn("unknown log_level \"{}\"; using info", level);
    lvl = spdlog::level::info;
  }
  spdlog::set_level(lvl);
  spdlog::flush_on(spdlog::level::info);
}

std::string beside_database(const std::string& db, const std::string& file) {
  if (!std::filesystem::path(file).is_relative()) return file;
  return (std::filesystem::path(db).parent_path() / file).string();
}

// The HTTP server (off unless [http] listen or --http is set); throws with
// what to do when it cannot start.
std::unique_ptr<arc::http::Server> start_http(const arc::Config& cfg, std::shared_ptr<const arc::RuntimeStats> stats) {
  if (cfg.http.listen.empty()) return nullptr;
  auto addr = arc::parse_listen(cfg.http.listen);
  if (!addr) throw std::runtime_error("http: cannot read listen address \"" + cfg.http.listen + "\"; give HOST:PORT");
  arc::http::ServerOptions o;
  o.database = cfg.database;
  o.host = addr->first;
  o.port = addr->second;
  std::string token_file = beside_database(cfg.database, cfg.http.token_file);
  o.token = arc::http::load_or_create_token(token_file);
  o.max_body_bytes = cfg.http.max_body_bytes;
  o.max_event_streams = cfg.http.max_event_streams;
  o.gate = cfg.gate;
  o.budget = cfg.budget;
  o.sensors = cfg.sensors;
  o.stats = std::move(stats);
  auto server = std::make_unique<arc::http::Server>(o);
  server->start();
  spdlog::info("http: dashboard and API on http://{}:{}/ (writes need the token in {})", o.host, server->port(),
               token_file);
  if (!arc::http::is_loopback(o.host))
    spdlog::warn("http: listening on {}, beyond this host, without TLS: put a TLS proxy in front", o.host);
  return server;
}

// Pings the systemd watchdog while the actors answer the heartbeat: it stops
// pinging once they have not answered for half the watchdog period, so
// systemd restarts an arcd whose actors hung for about one period.
class Watchdog {
 public:
  explicit Watchdog(arc::millis period) : period_(period) {}
  bool enabled() const { return period_ > 0; }
  // Several beats per half period, at most one a second.
  arc::millis heartbeat_interval() const { return period_ ? std::clamp<arc::millis>(period_ / 4, 50, 1000) : 1000; }
  arc::millis poll_interval() const { return period_ ? std::min<arc::millis>(200, period_ / 4) : 200; }

  void tick(const arc::RuntimeStats& stats) {
    if (!period_) return;
    int64_t now = arc::steady_now_ms(), beat = stats.heartbeat_ms.load();
    if (beat == 0) beat = started_;  // the first beat is on its way
    if (now - beat >= period_ / 2) {
      if (!warned_)
        spdlog::error("watchdog: the actors have not answered the heartbeat for {} ms; not pinging systemd, "
                      "which restarts arcd after {} ms without a ping",
                      now - beat, period_);
      warned_ = true;
      return;
    }
    if (warned_) spdlog::info("watchdog: the heartbeat is back");
    warned_ = false;
    if (now - last_ping_ >= period_ / 4) {
      arc::sd_notify("WATCHDOG=1");
      last_ping_ = now;
    }
  }

 private:
  arc::millis period_;
  int64_t started_ = arc::steady_now_ms(), last_ping_ = 0;
  bool warned_ = false;
};

// What is wrong with the cluster options, or "" (CLI flags already applied).
// The TLS files are read once here and replaced by their checked copies.
std::string check_cluster_options(arc::Config& cfg) {
  auto& c = cfg.cluster;
  if (c.role == arc::NodeRole::single) return "";
  if (c.role == arc::NodeRole::hub && !arc::parse_listen(c.listen))
    return "a hub needs --listen HOST:PORT (or [cluster] listen) to accept workers on";
  if (c.role == arc::NodeRole::worker) {
    if (!arc::parse_listen(c.hub)) return "a worker needs --hub HOST:PORT (or [cluster] hub)";
    if (!cfg.http.listen.empty())
      return "a worker serves no HTTP API (it has no database); use the hub's ([http] listen there)";
  }
  if (c.insecure) return "";
  // CAF gets sealed copies of what was checked (core/tls_files.hpp).
  try {
    auto pinned = arc::load_tls_files({c.certificate, c.key, c.cafile});
    c.certificate = pinned.certificate;
    c.key = pinned.key;
    c.cafile = pinned.cafile;
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arcd: the arc-runtime daemon (durable task queue, dispatcher, supervisor)"};
  std::string config_path, database, log_level, trace_file, http_listen;
  int slots = 0;
  bool version = false;
  std::string role, listen, hub, node_name, tls_cert, tls_key, tls_ca;
  bool insecure = false;
  app.add_option("--config", config_path, "TOML config file (docs/config.md); defaults without");
  app.add_option("--database", database, "SQLite database file (overrides arcd.database)");
  app.add_option("--slots", slots, "concurrent tasks (overrides arcd.slots; on a hub, cluster.hub_slots)")
      ->check(CLI::Range(0, 256));
  app.add_option("--role", role, "single (default), hub or worker (docs/cluster.md)")
      ->check(CLI::IsMember({"single", "hub", "worker"}));
  app.add_option("--listen", listen, "hub: accept workers on HOST:PORT (cluster.listen)");
  app.add_option("--hub", hub, "worker: the hub's HOST:PORT (cluster.hub)");
  app.add_option("--node-name", node_name, "this node's name in the cluster (arcd.node_name)");
  app.add_option("--tls-cert", tls_cert, "this node's certificate, PEM (cluster.certificate)");
  app.add_option("--tls-key", tls_key, "its private key, PEM (cluster.key)");
  app.add_option("--tls-ca", tls_ca, "the cluster CA's certificate, PEM (cluster.cafile)");
  app.add_flag("--insecure", insecure, "cluster over plain TCP: no encryption, no peer authentication");
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
  app.add_option("--trace", trace_file, "trace every actor message to FILE (docs/trace-format.md)");
  app.add_option("--http", http_listen, "serve the API, dashboard and /metrics on HOST:PORT (overrides [http] listen)");
  app.add_flag("--version", version, "print the version and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (version) {
    std::cout << "arcd " << arc::version() << " (" << arc::git_revision() << ")\n";
    return 0;
  }
  arc::Config cfg;
  try {
    if (!config_path.empty()) cfg = arc::load_config(config_path);
  } catch (const std::exception& e) {
    std::cerr << "arcd: " << e.what() << "\n";
    return 2;
  }
  if (!database.empty()) cfg.database = database;
  auto& cl = cfg.cluster;
  if (!role.empty()) cl.role = *arc::parse_node_role(role);  // --role is checked to be one of the three
  if (!listen.empty()) cl.listen = listen;
  if (!hub.empty()) cl.hub = hub;
  if (!node_name.empty()) cfg.node_name = node_name;
  if (!tls_cert.empty()) cl.certificate = tls_cert;
  if (!tls_key.empty()) cl.key = tls_key;
  if (!tls_ca.empty()) cl.cafile = tls_ca;
  if (insecure) cl.insecure = true;
  if (cl.role == arc::NodeRole::hub) {
    // The hub runs tasks itself only if told to.
    cfg.slots = app.count("--slots") ? slots : cl.hub_slots;
  } else if (app.count("--slots")) {
    if (slots == 0) {
      std::cerr << "arcd: --slots 0 is only for a hub (one that runs no tasks itself)\n";
      return 2;
    }
    cfg.slots = slots;
  }
  if (!http_listen.empty()) {
    if (!arc::parse_listen(http_listen)) {
      std::cerr << "arcd: --http: give HOST:PORT, e.g. 127.0.0.1:7474\n";
      return 2;
    }
    cfg.http.listen = http_listen;
  }
  if (std::string why = check_cluster_options(cfg); !why.empty()) {
    std::cerr << "arcd: " << why << "\n";
    return 2;
  }
  if (!log_level.empty()) cfg.log_level = log_level;
  if (cfg.node_name.empty()) cfg.node_name = host_name();
  if (!trace_file.empty()) cfg.trace.enabled = true, cfg.trace.file = trace_file;
  else cfg.trace.file = beside_database(cfg.database, cfg.trace.file);
  setup_logging(cfg.log_level);

  // Signals are taken synchronously by this thread (sigtimedwait); every
  // thread started from here on inherits the blocked mask.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<arc::InstanceLock> lock;
  std::string incarnation = arc::make_incarnation_id(cfg.node_name);
  const bool worker = cfg.cluster.role == arc::NodeRole::worker;
  if (cfg.cluster.role != arc::NodeRole::single && cfg.cluster.insecure)
    spdlog::warn("cluster: --insecure: plain TCP, any peer that reaches {} is trusted",
                 worker ? cfg.cluster.hub : cfg.cluster.listen);
  if (!worker) try {
    lock = std::make_unique<arc::InstanceLock>(cfg.database);
    arc::OpenOptions oo;
    oo.synchronous = cfg.synchronous;
    oo.busy_timeout_ms = static_cast<int>(cfg.busy_timeout_ms);
    auto db = arc::open_database(cfg.database, oo);
    arc::millis kill_grace = 5000;
    auto r = arc::run_startup(*db, arc::system_clock(), incarnation, cfg.node_name, kill_grace, &cfg.gate);
    if (!r.previous_incarnation.empty())
      spdlog::info("start-up: previous run {} {} {} ago", r.previous_incarnation,
                   r.previous_stopped_cleanly ? "stopped cleanly" : "died (no clean stop)",
                   arc::format_age(r.gap_ms));
    spdlog::info("start-up: orphans requeued {}, orphans failed {}, stray executor groups killed "
                 "{}, expired {}",
                 r.orphans_requeued, r.orphans_failed, r.stray_groups_killed, r.expired);
    spdlog::info("start-up: gate {}{}", r.gate_state,
                 r.gate_resumed ? " (its reset time passed while arcd was down: resumed)" : "");
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }

  if (worker) {
    // A worker's start-up recovery: executors its killed predecessor left
    // running would otherwise run beside the re-runs of their tasks.
    int killed = 0;
    for (pid_t g : arc::find_executor_groups(arc::dead_incarnations_of(cfg.node_name)))
      killed += arc::kill_process_group(g, 5000) ? 1 : 0;
    spdlog::info("start-up: worker {}: stray executor groups killed {}", cfg.node_name, killed);
  }
  auto shared_cfg = std::make_shared<const arc::Config>(cfg);
  arc::Runtime runtime(shared_cfg, arc::system_clock(), incarnation);
  Watchdog watchdog(arc::sd_watchdog_period_ms());
  runtime.set_heartbeat_interval(watchdog.heartbeat_interval());
  std::unique_ptr<arc::http::Server> http;
  try {
    http = start_http(cfg, runtime.stats());  // before any work starts: a bad address stops here
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  try {
    runtime.start();
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  std::string skills;
  for (auto& [name, s] : cfg.skills)
    if (!s.command.empty() || s.builtin_shell) skills += (skills.empty() ? "" : ", ") + name;
  if (worker)
    spdlog::info("arcd ready: worker {} of the hub at {}, {} slot(s), skills [{}], incarnation {}", cfg.node_name,
                 cfg.cluster.hub, cfg.slots, skills, incarnation);
  else
    spdlog::info("arcd ready: {}database {}, {} slot(s), skills [{}], incarnation {}",
                 cfg.cluster.role == arc::NodeRole::hub ? "hub, " : "", cfg.database, cfg.slots, skills, incarnation);

  if (cfg.claude.enabled) {
    // Said now, not when the first task fails: a missing binary or home stops the gate.
    std::string binary = arc::find_binary(cfg.claude.binary);
    arc::AgentHome home(cfg.agent.root);
    std::string home_problem = cfg.agent.root.empty() ? "" : home.check();
    spdlog::info("agent: home {}{}; Claude Code {}", cfg.agent.root.empty() ? "(none)" : cfg.agent.root,
                 home_problem.empty() ? " (" + std::to_string(home.skills().size()) + " skills)" : "",
                 binary.empty() ? cfg.claude.binary + " NOT FOUND" : binary);
    if (!home_problem.empty()) spdlog::warn("agent: {}", home_problem);
    if (binary.empty())
      spdlog::warn("agent: the Claude Code binary \"{}\" is not found (PATH, or [claude] binary): the first agent "
                   "task will stop the gate; install it (npm install -g @anthropic-ai/claude-code)",
                   cfg.claude.binary);
  }
  arc::sd_notify("READY=1\nSTATUS=dispatching");
  if (watchdog.enabled()) spdlog::info("watchdog: systemd expects a ping every {} ms", arc::sd_watchdog_period_ms());

  int exit_code = 0;
  for (;;) {
    watchdog.tick(*runtime.stats());
    timespec ts{0, static_cast<long>(watchdog.poll_interval()) * 1'000'000};
    int sig = sigtimedwait(&sigs, nullptr, &ts);
    if (sig > 0) {
      spdlog::info("received {}: stopping gracefully (grace {} s)", strsignal(sig),
                   cfg.shutdown_grace_ms / 1000);
      break;
    }
    if (int code = runtime.escalated()) {
      exit_code = code;
      break;
    }
  }
  arc::sd_notify("STOPPING=1");
  if (http) http->stop();
  runtime.stop(exit_code ? 0 : cfg.shutdown_grace_ms);
  if (!worker) try {
    auto db = arc::open_database(cfg.database, {});
    arc::mark_stopped(*db, incarnation, arc::system_clock().now_ms());
  } catch (const std::exception& e) {
    spdlog::error("could not record the clean stop: {}", e.what());
  }
  spdlog::info("arcd stopped{}", exit_code ? " after the supervisor gave up" : "");
  return exit_code;
}
