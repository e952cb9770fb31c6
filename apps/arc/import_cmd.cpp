// arc import arc-starter FILE: an Arc agent's database into this one.
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/arc/cli.hpp"
#include "storage/arc_import.hpp"

namespace arc::cli {

void add_import_command(CLI::App& app, Context& ctx) {
  auto* imp = app.add_subcommand("import", "bring another runtime's tasks in");
  imp->require_subcommand(1);
  auto* arc = imp->add_subcommand("arc-starter", "an Arc agent's database (db/arc.sqlite): tasks with their status, "
                                                 "times, source, skills, parent, model, cost, tokens; cycles as runs");
  auto file = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  arc->add_option("file", *file, "the Arc database, e.g. ~/arc-starter/db/arc.sqlite")->required()->check(CLI::ExistingFile);
  arc->add_flag("--into-non-empty", *force, "import into a database that has tasks (Arc's ids are shifted past its own)");
  arc->add_flag("--json", ctx.json, "print JSON");
  arc->callback([&ctx, file, force] {
    auto db = ctx.open();
    ImportReport r;
    try {
      r = import_arc_starter(*file, *db, system_clock(), *force);
    } catch (const std::runtime_error& e) {
      throw UsageError(e.what());
    }
    if (ctx.json) {
      std::cout << nlohmann::json{{"tasks", r.tasks},
                                  {"by_status", r.tasks_by_status},
                                  {"runs", r.runs},
                                  {"id_offset", r.id_offset},
                                  {"requeued_active", r.requeued_active},
                                  {"unmapped", r.unmapped}}
                       .dump()
                << "\n";
      return;
    }
    std::printf("imported %lld tasks from %s into %s", static_cast<long long>(r.tasks), file->c_str(),
                ctx.database.c_str());
    for (auto& [s, n] : r.tasks_by_status) std::printf("%s %s %lld", s == r.tasks_by_status.begin()->first ? ":" : ",",
                                                       s.c_str(), static_cast<long long>(n));
    std::printf("\nimported %lld cycles as runs\n", static_cast<long long>(r.runs));
    if (r.id_offset) std::printf("Arc's task ids are shifted by %lld\n", static_cast<long long>(r.id_offset));
    if (r.requeued_active)
      std::printf("%lld tasks were active (their cycle died with Arc): pending again\n",
                  static_cast<long long>(r.requeued_active));
    if (!r.unmapped.empty()) std::printf("not carried over as they were:\n");
    for (auto& u : r.unmapped) std::printf("  %s\n", u.c_str());
  });
}

}  // namespace arc::cli
