// arcd: the single-node runtime. Start-up order (ARCHITECTURE.md): instance
// lock, open/migrate the database, record this incarnation and the downtime
// gap, recover orphans, age out expired tasks, then start the actors.
// SIGTERM/SIGINT stop it gracefully.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "actors/runtime.hpp"
#include "core/config.hpp"
#include "core/time_text.hpp"
#include "core/version.hpp"
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arcd: the arc-runtime daemon (durable task queue, dispatcher, supervisor)"};
  std::string config_path, database, log_level, trace_file;
  int slots = 0;
  bool version = false;
  app.add_option("--config", config_path, "TOML config file (docs/config.md); defaults without");
  app.add_option("--database", database, "SQLite database file (overrides arcd.database)");
  app.add_option("--slots", slots, "concurrent tasks (overrides arcd.slots)")->check(CLI::Range(1, 256));
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error");
  app.add_option("--trace", trace_file, "trace every actor message to FILE (docs/trace-format.md)");
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
  if (slots > 0) cfg.slots = slots;
  if (!log_level.empty()) cfg.log_level = log_level;
  if (cfg.node_name.empty()) cfg.node_name = host_name();
  if (!trace_file.empty()) cfg.trace.enabled = true, cfg.trace.file = trace_file;
  else if (std::filesystem::path(cfg.trace.file).is_relative())  // beside the database
    cfg.trace.file = (std::filesystem::path(cfg.database).parent_path() / cfg.trace.file).string();
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
  try {
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

  auto shared_cfg = std::make_shared<const arc::Config>(cfg);
  arc::Runtime runtime(shared_cfg, arc::system_clock(), incarnation);
  runtime.start();
  std::string skills;
  for (auto& [name, s] : cfg.skills)
    if (!s.command.empty() || s.builtin_shell) skills += (skills.empty() ? "" : ", ") + name;
  spdlog::info("arcd ready: database {}, {} slot(s), skills [{}], incarnation {}", cfg.database,
               cfg.slots, skills, incarnation);

  int exit_code = 0;
  for (;;) {
    timespec ts{0, 200'000'000};
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
  runtime.stop(exit_code ? 0 : cfg.shutdown_grace_ms);
  try {
    auto db = arc::open_database(cfg.database, {});
    arc::mark_stopped(*db, incarnation, arc::system_clock().now_ms());
  } catch (const std::exception& e) {
    spdlog::error("could not record the clean stop: {}", e.what());
  }
  spdlog::info("arcd stopped{}", exit_code ? " after the supervisor gave up" : "");
  return exit_code;
}
