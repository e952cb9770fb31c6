// arc dispatch status|pause|resume|reset: the gate in front of dispatch.
#include <nlohmann/json.hpp>

#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/config.hpp"
#include "core/time_text.hpp"
#include "storage/gate_store.hpp"
#include "storage/views.hpp"

namespace arc::cli {
namespace {

void print_status(Db& db, bool json, const BudgetConfig& budget) {
  millis now = system_clock().now_ms();
  auto view = gate_view(db, now, &budget);
  if (json) {
    std::cout << view.dump() << "\n";
    return;
  }
  GateState g = load_gate(db);  // the times as numbers, for their ages
  std::printf("state:      %s\n", to_string(g.state));
  if (view["storage"]["held"].is_string())
    std::printf("held:       %s\n", view["storage"]["held"].get<std::string>().c_str());
  if (view["storage"]["disk_warning"].is_string())
    std::printf("storage:    %s\n", view["storage"]["disk_warning"].get<std::string>().c_str());
  if (!g.reason.empty()) std::printf("reason:     %s\n", g.reason.c_str());
  if (g.error_class != GateCause::none) std::printf("error:      %s\n", to_string(g.error_class));
  if (g.since) std::printf("since:      %s (%s ago)\n", format_iso_utc(g.since).c_str(), format_age(now - g.since).c_str());
  if (g.resume_at)
    std::printf("resume at:  %s  /  %s (in %s)\n", format_iso_utc(g.resume_at).c_str(),
                view["resume_at"]["local"].get<std::string>().c_str(), format_age(g.resume_at - now).c_str());
  std::printf("failures:   %d in a row\n", g.consecutive_failures);
  std::printf("waiting:    %lld pending, %lld ready to run\n", view["waiting"]["pending"].get<long long>(),
              view["waiting"]["ready"].get<long long>());
  if (budget.daily_usd > 0)
    std::printf("budget:     $%.2f of $%.2f today%s\n", view["budget"]["spent_today_usd"].get<double>(), budget.daily_usd,
                view["budget"]["reached"].get<bool>()
                    ? (": reached, only priority 1-" + std::to_string(budget.max_priority) + " tasks run").c_str()
                    : "");
  if (!view["events"].empty()) std::printf("\nrecent changes:\n");
  for (auto& e : view["events"])
    std::printf("  %s  %s -> %s  %s\n", e["at"].get<std::string>().substr(0, 19).c_str(),
                e["from"].get<std::string>().c_str(), e["to"].get<std::string>().c_str(),
                e["reason"].get<std::string>().c_str());
}

}  // namespace

void add_dispatch_command(CLI::App& app, Context& ctx) {
  auto* dispatch = app.add_subcommand("dispatch", "the dispatch gate: status, pause, resume, reset");
  dispatch->require_subcommand(1);
  auto* status = dispatch->add_subcommand("status", "gate state, reason, resume time, the queue behind it");
  status->add_flag("--json", ctx.json, "print JSON");
  status->callback([&ctx] {
    auto db = ctx.open();
    print_status(*db, ctx.json, ctx.load().budget);
  });
  auto reason = std::make_shared<std::string>();
  struct Action { const char* name; const char* help; };
  for (Action a : {Action{"pause", "stop claiming until `arc dispatch resume`"},
                   Action{"resume", "resume a paused or rate-limited gate now"},
                   Action{"reset", "clear any stop, including stopped_failures, and the failure count"}}) {
    auto* cmd = dispatch->add_subcommand(a.name, a.help);
    cmd->add_option("--reason", *reason, "why (recorded in the gate's history)");
    cmd->add_flag("--json", ctx.json, "print JSON");
    std::string kind = a.name;
    cmd->callback([&ctx, reason, kind] {
      auto db = ctx.open();
      GateConfig cfg;
      if (!ctx.config.empty()) cfg = load_config(ctx.config).gate;
      GateResult r;
      try {
        r = operator_gate(*db, cfg, kind, *reason, "arc dispatch " + kind);
      } catch (const GateRefused& e) {
        throw UsageError(e.what());
      }
      if (!ctx.json) {
        if (r.change.changed)
          std::printf("gate: %s -> %s%s\n", to_string(r.change.from), to_string(r.change.to),
                      r.expired ? (" (" + std::to_string(r.expired) + " stale tasks expired)").c_str() : "");
        else
          std::printf("gate: already %s\n", to_string(r.state.state));
        std::printf("arcd applies it within a second.\n");
        return;
      }
      print_status(*db, true, ctx.load().budget);
    });
  }
}

}  // namespace arc::cli
