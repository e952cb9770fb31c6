// The change feed behind GET /api/events (schema v5's `feed` table, filled by
// triggers in the writers' own transactions) and its Server-Sent Events
// framing.
#pragma once
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "storage/db.hpp"

namespace arc::http {

struct FeedRow {
  int64_t id = 0;
  millis at = 0;
  std::string kind;  // task | gate | sensor | incident
  std::string data;  // a JSON object
};

// Rows with id > after, oldest first, at most `limit`.
std::vector<FeedRow> read_feed(Db& db, int64_t after, int limit);
// The newest id (0 when empty) and the oldest one still kept.
int64_t feed_head(Db& db);
int64_t feed_tail(Db& db);

// One SSE message: "id: N\nevent: KIND\ndata: {…, "id": N, "at": ISO}\n\n".
std::string sse_message(const FeedRow& row);

// Where a stream starts: after the id the client last saw (Last-Event-ID,
// else ?after=), else at the head (only new events). -1 if `text` is given
// but is not a non-negative integer.
int64_t resume_point(const std::string& last_event_id, const std::string& after, int64_t head);

}  // namespace arc::http
