// arc nodes: the cluster's hub and workers (docs/cluster.md).
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/time_text.hpp"
#include "storage/views.hpp"

namespace arc::cli {

void add_nodes_command(CLI::App& app, Context& ctx) {
  auto* nodes = app.add_subcommand("nodes", "the cluster's nodes: role, address, slots, running, heartbeat, state");
  nodes->add_flag("--json", ctx.json, "print JSON");
  nodes->callback([&ctx] {
    auto db = ctx.open();
    auto view = nodes_view(*db, system_clock().now_ms());
    if (ctx.json) {
      std::cout << view.dump() << "\n";
      return;
    }
    if (view.empty()) {
      std::printf("no cluster nodes recorded: this database belongs to a single-node arcd (see docs/cluster.md)\n");
      return;
    }
    std::printf("%-16s %-6s %-24s %5s %7s %-10s %s\n", "NAME", "ROLE", "ADDRESS", "SLOTS", "RUNNING", "STATE",
                "LAST HEARTBEAT");
    for (auto& n : view) {
      std::string beat = n["last_heartbeat"].get<std::string>().substr(0, 19) + " (" +
                         format_age(n["heartbeat_age_ms"].get<millis>()) + " ago)";
      std::printf("%-16s %-6s %-24s %5d %7d %-10s %s\n", n["name"].get<std::string>().c_str(),
                  n["role"].get<std::string>().c_str(), n["address"].get<std::string>().c_str(),
                  n["slots"].get<int>(), n["running"].get<int>(), n["state"].get<std::string>().c_str(),
                  beat.c_str());
    }
  });
}

}  // namespace arc::cli
