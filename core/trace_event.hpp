// Trace events: one JSON line per message hop or local event
// (docs/trace-format.md). This part has no CAF: arcd's tracer actor writes
// with it, and arc-trace reads with it.
#pragma once
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace arc {

// What a traced message carries: its own id, the correlation id of the
// chain it belongs to, and the task it concerns (0 if none). All zero when
// tracing was off as the message was sent.
struct TraceCtx {
  uint64_t id = 0;
  uint64_t corr = 0;
  int64_t task = 0;
};

struct TraceEvent {
  uint64_t id = 0;       // the message (a send and its recv share it)
  uint64_t parent = 0;   // the message that caused this one, 0 for a root
  uint64_t corr = 0;     // the chain's root id
  std::string kind;      // "send", "recv", "reply" or "event"
  std::string from, to;  // actor names ("to" is empty for an event)
  std::string type;      // message type name ("claim", "finish", "exec.start", ...)
  int64_t task = 0;
  std::string node;
  int64_t wall_ms = 0;   // Unix time, ms
  int64_t mono_ns = 0;   // steady clock, ns (for latency within one node)
  std::string payload;   // a short rendering, at most kMaxPayload bytes
};

inline constexpr size_t kMaxPayload = 200;
// A line's wall_ms is within [0, 9999-12-31T23:59:59.999Z] and its mono_ns
// is not negative (as every clock reading arcd writes), else the line is not
// an event: a damaged line's extreme times would overflow the time
// arithmetic of arc-trace's analysis.
inline constexpr int64_t kMaxTraceWallMs = 253'402'300'799'999;
inline constexpr const char* kTraceFormat = "arc-trace/1";

std::string to_json_line(const TraceEvent& e);  // no newline
// One line of a trace file; nullopt for the header or anything not an event
// (a field missing, mistyped or out of range).
std::optional<TraceEvent> parse_trace_line(const std::string& line);

// Reading a trace: foreign or unreadable files are errors; a half-written
// last line (a crash mid-write) is skipped and said in `notes`.
struct TraceRead {
  std::vector<TraceEvent> events;  // in file order
  std::vector<std::string> notes;
};
// Reads `path` and its rotated predecessors (path.N … path.1, oldest first).
// Throws std::runtime_error naming the file and line on anything else.
TraceRead read_trace(const std::string& path);
// What read_trace does with the content of one file, appending to `out`
// (`path` only names it in notes and errors). Any bytes: events, notes, or
// the std::runtime_error of a file that is not a trace.
void read_trace_text(const std::string& path, const std::string& content, TraceRead& out);

// Appends events to a trace file in batches, rotating by size: at
// max_bytes the file becomes path.1 (path.1 becomes path.2, … up to keep).
// The first line of each file is a header naming the format.
class TraceWriter {
 public:
  TraceWriter(std::string path, uint64_t max_bytes, int keep);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;
  // Writes the batch with one write(2); false (and errno text in error())
  // if the file cannot be written.
  bool write(const std::vector<TraceEvent>& batch);
  const std::string& path() const { return path_; }
  const std::string& error() const { return error_; }

 private:
  bool open();
  void rotate();
  std::string path_;
  uint64_t max_bytes_;
  int keep_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string error_;
};

}  // namespace arc
