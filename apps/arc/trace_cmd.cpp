// arc trace on|off|status: switches arcd's message tracing at run time
// (the tracer reads the "trace" setting every second).
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/clock.hpp"
#include "storage/settings.hpp"
#include "storage/task_store.hpp"

namespace arc::cli {

void add_trace_command(CLI::App& app, Context& ctx) {
  auto* trace = app.add_subcommand("trace", "message tracing in a running arcd: on, off, status");
  trace->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* on = trace->add_subcommand("on", "start tracing (to --file, else arcd's [trace] file)");
  on->add_option("--file", *file, "trace file (made absolute; read it with arc-trace)");
  on->callback([&ctx, file] {
    auto db = ctx.open();
    std::string value = "on";
    if (!file->empty()) value += ":" + std::filesystem::absolute(*file).string();
    in_transaction(*db, [&] { set_setting(*db, "trace", value, system_clock().now_ms()); });
    std::printf("tracing: on%s; arcd applies it within a second.\n",
                file->empty() ? "" : (" (" + value.substr(3) + ")").c_str());
  });
  trace->add_subcommand("off", "stop tracing")->callback([&ctx] {
    auto db = ctx.open();
    in_transaction(*db, [&] { set_setting(*db, "trace", "off", system_clock().now_ms()); });
    std::printf("tracing: off; arcd applies it within a second.\n");
  });
  auto* status = trace->add_subcommand("status", "what `arc trace` last asked for");
  status->add_flag("--json", ctx.json, "print JSON");
  status->callback([&ctx] {
    auto db = ctx.open();
    std::string v = get_setting(*db, "trace").value;
    if (ctx.json) {
      std::cout << nlohmann::json{{"setting", v.empty() ? nlohmann::json(nullptr) : nlohmann::json(v)}}.dump() << "\n";
      return;
    }
    std::printf("trace switch: %s\n", v.empty() ? "never set (arcd follows its config and --trace)" : v.c_str());
  });
}

}  // namespace arc::cli
