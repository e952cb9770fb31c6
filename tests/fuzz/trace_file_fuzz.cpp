// libFuzzer target: a trace file is bytes on disk that anything may have
// cut short or overwritten. What arc-trace does with one — read it
// (read_trace_text), resolve replies, then each command's output: tail's
// lines and filters, show's life and causal tree, stats, both exports, and
// tail -f's line splitting — takes any bytes: the reader's runtime_error
// for a file that is not a trace, else output, never a crash or a hang.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "apps/arc-trace/analysis.hpp"
#include "core/trace_event.hpp"

using namespace arc;
using namespace arc::tracetool;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  // tail -f reads whatever was appended, header or not, in any chunking.
  std::string partial;
  for (auto& e : take_lines(partial, text.substr(0, size / 2))) (void)render_line(e);
  for (auto& e : take_lines(partial, text.substr(size / 2))) (void)render_line(e);

  TraceRead r;
  try {
    read_trace_text("fuzz.jsonl", text, r);
  } catch (const std::runtime_error&) {
    return 0;  // not a trace file: arc-trace says so and exits 2
  }
  resolve_replies(r.events);
  auto& events = r.events;
  // Filters as the flags would set them, from the file's own values.
  Filter f;
  if (!events.empty()) {
    const TraceEvent& first = events.front();
    f.actor = first.from.substr(0, first.from.find(':'));
    f.type = events.back().type;
    f.since_ms = first.wall_ms;
    f.until_ms = events.back().wall_ms;
  }
  auto picked = filtered(events, f);
  for (auto& e : events) (void)render_line(e);
  (void)render_stats(stats(events));
  (void)render_stats(stats(picked));
  (void)export_chrome(events);
  (void)export_chrome(picked);
  // show --task N and export --task N for the first and the last task named.
  for (const TraceEvent* e : {events.empty() ? nullptr : &events.front(), events.empty() ? nullptr : &events.back()}) {
    if (!e) continue;
    auto life = task_life(events, e->task);
    (void)causal_tree(life);
    (void)export_mermaid(life);
    (void)export_chrome(life);
  }
  return 0;
}
