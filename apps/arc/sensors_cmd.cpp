// arc sensors list|run|pause|resume
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/config.hpp"
#include "core/time_text.hpp"
#include "storage/sensor_store.hpp"
#include "storage/views.hpp"

namespace arc::cli {
void add_sensors_command(CLI::App& app, Context& ctx) {
  auto* sensors = app.add_subcommand("sensors", "list, run, pause or resume sensors");
  sensors->require_subcommand(1);
  auto* list = sensors->add_subcommand("list", "cadence, last and next run, result, streak, paused-until");
  list->add_flag("--json", ctx.json, "print JSON");
  list->callback([&ctx] {
    auto db = ctx.open();
    std::map<std::string, SensorConfig> configured;
    if (!ctx.config.empty()) configured = load_config(ctx.config).sensors;
    auto view = sensors_view(*db, configured, system_clock().now_ms());
    if (ctx.json) {
      std::cout << view.dump() << "\n";
      return;
    }
    auto text = [](const nlohmann::json& v) { return v.is_null() ? std::string("-") : v.get<std::string>(); };
    auto when = [&](const nlohmann::json& v) { return text(v).substr(0, 19); };
    std::printf("%-14s %-7s %-19s %-19s %-6s %s\n", "NAME", "EVERY", "LAST RUN", "NEXT RUN", "STREAK", "RESULT / PAUSED");
    for (auto& r : view) {
      std::string state = r["paused_until"].is_null()
                              ? r["last_result"].get<std::string>()
                              : "paused until " + when(r["paused_until"]) + ": " + text(r["paused_reason"]);
      std::printf("%-14s %-7s %-19s %-19s %-6lld %s\n", r["name"].get<std::string>().c_str(), text(r["cadence"]).c_str(),
                  when(r["last_run"]).c_str(), when(r["next_run"]).c_str(), r["streak"].get<long long>(),
                  state.substr(0, 100).c_str());
    }
    if (ctx.config.empty()) std::printf("(pass --config to see the cadence and sensors that have not run yet)\n");
  });
  auto name = std::make_shared<std::string>();
  auto until = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  auto* run = sensors->add_subcommand("run", "run a sensor once now (arcd picks it up within a second)");
  run->add_option("--name", *name, "sensor name")->required();
  run->callback([&ctx, name] {
    auto db = ctx.open();
    std::string why = sensor_run_now(*db, *name, system_clock().now_ms());
    if (!why.empty()) throw UsageError(why);
    std::cout << "sensor " << *name << " will run within a second\n";
  });
  auto* pause = sensors->add_subcommand("pause", "pause a sensor");
  pause->add_option("--name", *name, "sensor name")->required();
  pause->add_option("--until", *until, "ISO-8601 time or +DURATION (default: until resumed)");
  pause->add_option("--reason", *reason, "why");
  pause->callback([&ctx, name, until, reason] {
    millis now = system_clock().now_ms();
    millis end = now + 100LL * 365 * 86'400'000;
    if (!until->empty()) {
      auto t = parse_when(*until, now);
      if (!t || *t <= now) throw UsageError("--until: give a future ISO-8601 time or +DURATION (+2h)");
      end = *t;
    }
    auto db = ctx.open();
    std::string why = sensor_pause(*db, *name, end, *reason);
    if (!why.empty()) throw UsageError(why);
    std::cout << "sensor " << *name << " paused" << (until->empty() ? "" : " until " + format_iso_utc(end)) << "\n";
  });
  auto* resume = sensors->add_subcommand("resume", "resume a paused sensor");
  resume->add_option("--name", *name, "sensor name")->required();
  resume->callback([&ctx, name] {
    auto db = ctx.open();
    std::string why = sensor_resume(*db, *name);
    if (!why.empty()) throw UsageError(why);
    std::cout << "sensor " << *name << " resumed\n";
  });
}

}  // namespace arc::cli
