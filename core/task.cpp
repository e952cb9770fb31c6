#include "core/task.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

#include "core/time_text.hpp"

namespace arc {

std::string validate(const TaskSpec& spec) {
  if (spec.subject.empty()) return "subject: must not be empty";
  if (spec.subject.size() > 1000) return "subject: longer than 1000 bytes";
  if (spec.description.size() > 1'000'000) return "description: longer than 1 MB";
  if (spec.priority < 1 || spec.priority > 10)
    return "priority: must be 1 (most urgent) to 10, got " + std::to_string(spec.priority);
  if (spec.max_attempts < 1 || spec.max_attempts > 100)
    return "max_attempts: must be 1 to 100, got " + std::to_string(spec.max_attempts);
  for (auto& s : spec.skills)
    if (s.empty()) return "skills: a skill name is empty";
  for (auto& l : spec.locks)
    if (l.empty()) return "locks: a lock name is empty";
  if (spec.expires_at != 0 && spec.scheduled_for != 0 && spec.expires_at <= spec.scheduled_for)
    return "expires_at: must be after scheduled_for";
  if (spec.parent_id < 0) return "parent_id: must be positive";
  // The model reaches an executor's argv (`--model M`): a name, never a flag.
  if (spec.model.size() > 200) return "model: longer than 200 bytes";
  for (char c : spec.model)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':' || c == '/' ||
          c == '@' || c == '[' || c == ']'))
      return "model: \"" + spec.model + "\" may hold only letters, digits and - _ . : / @ [ ] (e.g. opus, claude-opus-4-8)";
  if (!spec.model.empty() && spec.model[0] == '-') return "model: must not start with '-'";
  return {};
}

nlohmann::json json_time(millis t) {
  return t == 0 ? nlohmann::json(nullptr) : nlohmann::json(format_iso_utc(t));
}

nlohmann::json json_text(const std::string& s) {
  return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s);
}

nlohmann::json to_json(const Task& t) {
  return {
      {"id", t.id},
      {"subject", t.subject},
      {"description", t.description},
      {"priority", t.priority},
      {"status", to_string(t.status)},
      {"source", json_text(t.source)},
      {"skills", t.skills},
      {"parent_id", t.parent_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(t.parent_id)},
      {"model", json_text(t.model)},
      {"locks", t.locks},
      {"scheduled_for", json_time(t.scheduled_for)},
      {"expires_at", json_time(t.expires_at)},
      {"attempts", t.attempts},
      {"max_attempts", t.max_attempts},
      {"lease_owner", json_text(t.lease_owner)},
      {"lease_expires_at", json_time(t.lease_expires_at)},
      {"created_at", json_time(t.created_at)},
      {"started_at", json_time(t.started_at)},
      {"finished_at", json_time(t.finished_at)},
      {"summary", json_text(t.summary)},
      {"failure_class", json_text(to_string(t.failure_class))},
      {"cost_usd", t.cost_usd},
      {"api_cost_usd", t.api_cost_usd},
      {"tokens_in", t.tokens_in},
      {"tokens_out", t.tokens_out},
      {"duration_ms", t.duration_ms},
      {"incident_id", t.incident_id == 0 ? nlohmann::json(nullptr) : nlohmann::json(t.incident_id)},
  };
}

nlohmann::json to_json(const TaskEvent& e) {
  return {{"id", e.id},         {"task_id", e.task_id},
          {"at", format_iso_utc(e.at)}, {"actor", e.actor},
          {"from", json_text(e.from_status)}, {"to", e.to_status},
          {"reason", json_text(e.reason)}};
}

std::string sanitize_text(const std::string& in, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(in.size(), max_bytes));
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size(), i = 0;
  while (i < n) {
    unsigned char c = p[i];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) ok = (p[i + k] & 0xC0) == 0x80;
    // Control characters other than \n and \t are dropped: they garble terminals.
    if (ok && len == 1 && c < 0x20 && c != '\n' && c != '\t') {
      ++i;
      continue;
    }
    const char* piece = ok ? in.data() + i : "\xEF\xBF\xBD";
    size_t piece_len = ok ? len : 3;
    if (out.size() + piece_len > max_bytes) break;
    out.append(piece, piece_len);
    i += ok ? len : 1;
  }
  return out;
}

}  // namespace arc
