#include "apps/arc-trace/analysis.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/time_text.hpp"

namespace arc::tracetool {

void resolve_replies(std::vector<TraceEvent>& events) {
  std::unordered_map<uint64_t, std::string> sender;
  for (auto& e : events)
    if (e.kind == "send") sender[e.id] = e.from;
  for (auto& e : events)
    if (e.kind == "reply" && e.to.empty() && sender.count(e.parent)) e.to = sender[e.parent];
}

bool matches(const TraceEvent& e, const Filter& f) {
  auto actor_is = [&](const std::string& a) {
    return a == f.actor || (a.size() > f.actor.size() && a.compare(0, f.actor.size(), f.actor) == 0 &&
                            a[f.actor.size()] == ':');
  };
  if (!f.actor.empty() && !actor_is(e.from) && !actor_is(e.to)) return false;
  if (!f.type.empty() && e.type != f.type) return false;
  if (f.since_ms && e.wall_ms < f.since_ms) return false;
  if (f.until_ms && e.wall_ms > f.until_ms) return false;
  if (f.task && e.task != f.task) return false;
  return true;
}

std::vector<TraceEvent> filtered(const std::vector<TraceEvent>& events, const Filter& f) {
  std::vector<TraceEvent> out;
  for (auto& e : events)
    if (matches(e, f)) out.push_back(e);
  return out;
}

std::vector<TraceEvent> take_lines(std::string& partial, const std::string& chunk) {
  partial += chunk;
  std::vector<TraceEvent> out;
  size_t from = 0, nl;
  while ((nl = partial.find('\n', from)) != std::string::npos) {
    if (auto e = parse_trace_line(partial.substr(from, nl - from))) out.push_back(std::move(*e));
    from = nl + 1;
  }
  partial.erase(0, from);
  return out;
}

std::string render_line(const TraceEvent& e) {
  std::string route = e.kind == "event" ? e.from : e.kind == "recv" ? "-> " + e.to : e.from + " -> " + e.to;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s  %-5s  %-34s %-14s", format_iso_utc(e.wall_ms).c_str(), e.kind.c_str(),
                route.c_str(), e.type.c_str());
  std::string s = buf;
  if (e.task) s += " task " + std::to_string(e.task);
  if (!e.payload.empty()) s += "  " + e.payload;
  return s;
}

