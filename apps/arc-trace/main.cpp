// arc-trace: reads the trace file arcd writes (docs/trace-format.md).
//   arc-trace [--file F] show --task N [--tree-only]
//   arc-trace [--file F] tail [-n N] [-f] [filters]
//   arc-trace [--file F] stats [filters]
//   arc-trace [--file F] export --format chrome|mermaid [--task N] [-o OUT]
// Filters: --actor A, --type T, --since TIME, --until TIME (ISO-8601).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include "apps/arc-trace/analysis.hpp"
#include "core/time_text.hpp"
#include "core/version.hpp"

using namespace arc;
using namespace arc::tracetool;

namespace {

struct Options {
  std::string file, since, until, format, out;
  Filter filter;
  int64_t task = 0;
  int lines = 20;
  bool follow = false;
};

// Reads the trace, printing its notes (a half-written last line) to stderr.
std::vector<TraceEvent> load(const Options& o) {
  TraceRead r = read_trace(o.file);
  for (auto& n : r.notes) std::fprintf(stderr, "arc-trace: note: %s\n", n.c_str());
  resolve_replies(r.events);
  return r.events;
}

Filter filter_of(Options& o) {
  Filter f = o.filter;
  auto when = [](const std::string& text, const char* flag) -> int64_t {
    if (text.empty()) return 0;
    auto t = parse_iso_instant(text);
    if (!t) throw CLI::ValidationError(flag, "not an ISO-8601 time such as 2026-11-25T01:00:00Z: " + text);
    return *t;
  };
  f.since_ms = when(o.since, "--since");
  f.until_ms = when(o.until, "--until");
  return f;
}

void add_filters(CLI::App* cmd, Options& o) {
  cmd->add_option("--actor", o.filter.actor, "only messages from or to this actor (sensor = every sensor)");
  cmd->add_option("--type", o.filter.type, "only this message type (claim, finish, exec.start, ...)");
  cmd->add_option("--since", o.since, "only from this time (ISO-8601)");
  cmd->add_option("--until", o.until, "only up to this time (ISO-8601)");
}

int tail(Options& o) {
  Filter f = filter_of(o);
  auto events = filtered(load(o), f);
  size_t from = events.size() > static_cast<size_t>(o.lines) ? events.size() - static_cast<size_t>(o.lines) : 0;
  for (size_t i = from; i < events.size(); ++i) std::printf("%s\n", render_line(events[i]).c_str());
  std::fflush(stdout);
  if (!o.follow) return 0;
  // Follow: re-read what was appended (by byte offset) every 200 ms.
  std::ifstream in(o.file, std::ios::binary);
  in.seekg(0, std::ios::end);
  std::string partial;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    in.clear();
    std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (chunk.empty()) {
      if (std::ifstream(o.file, std::ios::binary | std::ios::ate).tellg() < in.tellg()) {  // rotated
        in = std::ifstream(o.file, std::ios::binary);
        partial.clear();
      }
      continue;
    }
    for (auto& e : take_lines(partial, chunk))
      if (matches(e, f)) std::printf("%s\n", render_line(e).c_str());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"arc-trace: follow a task's life through arcd's actors (docs/trace-format.md)"};
  app.set_version_flag("--version", std::string("arc-trace ") + arc::version() + " (" + arc::git_revision() + ")");
  Options o;
  o.file = std::getenv("ARC_TRACE") ? std::getenv("ARC_TRACE") : "arc-trace.jsonl";
  app.add_option("--file", o.file, "the trace file arcd wrote (default $ARC_TRACE, else arc-trace.jsonl)");
  app.require_subcommand(1);
  bool tree_only = false;
  auto* show = app.add_subcommand("show", "a task's life: time-ordered, then as a causal tree");
  show->add_option("--task", o.task, "task id")->required();
  show->add_flag("--tree-only", tree_only, "print only the causal tree");
  auto* tl = app.add_subcommand("tail", "the last events");
  tl->add_option("-n,--lines", o.lines, "how many (default 20)");
  tl->add_flag("-f,--follow", o.follow, "keep printing new events");
  add_filters(tl, o);
  auto* st = app.add_subcommand("stats", "messages and latency per actor pair and type; the slowest hops");
  add_filters(st, o);
  auto* ex = app.add_subcommand("export", "Chrome trace-event JSON or a Mermaid sequence diagram");
  ex->add_option("--format", o.format, "chrome | mermaid")->required()->check(CLI::IsMember({"chrome", "mermaid"}));
  ex->add_option("--task", o.task, "only this task's life (mermaid needs it)");
  ex->add_option("-o,--output", o.out, "write here instead of stdout");
  add_filters(ex, o);
  try {
    app.parse(argc, argv);
    if (show->parsed()) {
      auto life = task_life(load(o), o.task);
      if (life.empty()) {
        std::fprintf(stderr, "arc-trace: task %lld does not appear in %s (was tracing on while it ran?)\n",
                     static_cast<long long>(o.task), o.file.c_str());
        return 1;
      }
      if (!tree_only) {
        std::printf("task %lld: %zu events\n\n", static_cast<long long>(o.task), life.size());
        for (auto& e : life) std::printf("%s\n", render_line(e).c_str());
        std::printf("\ncausal tree\n\n");
      }
      std::printf("%s", causal_tree(life).c_str());
      return 0;
    }
    if (tl->parsed()) return tail(o);
    if (st->parsed()) {
      std::printf("%s", render_stats(stats(filtered(load(o), filter_of(o)))).c_str());
      return 0;
    }
    if (ex->parsed()) {
      if (o.format == "mermaid" && !o.task)
        throw CLI::ValidationError("--task", "a Mermaid diagram is of one task's life: pass --task N");
      auto events = filtered(load(o), filter_of(o));
      if (o.task) events = task_life(events, o.task);
      std::string text = o.format == "chrome" ? export_chrome(events) : export_mermaid(events);
      if (o.out.empty()) std::fwrite(text.data(), 1, text.size(), stdout);
      else if (!(std::ofstream(o.out) << text)) throw std::runtime_error(o.out + ": cannot write");
      return 0;
    }
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "arc-trace: %s\n", e.what());
    return 2;
  }
  return 0;
}
