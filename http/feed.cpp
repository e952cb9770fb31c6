#include "http/feed.hpp"

#include <nlohmann/json.hpp>

#include "core/time_text.hpp"

namespace arc::http {

std::vector<FeedRow> read_feed(Db& db, int64_t after, int limit) {
  auto q = db.prepare("SELECT id, at, kind, data FROM feed WHERE id > ? ORDER BY id LIMIT ?");
  q.bind(1, after).bind(2, limit);
  std::vector<FeedRow> rows;
  while (q.step()) rows.push_back({q.col_int(0), q.col_int(1), q.col_text(2), q.col_text(3)});
  return rows;
}

int64_t feed_head(Db& db) { return db.scalar_int("SELECT coalesce(max(id), 0) FROM feed"); }
int64_t feed_tail(Db& db) { return db.scalar_int("SELECT coalesce(min(id), 0) FROM feed"); }

std::string sse_message(const FeedRow& row) {
  auto data = nlohmann::json::parse(row.data, nullptr, false);
  if (!data.is_object()) data = nlohmann::json::object();  // written by our triggers; never expected
  data["id"] = row.id;
  data["at"] = format_iso_utc(row.at);
  // dump() escapes newlines, so the data stays on one line as SSE requires.
  return "id: " + std::to_string(row.id) + "\nevent: " + row.kind + "\ndata: " +
         data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

int64_t resume_point(const std::string& last_event_id, const std::string& after, int64_t head) {
  const std::string& text = !last_event_id.empty() ? last_event_id : after;
  if (text.empty()) return head;
  if (text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(text);
}

}  // namespace arc::http