namespace {

// Time order: wall time (ms), then within one node its steady clock. A total
// order: consistent across nodes and across a node's restarts.
void sort_by_time(std::vector<TraceEvent>& v) {
  std::stable_sort(v.begin(), v.end(), [](const TraceEvent& a, const TraceEvent& b) {
    return std::tie(a.wall_ms, a.node, a.mono_ns) < std::tie(b.wall_ms, b.node, b.mono_ns);
  });
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

std::vector<TraceEvent> task_life(const std::vector<TraceEvent>& events, int64_t task) {
  std::unordered_map<uint64_t, const TraceEvent*> by_id;  // the non-recv event of each id
  std::unordered_map<uint64_t, std::vector<const TraceEvent*>> children;
  for (auto& e : events) {
    if (e.kind == "recv") continue;
    by_id[e.id] = &e;
    if (e.parent) children[e.parent].push_back(&e);
  }
  std::set<uint64_t> keep;
  for (auto& e : events) {
    if (e.kind == "recv" || e.task != task) continue;
    // Its causes, up to the root.
    for (const TraceEvent* c = &e; c && keep.insert(c->id).second;) {
      auto it = by_id.find(c->parent);
      c = it == by_id.end() ? nullptr : it->second;
    }
    keep.insert(e.id);
  }
  // What they caused, except other tasks' lives (an investigation it led to is kept).
  std::vector<uint64_t> todo(keep.begin(), keep.end());
  while (!todo.empty()) {
    uint64_t id = todo.back();
    todo.pop_back();
    for (auto* c : children[id]) {
      bool other_task = c->task && c->task != task && c->type != "task.created";
      if (!other_task && keep.insert(c->id).second) todo.push_back(c->id);
    }
  }
  std::vector<TraceEvent> out;
  for (auto& e : events)
    if (keep.count(e.id)) out.push_back(e);
  sort_by_time(out);
  return out;
}

std::string causal_tree(const std::vector<TraceEvent>& life) {
  std::unordered_map<uint64_t, const TraceEvent*> main, recv;
  for (auto& e : life) (e.kind == "recv" ? recv : main)[e.id] = &e;
  std::map<uint64_t, std::vector<const TraceEvent*>> kids;
  std::vector<const TraceEvent*> roots;
  for (auto& e : life) {
    if (e.kind == "recv") continue;
    if (e.parent && main.count(e.parent)) kids[e.parent].push_back(&e);
    else roots.push_back(&e);
  }
  // Depth first with an explicit stack, each event once: a chain may be
  // thousands of hops deep, and a damaged or hand-edited file may make ids
  // repeat, so that the "tree" has cycles (this overflowed the stack, found
  // by tests/fuzz/trace_file_fuzz.cpp).
  std::string out;
  std::unordered_set<const TraceEvent*> shown;
  // Indentation stops at kMaxIndent levels (deeper lines say their depth):
  // otherwise the tree of a long chain grows with the square of its length.
  constexpr size_t kMaxIndent = 32;
  auto line_of = [&](const TraceEvent* e, size_t depth) {
    std::string line(std::min(depth, kMaxIndent) * 2, ' ');
    if (depth > kMaxIndent) line += "[depth " + std::to_string(depth) + "] ";
    line += e->kind == "event" ? e->from + ": " + e->type
                               : e->from + " -> " + (e->to.empty() ? "?" : e->to) + ": " + e->type +
                                     (e->kind == "reply" ? " (reply)" : "");
    if (e->task) line += " [task " + std::to_string(e->task) + "]";
    if (!e->payload.empty()) line += "  " + e->payload;
    auto r = recv.find(e->id);
    if (r != recv.end() && r->second->node == e->node)
      line += "  (+" + std::to_string((r->second->mono_ns - e->mono_ns) / 1000) + " us)";
    return format_iso_utc(e->wall_ms).substr(11) + "  " + line + "\n";
  };
  auto walk = [&](const TraceEvent* root) {
    std::vector<std::pair<const TraceEvent*, size_t>> todo{{root, 0}};
    while (!todo.empty()) {
      auto [e, depth] = todo.back();
      todo.pop_back();
      if (!shown.insert(e).second) continue;
      out += line_of(e, depth);
      auto& k = kids[e->id];
      for (auto it = k.rbegin(); it != k.rend(); ++it) todo.push_back({*it, depth + 1});
    }
  };
  for (auto* r : roots) walk(r);
  // Events on a cycle have no root: each cycle is shown from its first event.
  for (auto& e : life)
    if (e.kind != "recv" && !shown.count(&e)) walk(&e);
  return out;
}

Stats stats(const std::vector<TraceEvent>& events) {
  Stats s;
  s.events = static_cast<int64_t>(events.size());
  std::unordered_map<uint64_t, const TraceEvent*> sends;
  for (auto& e : events)
    if (e.kind == "send") sends[e.id] = &e;
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, std::vector<double>> hop, rtt;
  std::vector<Slow> all;
  for (auto& e : events) {
    if (e.kind == "recv") {
      auto it = sends.find(e.id);
      if (it == sends.end() || it->second->node != e.node) continue;
      double us = static_cast<double>(e.mono_ns - it->second->mono_ns) / 1000.0;
      hop[{it->second->from, e.to, e.type}].push_back(us);
      all.push_back({it->second->from, e.to, e.type, e.task, us});
    } else if (e.kind == "reply") {
      auto it = sends.find(e.parent);
      if (it == sends.end() || it->second->node != e.node) continue;
      rtt[{it->second->from, e.from, e.type}].push_back(static_cast<double>(e.mono_ns - it->second->mono_ns) / 1000.0);
    }
  }
  auto fold = [](std::map<Key, std::vector<double>>& m, std::vector<PairStats>& out) {
    for (auto& [k, v] : m) {
      PairStats p{std::get<0>(k), std::get<1>(k), std::get<2>(k), static_cast<int64_t>(v.size())};
      double sum = 0;
      for (double x : v) sum += x;
      p.mean_us = sum / static_cast<double>(v.size());
      p.p50_us = percentile(v, 0.5);
      p.max_us = *std::max_element(v.begin(), v.end());
      out.push_back(p);
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.count > b.count; });
  };
  fold(hop, s.hops);
  fold(rtt, s.replies);
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.us > b.us; });
  if (all.size() > 10) all.resize(10);
  s.slowest = all;
  return s;
}

std::string render_stats(const Stats& s) {
  std::string out = std::to_string(s.events) + " events\n\nhops (send -> recv)\n";
  char buf[200];
  auto table = [&](const std::vector<PairStats>& v) {
    std::snprintf(buf, sizeof buf, "  %-40s %-12s %8s %10s %10s %10s\n", "from -> to", "type", "count", "mean us",
                  "p50 us", "max us");
    out += buf;
    for (auto& p : v) {
      std::snprintf(buf, sizeof buf, "  %-40s %-12s %8lld %10.1f %10.1f %10.1f\n", (p.from + " -> " + p.to).c_str(),
                    p.type.c_str(), static_cast<long long>(p.count), p.mean_us, p.p50_us, p.max_us);
      out += buf;
    }
  };
  table(s.hops);
  out += "\nrequests (send -> reply, round trip)\n";
  table(s.replies);
  out += "\nslowest hops\n";
  for (auto& h : s.slowest) {
    std::snprintf(buf, sizeof buf, "  %10.1f us  %s -> %s %s", h.us, h.from.c_str(), h.to.c_str(), h.type.c_str());
    out += buf;
    if (h.task) out += " task " + std::to_string(h.task);
    out += "\n";
  }
  return out;
}

