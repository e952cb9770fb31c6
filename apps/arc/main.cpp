// arc: the command-line interface. Works whether arcd runs or not: it opens
// the same database (WAL lets both write) through storage/.
#include <cstdlib>
#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/config.hpp"
#include "core/version.hpp"
#include "storage/schema.hpp"

namespace arc::cli {

std::unique_ptr<Db> Context::open() {
  // --config names the database; inside a run, $ARC_DB does (absolute,
  // where the run's working folder would misplace a relative one).
  if (const char* why = std::getenv("ARC_NO_DATABASE"); why && database.empty() && config.empty())
    throw UsageError(std::string("no database here: ") + why + " (give --db or --config to use one)");
  if (database.empty() && !config.empty()) database = load_config(config).database;
  if (database.empty() && std::getenv("ARC_DB")) database = std::getenv("ARC_DB");
  if (database.empty() && std::getenv("ARC_CONFIG")) database = load_config(std::getenv("ARC_CONFIG")).database;
  if (database.empty()) database = "arc.db";
  OpenOptions o;
  o.busy_timeout_ms = 10'000;
  return open_database(database, o);
}

Config Context::load() {
  if (!config.empty()) return load_config(config);
  if (const char* env = std::getenv("ARC_CONFIG"); env && *env) return load_config(env);
  return parse_config("", "");
}

}  // namespace arc::cli

int main(int argc, char** argv) {
  using namespace arc::cli;
  CLI::App app{"arc: manage the tasks of an arc-runtime (docs/operator-guide.md)"};
  app.require_subcommand(1);
  Context ctx;
  app.add_option("--db", ctx.database, "database file (default: $ARC_DB, or the config's, or arc.db)");
  app.add_option("--config", ctx.config, "arcd's config file, to find its database");
  app.set_version_flag("--version", std::string("arc ") + arc::version() + " (" + arc::git_revision() + ")");
  add_tasks_commands(app, ctx);
  add_status_command(app, ctx);
  add_dispatch_command(app, ctx);
  add_triage_commands(app, ctx);
  add_sensors_command(app, ctx);
  add_trace_command(app, ctx);
  add_doctor_command(app, ctx);
  add_nodes_command(app, ctx);
  add_agent_commands(app, ctx);
  add_import_command(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const UsageError& e) {
    std::cerr << "arc: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "arc: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
