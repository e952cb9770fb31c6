// arc status: counts per status, active tasks with age, last completions, cost.
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/time_text.hpp"
#include "storage/status_report.hpp"

namespace arc::cli {

void add_status_command(CLI::App& app, Context& ctx) {
  auto* status = app.add_subcommand("status", "queue counts, active tasks, recent results, cost");
  status->add_flag("--json", ctx.json, "print JSON");
  status->callback([&ctx] {
    auto db = ctx.open();
    auto r = build_status(*db, system_clock().now_ms());
    if (ctx.json) {
      std::cout << to_json(r).dump() << "\n";
      return;
    }
    std::printf("arcd: %s\n", r.arcd_pid ? ("running (pid " + std::to_string(r.arcd_pid) + ")").c_str()
                                          : "not running");
    std::printf("tasks:");
    for (auto& [s, n] : r.counts) std::printf("  %s %lld", s.c_str(), static_cast<long long>(n));
    std::printf("\ncost: today $%.4f, this week $%.4f\n", r.cost_today_usd, r.cost_week_usd);
    std::printf("\nactive (%zu):\n", r.active.size());
    for (auto& t : r.active)
      std::printf("  %-7lld %-8s attempt %d/%d  %s\n", static_cast<long long>(t.id),
                  format_age(r.now - t.started_at).c_str(), t.attempts, t.max_attempts,
                  t.subject.substr(0, 70).c_str());
    std::printf("\nrecent:\n");
    for (auto& t : r.recent)
      std::printf("  %-7lld %-9s %s  %s%s%s\n", static_cast<long long>(t.id), t.status.c_str(),
                  format_iso_utc(t.finished_at).substr(0, 19).c_str(), t.subject.substr(0, 50).c_str(),
                  t.summary.empty() ? "" : " — ", t.summary.substr(0, 60).c_str());
  });
}

}  // namespace arc::cli
