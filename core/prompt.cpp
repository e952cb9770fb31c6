#include "core/prompt.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/time_text.hpp"
#include "core/time_zone.hpp"

namespace arc {
namespace {

const char* const kDayNames[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

// "2026-08-19 21:43:10", as Arc stores and shows times.
std::string sql_time(millis t) {
  std::string iso = format_iso_utc(t);  // 2026-08-19T21:43:10.000Z
  return iso.substr(0, 10) + " " + iso.substr(11, 8);
}

// Arc's humanAgo: "13m ago", "5h ago", "3d ago".
std::string human_ago(millis d) {
  double ms = static_cast<double>(d);
  long mins = std::lround(ms / 60'000);
  if (mins < 60) return std::to_string(mins) + "m ago";
  long hours = std::lround(ms / 3'600'000);
  if (hours < 48) return std::to_string(hours) + "h ago";
  return std::to_string(std::lround(ms / 86'400'000)) + "d ago";
}

// File text without its trailing blank lines: sections are one blank line apart.
std::string trimmed(std::string s) {
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  return s;
}

std::string one_line(std::string s, size_t max) {
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return s.size() > max ? sanitize_text(s, max - 3) + "..." : s;
}

// Arc marks a memory not consolidated for 3 days: "Last updated: X" /
// "Last consolidated: X" (X up to a '*' or the line's end). Plain scans,
// no std::regex: its engine recurses per character and a long line of an
// agent's own memory would overflow the stack.
std::string memory_heading(const std::string& memory, millis now) {
  size_t at = std::string::npos;
  for (const char* key : {"Last updated:", "Last consolidated:"}) {
    size_t p = memory.find(key);
    if (p != std::string::npos && (at == std::string::npos || p < at)) at = p + std::strlen(key);
  }
  if (at == std::string::npos) return "# Memory";
  size_t end = memory.find_first_of("*\n", at);
  std::string when = memory.substr(at, std::min<size_t>(end == std::string::npos ? memory.size() - at : end - at, 64));
  when.erase(0, when.find_first_not_of(" \t"));
  when.erase(when.find_last_not_of(" \t\r") + 1);
  auto t = parse_iso_instant(when);
  if (!t && when.size() >= 10) t = parse_iso_instant(when.substr(0, 10) + "T00:00:00Z");
  if (!t) return "# Memory";
  long days = static_cast<long>((now - *t) / 86'400'000);
  if (days < 3) return "# Memory";
  return "# Memory [STALE: last updated " + std::to_string(days) + "d ago \xe2\x80\x94 consolidate soon]";
}

std::string time_line(const PromptInput& in) {
  std::string line = std::string(kDayNames[((in.now / 86'400'000) % 7 + 11) % 7]) + ", " + sql_time(in.now) + " UTC";
  if (auto local = local_clock(in.now, in.zone); local && in.zone != "UTC") line += " / " + format_local(*local);
  if (!in.context.recent_runs.empty())
    line += " (last run: " + human_ago(in.now - in.context.recent_runs.front().started_at) + ")";
  return line;
}

std::string run_line(const PromptRun& r) {
  char cost[32];
  std::snprintf(cost, sizeof cost, "$%.6f", r.cost_usd);
  std::string line = sql_time(r.started_at) + " task=" + std::to_string(r.task_id) + " " +
                     (r.outcome.empty() ? "?" : r.outcome) + " duration=" + std::to_string(r.duration_ms) +
                     "ms cost=" + cost;
  if (!r.subject.empty()) line += " \"" + one_line(r.subject, 80) + "\"";
  return line;
}

}  // namespace

std::string build_prompt(const PromptInput& in) {
  const Task& t = in.task;
  std::vector<std::string> parts;
  auto section = [&](const std::string& heading, const std::string& body) {
    parts.push_back(heading);
    parts.push_back(body);
    parts.push_back("");
  };
  if (!trimmed(in.soul).empty()) section("# Identity", trimmed(in.soul));
  std::string today = sql_time(in.now).substr(0, 10);
  std::string memory = trimmed(filter_memory(in.memory, t.skills, today));
  if (!memory.empty()) section(memory_heading(in.memory, in.now), memory);
  std::string skills;
  for (auto& s : in.skills) skills += (skills.empty() ? "" : "\n\n") + ("# Skill: " + s.dir + "\n" + trimmed(s.text));
  if (!skills.empty()) {
    parts.push_back(skills);
    parts.push_back("");
  }
  section("# Current Time", time_line(in));
  if (!in.context.recent_runs.empty()) {
    std::string runs;
    for (auto& r : in.context.recent_runs) runs += (runs.empty() ? "" : "\n") + run_line(r);
    section("# Recent Runs", runs);
  }
  std::string task = "Subject: " + t.subject + "\nDescription: " + (t.description.empty() ? "(none)" : t.description) +
                     "\nPriority: " + std::to_string(t.priority) + "\nSource: " +
                     (t.source.empty() ? "(none)" : t.source) + "\nTask ID: " + std::to_string(t.id);
  if (!t.skills.empty()) {
    task += "\nSkills: ";
    for (size_t i = 0; i < t.skills.size(); ++i) task += (i ? ", " : "") + t.skills[i];
  }
  if (t.attempts > 1)
    task += "\nAttempt: " + std::to_string(t.attempts) + " of " + std::to_string(t.max_attempts) +
            " (earlier attempts did not finish it; see `arc tasks show " + std::to_string(t.id) + "`)";
  if (!in.context.parents.empty()) {
    task += "\nParent chain:";
    for (auto& p : in.context.parents)
      task += "\n  #" + std::to_string(p.id) + ": " + one_line(p.subject, 200) + " (" + p.status + ")";
  }
  section("# Task to Execute", task);
  std::string id = std::to_string(t.id);
  parts.push_back("# Instructions");
  parts.push_back("Use `arc` CLI commands for all actions:\n"
                  "- Close this task: arc tasks close --id " + id +
                  " --status completed|failed|blocked --summary \"summary\"\n"
                  "  (blocked: it needs a person; it is not retried)\n"
                  "- Create follow-up: arc tasks add --subject \"subject\" --skills s1,s2 --parent " + id + "\n"
                  "- Update memory: edit " + in.memory_path + " directly\n"
                  "Do NOT use raw SQL, direct DB writes, or ad-hoc scripts.");
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "\n" : "") + parts[i];
  return out;
}

PromptInput prompt_input(const AgentHome& home, const Task& task, PromptContext context, millis now,
                         const std::string& zone, std::vector<std::string>* missing) {
  PromptInput in;
  in.task = task;
  in.soul = home.soul();
  in.memory = home.memory();
  in.memory_path = home.memory_path();
  for (auto& name : task.skills) {
    if (auto doc = home.skill(name)) in.skills.push_back(std::move(*doc));
    else if (missing) missing->push_back(name);
  }
  in.context = std::move(context);
  in.now = now;
  in.zone = zone;
  return in;
}

}  // namespace arc
