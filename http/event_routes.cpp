// GET /api/events: Server-Sent Events from the change feed. A stream starts
// after Last-Event-ID (what a browser's EventSource sends when it reconnects)
// or ?after=, else at the newest event; it polls its own read-only connection
// (only when PRAGMA data_version says another connection committed) and
// sends a comment line when idle so proxies keep it open. A client that
// asks to resume behind the oldest event still kept (or after an id this
// feed never had) gets a "gap" event first: it should reload what it shows.
#include <algorithm>

#include <spdlog/spdlog.h>

#include "http/feed.hpp"
#include "http/routes.hpp"

namespace arc::http {
namespace {

constexpr int kBatch = 500;

struct Stream {
  Shared::ReadDb db;
  int64_t cursor = 0;
  int64_t data_version = -1;
  bool started = false;
  std::chrono::steady_clock::time_point last_write = std::chrono::steady_clock::now();
};

// The next piece of a stream: new events, else a keep-alive, else "" after
// waiting up to one poll interval.
std::string next_piece(Shared& shared, Stream& st) {
  std::string out;
  if (!st.started) {
    st.started = true;
    out = "retry: 2000\n\n";
    int64_t tail = feed_tail(*st.db), head = feed_head(*st.db);
    // Behind what is kept, or ahead of anything here (an id from another
    // database): either way the client's picture is stale.
    if ((tail > 0 && st.cursor + 1 < tail) || st.cursor > head) {
      out += "event: gap\ndata: " + nlohmann::json{{"after", st.cursor}, {"oldest_kept", tail}}.dump() + "\n\n";
      st.cursor = std::min(st.cursor, head);
    }
  }
  int64_t version = st.db->scalar_int("PRAGMA data_version");
  if (version != st.data_version) {
    auto rows = read_feed(*st.db, st.cursor, kBatch);
    for (auto& r : rows) out += sse_message(r);
    if (!rows.empty()) st.cursor = rows.back().id;
    if (static_cast<int>(rows.size()) < kBatch) st.data_version = version;  // else: more to read at once
  }
  auto now = std::chrono::steady_clock::now();
  if (out.empty() && now - st.last_write >= std::chrono::milliseconds(shared.options.event_keepalive_ms))
    out = ": keep-alive\n\n";
  if (out.empty()) {
    std::unique_lock<std::mutex> lock(shared.mu);
    shared.wake.wait_for(lock, std::chrono::milliseconds(shared.options.event_poll_ms),
                         [&] { return shared.stopping.load(); });
  }
  return out;
}

}  // namespace

void add_event_routes(httplib::Server& svr, Shared& shared) {
  svr.Get("/api/events", [&shared](const httplib::Request& req, httplib::Response& res) {
    auto st = std::make_shared<Stream>();
    st->db = shared.read_db();
    st->cursor = resume_point(req.get_header_value("Last-Event-ID"), req.get_param_value("after"), feed_head(*st->db));
    if (st->cursor < 0) throw HttpError(400, "Last-Event-ID / after: must be an event id (a non-negative integer)");
    if (shared.streams.fetch_add(1) >= shared.options.max_event_streams) {
      shared.streams.fetch_sub(1);
      throw HttpError(503, "too many event streams (" + std::to_string(shared.options.max_event_streams) +
                               "; raise [http] max_event_streams)");
    }
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [&shared, st](size_t, httplib::DataSink& sink) {
          if (shared.stopping) {
            sink.done();
            return true;
          }
          std::string piece;
          try {
            piece = next_piece(shared, *st);
          } catch (const std::exception& e) {  // outside httplib's try: ends this stream, not arcd
            spdlog::warn("http: event stream ended: {}", e.what());
            return false;
          }
          if (piece.empty()) return sink.is_writable();
          st->last_write = std::chrono::steady_clock::now();
          return sink.write(piece.data(), piece.size());
        },
        [&shared](bool) { shared.streams.fetch_sub(1); });
  });
}

}  // namespace arc::http