std::string export_chrome(const std::vector<TraceEvent>& events) {
  using nlohmann::json;
  std::set<std::string> nodes;
  for (auto& e : events) nodes.insert(e.node);
  bool mono = nodes.size() <= 1;  // one node: its steady clock; several: wall time
  int64_t t0 = INT64_MAX;
  for (auto& e : events) t0 = std::min(t0, mono ? e.mono_ns / 1000 : e.wall_ms * 1000);
  auto ts = [&](const TraceEvent& e) { return (mono ? e.mono_ns / 1000 : e.wall_ms * 1000) - t0; };
  std::map<std::string, int> tid;  // one track per actor
  auto track = [&](const std::string& a) {
    auto it = tid.find(a);
    if (it != tid.end()) return it->second;
    int n = static_cast<int>(tid.size()) + 1;
    tid[a] = n;
    return n;
  };
  json out = json::array();
  std::unordered_map<uint64_t, bool> has_recv;
  for (auto& e : events)
    if (e.kind == "recv") has_recv[e.id] = true;
  for (auto& e : events) {
    std::string where = e.kind == "recv" ? e.to : e.from;
    json args = {{"id", std::to_string(e.id)}, {"parent", std::to_string(e.parent)}, {"task", e.task},
                 {"payload", e.payload}};
    std::string name = e.kind == "recv" ? "recv " + e.type : e.kind == "event" ? e.type : e.type + " -> " + e.to;
    // A slice of 1 us at each event: flows attach to slices.
    out.push_back({{"name", name}, {"cat", e.kind}, {"ph", "X"}, {"ts", ts(e)}, {"dur", 1}, {"pid", 1},
                   {"tid", track(where)}, {"args", args}});
    if (e.kind == "send" && has_recv.count(e.id))
      out.push_back({{"name", e.type}, {"cat", "hop"}, {"ph", "s"}, {"id", std::to_string(e.id)}, {"ts", ts(e)},
                     {"pid", 1}, {"tid", track(where)}});
    if (e.kind == "recv")
      out.push_back({{"name", e.type}, {"cat", "hop"}, {"ph", "f"}, {"bp", "e"}, {"id", std::to_string(e.id)},
                     {"ts", ts(e)}, {"pid", 1}, {"tid", track(where)}});
  }
  for (auto& [a, n] : tid)
    out.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", n}, {"args", {{"name", a}}}});
  out.push_back({{"name", "process_name"}, {"ph", "M"}, {"pid", 1}, {"args", {{"name", "arcd"}}}});
  return json{{"traceEvents", out}, {"displayTimeUnit", "ms"}}.dump(1) + "\n";
}

std::string export_mermaid(const std::vector<TraceEvent>& events) {
  auto id = [](std::string a) {  // Mermaid participant ids: no ':'
    std::replace(a.begin(), a.end(), ':', '_');
    return a.empty() ? std::string("unknown") : a;
  };
  auto text = [](std::string s) {  // no ';' or '#' (Mermaid syntax), one line
    for (char& c : s)
      if (c == ';' || c == '#' || c == '\n') c = ' ';
    return s.size() > 80 ? s.substr(0, 77) + "..." : s;
  };
  std::unordered_map<uint64_t, const TraceEvent*> sends;
  for (auto& e : events)
    if (e.kind == "send") sends[e.id] = &e;
  std::string out = "sequenceDiagram\n";
  std::set<std::string> seen;
  for (auto& e : events) {
    for (auto* a : {&e.from, &e.to})
      if (!a->empty() && seen.insert(*a).second) {
        std::string alias = *a;
        std::replace(alias.begin(), alias.end(), ':', '/');
        out += "  participant " + id(*a) + " as " + alias + "\n";
      }
  }
  for (auto& e : events) {
    std::string label = e.type + (e.task ? " task " + std::to_string(e.task) : "") +
                        (e.payload.empty() ? "" : ": " + text(e.payload));
    if (e.kind == "send") {
      out += "  " + id(e.from) + "->>" + id(e.to) + ": " + label + "\n";
    } else if (e.kind == "reply") {
      auto it = sends.find(e.parent);
      std::string to = !e.to.empty() ? e.to : it != sends.end() ? it->second->from : "";
      if (to.empty()) continue;
      out += "  " + id(e.from) + "-->>" + id(to) + ": " + label + "\n";
    } else if (e.kind == "event") {
      out += "  Note over " + id(e.from) + ": " + label + "\n";
    }
  }
  return out;
}

}  // namespace arc::tracetool
