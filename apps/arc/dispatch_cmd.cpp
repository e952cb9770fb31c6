// arc dispatch status|pause|resume|reset: the gate in front of dispatch.
#include <nlohmann/json.hpp>

#include <ctime>
#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/config.hpp"
#include "core/time_text.hpp"
#include "storage/gate_store.hpp"

namespace arc::cli {
namespace {

std::string local_time(millis t) {
  std::time_t s = static_cast<std::time_t>(t / 1000);
  std::tm tm{};
  localtime_r(&s, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %Z", &tm);
  return buf;
}

nlohmann::json time_json(millis t) {
  if (!t) return nullptr;
  return {{"utc", format_iso_utc(t)}, {"local", local_time(t)}};
}

void print_status(Db& db, bool json) {
  GateState g = load_gate(db);
  millis now = system_clock().now_ms();
  int64_t pending = db.scalar_int("SELECT count(*) FROM tasks WHERE status = 'pending'");
  int64_t due = 0;
  {
    auto q = db.prepare(
        "SELECT count(*) FROM tasks WHERE status = 'pending' AND (scheduled_for IS NULL OR "
        "scheduled_for <= ?1) AND (expires_at IS NULL OR expires_at > ?1)");
    q.bind(1, now);
    if (q.step()) due = q.col_int(0);
  }
  auto events = gate_events(db, 5);
  if (json) {
    auto ev = nlohmann::json::array();
    for (auto& e : events)
      ev.push_back({{"at", format_iso_utc(e.at)}, {"from", e.from}, {"to", e.to}, {"reason", e.reason}});
    std::cout << nlohmann::json{{"state", g.state},
                                {"reason", json_text(g.reason)},
                                {"error_class", json_text(g.error_class)},
                                {"since", time_json(g.since)},
                                {"resume_at", time_json(g.resume_at)},
                                {"consecutive_failures", g.consecutive_failures},
                                {"waiting", {{"pending", pending}, {"ready", due}}},
                                {"events", ev}}
                     .dump()
              << "\n";
    return;
  }
  std::printf("state:      %s\n", g.state.c_str());
  if (!g.reason.empty()) std::printf("reason:     %s\n", g.reason.c_str());
  if (!g.error_class.empty()) std::printf("error:      %s\n", g.error_class.c_str());
  if (g.since) std::printf("since:      %s (%s ago)\n", format_iso_utc(g.since).c_str(), format_age(now - g.since).c_str());
  if (g.resume_at)
    std::printf("resume at:  %s  /  %s (in %s)\n", format_iso_utc(g.resume_at).c_str(),
                local_time(g.resume_at).c_str(), format_age(g.resume_at - now).c_str());
  std::printf("failures:   %d in a row\n", g.consecutive_failures);
  std::printf("waiting:    %lld pending, %lld ready to run\n", static_cast<long long>(pending),
              static_cast<long long>(due));
  if (!events.empty()) std::printf("\nrecent changes:\n");
  for (auto& e : events)
    std::printf("  %s  %s -> %s  %s\n", format_iso_utc(e.at).substr(0, 19).c_str(), e.from.c_str(),
                e.to.c_str(), e.reason.c_str());
}

}  // namespace

void add_dispatch_command(CLI::App& app, Context& ctx) {
  auto* dispatch = app.add_subcommand("dispatch", "the dispatch gate: status, pause, resume, reset");
  dispatch->require_subcommand(1);
  auto* status = dispatch->add_subcommand("status", "gate state, reason, resume time, the queue behind it");
  status->add_flag("--json", ctx.json, "print JSON");
  status->callback([&ctx] {
    auto db = ctx.open();
    print_status(*db, ctx.json);
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
      TaskStore store(*db, system_clock());
      GateState before = load_gate(*db);
      if (kind == "resume" && before.state == gate_state::failures)
        throw UsageError("the gate stopped after repeated failures (" + before.reason +
                         "); look at `arc tasks list --status failed`, then `arc dispatch reset`");
      auto r = in_transaction(*db, [&] {
        return apply_gate(*db, store, cfg, GateCommand{kind, "", *reason + (reason->empty() ? "" : " (arc dispatch " + kind + ")")});
      });
      if (!ctx.json) {
        if (r.change.changed)
          std::printf("gate: %s -> %s%s\n", r.change.from.c_str(), r.change.to.c_str(),
                      r.expired ? (" (" + std::to_string(r.expired) + " stale tasks expired)").c_str() : "");
        else
          std::printf("gate: already %s\n", r.state.state.c_str());
        std::printf("arcd applies it within a second.\n");
        return;
      }
      print_status(*db, true);
    });
  }
}

}  // namespace arc::cli
