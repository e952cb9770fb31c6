// What arc-trace does with a trace, as functions over events (so that the
// tests can call them): filtering, a task's life, statistics, exports.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/trace_event.hpp"

namespace arc::tracetool {

// A reply recorded without its receiver (persistence does not know who
// asked) gets it from the request's send.
void resolve_replies(std::vector<TraceEvent>& events);

struct Filter {
  std::string actor;      // from or to equals it ("sensor:x" or a prefix such as "sensor")
  std::string type;       // message type equals it
  int64_t since_ms = 0;   // wall time bounds, 0 = none
  int64_t until_ms = 0;
  int64_t task = 0;
};
bool matches(const TraceEvent& e, const Filter& f);
std::vector<TraceEvent> filtered(const std::vector<TraceEvent>& events, const Filter& f);

// `tail -f`: `chunk` is what was appended to the file since the last look;
// returns the events of the lines it completes, keeps a partial last line in
// `partial` for the next chunk, and skips lines that are not events (the
// header of a rotated file, a foreign line).
std::vector<TraceEvent> take_lines(std::string& partial, const std::string& chunk);

// One line per event: time, kind, route, type, task, payload.
std::string render_line(const TraceEvent& e);

// The events of task `task`'s life: those naming it, what caused them (up
// to each chain's root) and what they caused; in time order.
std::vector<TraceEvent> task_life(const std::vector<TraceEvent>& events, int64_t task);
// The same events as an indented causal tree (a recv is shown on its send's
// line as the hop's latency).
std::string causal_tree(const std::vector<TraceEvent>& life);

struct PairStats {
  std::string from, to, type;
  int64_t count = 0;
  double mean_us = 0, p50_us = 0, max_us = 0;
};
struct Slow {
  std::string from, to, type;
  int64_t task = 0;
  double us = 0;
};
struct Stats {
  int64_t events = 0;
  std::vector<PairStats> hops;     // send -> recv latency, per actor pair and type
  std::vector<PairStats> replies;  // request -> reply round trip, per pair and type
  std::vector<Slow> slowest;       // the slowest single hops (up to 10)
};
Stats stats(const std::vector<TraceEvent>& events);
std::string render_stats(const Stats& s);

// Chrome trace-event JSON (ui.perfetto.dev, chrome://tracing): one track per
// actor, flow arrows from each send to its recv.
std::string export_chrome(const std::vector<TraceEvent>& events);
// A Mermaid sequence diagram of the given events (one task's life).
std::string export_mermaid(const std::vector<TraceEvent>& events);

}  // namespace arc::tracetool
