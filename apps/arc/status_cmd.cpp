// arc status: counts per status, active tasks with age, last completions, cost.
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/time_text.hpp"
#include "storage/views.hpp"
#include "storage/status_report.hpp"

namespace arc::cli {
namespace {

std::string text(const nlohmann::json& j) { return j.is_string() ? j.get<std::string>() : std::string(); }

// The gate, the budget and open incidents: why nothing runs, first.
void print_what_stops_work(const StatusReport& r) {
  const auto& g = r.gate;
  std::string state = text(g["state"]);
  std::string held = text(g["storage"]["held"]), disk = text(g["storage"]["disk_warning"]);
  if (!held.empty()) std::printf("dispatch: held by %s\n", held.c_str());
  if (!disk.empty()) std::printf("storage:  %s\n", disk.c_str());
  if (state == "running") {
    if (held.empty()) std::printf("dispatch: running\n");
  } else {
    std::printf("dispatch: %s since %s (%s ago)\n", state.c_str(), text(g["since"]["utc"]).substr(0, 19).c_str(),
                format_age(r.now - *parse_iso_instant(text(g["since"]["utc"]))).c_str());
    if (!text(g["reason"]).empty()) std::printf("  why:    %s\n", text(g["reason"]).c_str());
    if (g["resume_in_ms"].is_number())
      std::printf("  resume: by itself at %s / %s, in %s\n", text(g["resume_at"]["utc"]).substr(0, 19).c_str(),
                  text(g["resume_at"]["local"]).c_str(), format_age(g["resume_in_ms"].get<millis>()).c_str());
    else if (state == "paused")
      std::printf("  resume: `arc dispatch resume`\n");
    else
      std::printf("  resume: mend the cause, then `arc dispatch reset`\n");
    std::printf("  waiting: %lld pending (%lld ready)\n", g["waiting"]["pending"].get<long long>(),
                g["waiting"]["ready"].get<long long>());
  }
  if (g.contains("budget") && g["budget"]["daily_usd"].is_number()) {
    const auto& b = g["budget"];
    std::printf("budget:   $%.2f of $%.2f today (%s)%s\n", b["spent_today_usd"].get<double>(),
                b["daily_usd"].get<double>(), text(b["zone"]).c_str(),
                b["reached"].get<bool>() ? ("; reached: only priority 1-" +
                                            std::to_string(b["max_priority_when_reached"].get<int>()) +
                                            " runs until " + text(b["next_day"]).substr(0, 16) + " UTC")
                                               .c_str()
                                         : "");
  }
  for (auto& i : r.incidents)
    std::printf("incident: #%lld %s, %lld failures since %s%s%s\n", i["id"].get<long long>(),
                text(i["kind"]).c_str(), i["failures"].get<long long>(), text(i["from"]).substr(0, 19).c_str(),
                text(i["summary"]).empty() ? "" : ": ", text(i["summary"]).c_str());
}

}  // namespace

void add_status_command(CLI::App& app, Context& ctx) {
  auto* status = app.add_subcommand("status", "what stops work (gate, budget, incidents), then queue counts, "
                                             "active tasks, recent results, cost");
  status->add_flag("--json", ctx.json, "print JSON");
  status->callback([&ctx] {
    auto db = ctx.open();
    BudgetConfig budget = ctx.load().budget;
    auto r = build_status(*db, system_clock().now_ms(), 10, &budget);
    if (ctx.json) {
      std::cout << to_json(r).dump() << "\n";
      return;
    }
    std::printf("arcd: %s\n", r.arcd_pid ? ("running (pid " + std::to_string(r.arcd_pid) + ")").c_str()
                                          : "not running");
    print_what_stops_work(r);
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
      std::printf("  %-7lld %-9s %s  %s%s%s\n", static_cast<long long>(t.id), to_string(t.status),
                  format_iso_utc(t.finished_at).substr(0, 19).c_str(), t.subject.substr(0, 50).c_str(),
                  t.summary.empty() ? "" : " — ", t.summary.substr(0, 60).c_str());
  });
}

}  // namespace arc::cli
