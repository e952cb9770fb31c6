// Shared pieces of the `arc` CLI: where the database is, and how errors end.
#pragma once
#include <CLI/CLI.hpp>

#include <memory>
#include <stdexcept>
#include <string>

#include "core/config.hpp"
#include "storage/db.hpp"

namespace arc::cli {

// Bad input (unknown id, invalid value): exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Context {
  std::string database;  // resolved: --db, else --config's arcd.database, else $ARC_DB, else arc.db
  std::string config;    // --config, else $ARC_CONFIG (arcd sets both in every executor)
  bool json = false;
  std::unique_ptr<Db> open();
  // The config file's settings (defaults when there is none).
  Config load();
};

void add_tasks_commands(CLI::App& app, Context& ctx);
void add_status_command(CLI::App& app, Context& ctx);
void add_dispatch_command(CLI::App& app, Context& ctx);
void add_triage_commands(CLI::App& app, Context& ctx);
void add_sensors_command(CLI::App& app, Context& ctx);
void add_trace_command(CLI::App& app, Context& ctx);
void add_doctor_command(CLI::App& app, Context& ctx);
void add_nodes_command(CLI::App& app, Context& ctx);
void add_agent_commands(CLI::App& app, Context& ctx);   // skills, runs
void add_import_command(CLI::App& app, Context& ctx);

}  // namespace arc::cli
