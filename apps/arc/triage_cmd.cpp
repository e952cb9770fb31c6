// arc triage [classify] | arc incidents | arc report: what failed, and why.
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

#include "apps/arc/cli.hpp"
#include "core/config.hpp"
#include "core/failure_patterns.hpp"
#include "core/time_text.hpp"
#include "storage/report.hpp"
#include "storage/views.hpp"

namespace arc::cli {
namespace {

std::string day(millis t) { return t ? format_iso_utc(t).substr(0, 16) : "-"; }

TriageConfig triage_config(const Context& ctx) {
  return ctx.config.empty() ? TriageConfig{} : load_config(ctx.config).triage;
}

void classify(std::istream& in, const TriageConfig& cfg, bool json) {
  TemplateMiner miner(cfg.similarity);
  std::vector<std::string> lines;
  std::vector<size_t> idx;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    idx.push_back(miner.add(line));
  }
  // Templates are printed as they are at the end: generalised by every line.
  auto out = nlohmann::json::array();
  for (size_t i = 0; i < lines.size(); ++i) {
    const Pattern& p = miner.pattern(idx[i]);
    if (json) out.push_back({{"line", i + 1}, {"summary", lines[i]}, {"fingerprint", p.fingerprint}, {"template", p.text()}});
    else std::cout << p.fingerprint << "\t" << p.text() << "\n";
  }
  if (json) std::cout << out.dump() << "\n";
  std::cerr << lines.size() << " summaries, " << miner.size() << " patterns\n";
}

}  // namespace

void add_triage_commands(CLI::App& app, Context& ctx) {
  auto* triage = app.add_subcommand("triage", "failure patterns with counts and investigation state");
  triage->add_flag("--json", ctx.json, "print JSON");
  triage->callback([&ctx, triage] {
    if (!triage->get_subcommands().empty()) return;
    auto db = ctx.open();
    if (ctx.json) {
      std::cout << patterns_view(*db, 100).dump() << "\n";
      return;
    }
    auto patterns = list_patterns(*db, 100);
    std::printf("%-16s %6s %-16s %-16s %-18s %s\n", "FINGERPRINT", "COUNT", "FIRST", "LAST", "INVESTIGATION", "TEMPLATE");
    for (auto& p : patterns) {
      std::string inv = p.investigation_task_id ? std::to_string(p.investigation_task_id) + " " + p.investigation_status : "-";
      std::printf("%-16s %6lld %-16s %-16s %-18s %s\n", p.fingerprint.c_str(), static_cast<long long>(p.count),
                  day(p.first_seen).c_str(), day(p.last_seen).c_str(), inv.c_str(), p.template_text.substr(0, 100).c_str());
    }
  });
  auto* cls = triage->add_subcommand("classify", "cluster failure summaries (one a line) as triage would");
  auto input = std::make_shared<std::string>();
  cls->add_option("--input", *input, "file to read (default: stdin)");
  cls->add_flag("--json", ctx.json, "print JSON");
  cls->callback([&ctx, input] {
    TriageConfig cfg = triage_config(ctx);
    if (input->empty()) {
      classify(std::cin, cfg, ctx.json);
      return;
    }
    std::ifstream in(*input);
    if (!in) throw UsageError("--input: cannot open " + *input);
    classify(in, cfg, ctx.json);
  });

  auto* incidents = app.add_subcommand("incidents", "outages, downtime gaps and rate-limit stops");
  auto open_only = std::make_shared<bool>(false);
  incidents->add_flag("--open", *open_only, "only the open ones");
  incidents->add_flag("--json", ctx.json, "print JSON");
  incidents->callback([&ctx, open_only] {
    auto db = ctx.open();
    if (ctx.json) {
      std::cout << incidents_view(*db, *open_only).dump() << "\n";
      return;
    }
    auto rows = list_incidents(*db, *open_only, 0);
    std::printf("%-5s %-10s %-16s %-16s %8s %-6s %s\n", "ID", "KIND", "FROM", "TO", "FAILURES", "STATE", "SUMMARY");
    for (auto& i : rows)
      std::printf("%-5lld %-10s %-16s %-16s %8lld %-6s %s\n", static_cast<long long>(i.id), i.kind.c_str(),
                  day(i.window_start).c_str(), day(i.window_end).c_str(), static_cast<long long>(i.failure_count),
                  i.closed_at ? "closed" : "open", i.summary.substr(0, 90).c_str());
  });

  auto* report = app.add_subcommand("report", "retrospective: results, failure rates, cost, patterns, incidents");
  auto since = std::make_shared<std::string>("7d");
  report->add_option("--since", *since, "how far back: a duration (7d, 24h) or an ISO-8601 time");
  report->add_flag("--json", ctx.json, "print JSON");
  report->callback([&ctx, since] {
    millis now = system_clock().now_ms();
    auto from = parse_since(*since, now);
    if (!from) throw UsageError("--since: give a duration such as 7d or 24h, or an ISO-8601 time");
    auto db = ctx.open();
    Report r = build_report(*db, *from, now);
    if (ctx.json) {
      std::cout << to_json(r).dump() << "\n";
      return;
    }
    std::printf("since %s\n\n", format_iso_utc(r.since).c_str());
    std::printf("completed  %lld\nfailed     %lld (%lld of them in incidents)\nexpired    %lld\ncancelled  %lld\n",
                static_cast<long long>(r.completed), static_cast<long long>(r.failed),
                static_cast<long long>(r.failed_in_incidents), static_cast<long long>(r.expired),
                static_cast<long long>(r.cancelled));
    std::printf("failure rate %.1f%%, without incident failures %.1f%%\n\ncost per day:\n", 100 * r.failure_rate,
                100 * r.failure_rate_without_incidents);
    for (auto& [d2, c] : r.cost_per_day) std::printf("  %s  $%.4f\n", d2.c_str(), c);
    std::printf("\ntop patterns:\n");
    for (auto& p : r.top_patterns)
      std::printf("  %5lld  %s\n", static_cast<long long>(p.count), p.template_text.substr(0, 100).c_str());
    std::printf("\nincidents:\n");
    for (auto& i : r.incidents)
      std::printf("  %lld %s %s .. %s, %lld failures\n", static_cast<long long>(i.id), i.kind.c_str(),
                  day(i.window_start).c_str(), day(i.window_end).c_str(), static_cast<long long>(i.failure_count));
  });
}

}  // namespace arc::cli
