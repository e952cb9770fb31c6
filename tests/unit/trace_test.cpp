// Trace files and arc-trace's analysis: reading (half-written and foreign
// files, rotation), filters, a task's life in causal order, stats on a known
// trace, and the Chrome and Mermaid exports.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "apps/arc-trace/analysis.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

using namespace tracetool;

TraceEvent ev(uint64_t id, uint64_t parent, const char* kind, const char* from, const char* to, const char* type,
              int64_t task, int64_t us) {
  TraceEvent e;
  e.id = id;
  e.parent = parent;
  e.corr = 1;
  e.kind = kind;
  e.from = from;
  e.to = to;
  e.type = type;
  e.task = task;
  e.node = "n1";
  e.wall_ms = 1'800'000'000'000 + us / 1000;
  e.mono_ns = us * 1000;
  return e;
}

// A sensor creates task 7; a claim hands it out; it runs and fails; triage
// scans because of it. Task 8 is claimed by the same claim.
std::vector<TraceEvent> life_of_7() {
  return {
      ev(1, 0, "send", "sensor:inbox", "persistence", "sensor", 0, 0),
      ev(1, 0, "recv", "", "persistence", "sensor", 0, 10),
      ev(2, 1, "event", "persistence", "", "task.created", 7, 100),
      ev(3, 0, "send", "dispatcher", "queue", "claim", 0, 1000),
      ev(3, 0, "recv", "", "queue", "claim", 0, 1020),
      ev(4, 3, "event", "persistence", "", "task.claimed", 7, 1500),
      ev(5, 3, "event", "persistence", "", "task.claimed", 8, 1500),
      ev(6, 4, "event", "dispatcher", "", "exec.start", 7, 1600),
      ev(9, 5, "event", "dispatcher", "", "exec.start", 8, 1600),
      ev(10, 6, "event", "runner", "", "exec.done", 7, 5000),
      ev(11, 10, "send", "dispatcher", "queue", "finish", 7, 5100),
      ev(11, 0, "recv", "", "queue", "finish", 7, 5110),
      ev(12, 11, "send", "dispatcher", "triage", "failed", 7, 5200),
      ev(12, 0, "recv", "", "triage", "failed", 7, 5230),
      ev(13, 12, "send", "triage", "persistence", "triage", 7, 5300),
      ev(14, 13, "reply", "persistence", "", "triage", 7, 9300),
  };
}

TEST(TraceEventLine, RoundTripsAwkwardTextAsValidJson) {
  TraceEvent e = ev(18446744073709551615ull, 2, "send", "sensor:\"q\"", "queue", "claim", 7, 1);
  e.payload = std::string("quote \" backslash \\ newline \n tab \t bell \a bad utf8 \xff\xfe end");
  auto j = nlohmann::json::parse(to_json_line(e));
  EXPECT_EQ(j["id"].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(j["from"], "sensor:\"q\"");
  std::string p = j["payload"];
  // Control characters other than \n and \t are dropped; invalid UTF-8 is replaced.
  EXPECT_NE(p.find("quote \" backslash \\ newline \n tab \t bell  bad utf8 "), std::string::npos) << p;
  EXPECT_EQ(j["task"], 7);
}

TEST(TraceRead, HalfWrittenLastLineIsSkippedWithANote) {
  test::TempDir dir;
  std::string path = dir.file("t.jsonl");
  {
    std::ofstream out(path);
    out << nlohmann::json({{"format", kTraceFormat}}).dump() << "\n";
    for (auto& e : life_of_7()) out << to_json_line(e) << "\n";
    out << to_json_line(life_of_7()[0]).substr(0, 40);  // the crash came mid-write
  }
  auto r = read_trace(path);
  EXPECT_EQ(r.events.size(), life_of_7().size());
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("half-written"), std::string::npos) << r.notes[0];
}

TEST(TraceRead, AForeignOrMissingFileIsAClearError) {
  test::TempDir dir;
  std::string path = dir.file("other.json");
  std::ofstream(path) << "{\"hello\": 1}\n";
  try {
    read_trace(path);
    FAIL() << "a foreign file was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not an arc trace file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_trace(dir.file("missing.jsonl")), std::runtime_error);
  // A header whose format is not a string is foreign too (it was a json type_error).
  for (const char* header : {"{\"format\": 5}", "{\"format\": null}", "[\"arc-trace/1\"]"}) {
    TraceRead r;
    try {
      read_trace_text("h.jsonl", std::string(header) + "\n", r);
      FAIL() << header << " was read";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("not an arc trace file"), std::string::npos) << e.what();
    }
  }
}

TEST(TraceWriter, RotatesBySizeAndTheReaderReadsOldestFirst) {
  test::TempDir dir;
  std::string path = dir.file("t.jsonl");
  auto events = life_of_7();
  {
    TraceWriter w(path, 600, 5);  // a few events a file
    for (auto& e : events) ASSERT_TRUE(w.write({e})) << w.error();
  }
  EXPECT_TRUE(std::ifstream(path + ".1").good());
  auto r = read_trace(path);
  ASSERT_EQ(r.events.size(), events.size()) << "rotation lost events";
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(r.events[i].mono_ns, events[i].mono_ns) << i;
  EXPECT_TRUE(r.notes.empty());
}

TEST(TraceAnalysis, FiltersByActorTypeAndTime) {
  auto all = life_of_7();
  resolve_replies(all);
  EXPECT_EQ(filtered(all, Filter{"sensor", "", 0, 0, 0}).size(), 1u);  // sensor:inbox, by prefix
  EXPECT_EQ(filtered(all, Filter{"", "exec.start", 0, 0, 0}).size(), 2u);
  EXPECT_EQ(filtered(all, Filter{"triage", "", 0, 0, 0}).size(), 4u);  // from or to
  Filter late;
  late.since_ms = 1'800'000'000'000 + 5;
  EXPECT_EQ(filtered(all, late).size(), 7u);  // from exec.done on
}

TEST(TraceAnalysis, ATasksLifeIsItsChainsInCausalOrderWithoutTheOtherTask) {
  auto all = life_of_7();
  std::reverse(all.begin(), all.end());  // file order is not time order across threads
  auto life = task_life(all, 7);
  std::vector<std::string> types;
  for (auto& e : life) types.push_back(e.kind + ":" + e.type);
  std::vector<std::string> want = {"send:sensor", "recv:sensor", "event:task.created", "send:claim", "recv:claim",
                                   "event:task.claimed", "event:exec.start", "event:exec.done", "send:finish",
                                   "recv:finish", "send:failed", "recv:failed", "send:triage", "reply:triage"};
  EXPECT_EQ(types, want);
  for (auto& e : life) EXPECT_NE(e.task, 8) << "task 8's events are not task 7's life";
  std::string tree = causal_tree(life);
  // Indented by cause: the triage scan under the failure under the finish.
  EXPECT_NE(tree.find("Z            dispatcher -> triage: failed [task 7]"), std::string::npos) << tree;
  EXPECT_NE(tree.find("dispatcher -> queue: claim  (+20 us)"), std::string::npos) << tree;
}

TEST(TraceAnalysis, StatsOnAKnownTrace) {
  auto all = life_of_7();
  resolve_replies(all);
  Stats s = stats(all);
  EXPECT_EQ(s.events, 16);
  ASSERT_EQ(s.hops.size(), 4u);  // sensor, claim, finish, failed hops have a recv
  for (auto& h : s.hops) {
    EXPECT_EQ(h.count, 1);
    if (h.type == "failed") {
      EXPECT_DOUBLE_EQ(h.mean_us, 30);
    } else if (h.type == "claim") {
      EXPECT_DOUBLE_EQ(h.max_us, 20);
    }
  }
  ASSERT_EQ(s.replies.size(), 1u);
  EXPECT_EQ(s.replies[0].from, "triage");
  EXPECT_EQ(s.replies[0].to, "persistence");
  EXPECT_DOUBLE_EQ(s.replies[0].mean_us, 4000);
  ASSERT_FALSE(s.slowest.empty());
  EXPECT_EQ(s.slowest[0].type, "failed");  // 30 us, the slowest hop
  EXPECT_EQ(all.back().to, "triage") << "the reply's receiver comes from its request";
}

// Found by tests/fuzz/trace_file_fuzz.cpp: an event whose parent is its own
// id (a damaged or hand-edited file) made the causal tree recurse until the
// stack overflowed.
TEST(TraceAnalysis, CausalTreeShowsEachEventOnceWhenIdsMakeACycle) {
  std::vector<TraceEvent> life = {
      ev(1, 0, "send", "dispatcher", "queue", "claim", 7, 0),
      ev(1, 1, "event", "queue", "", "looped", 7, 10),  // its own parent
      ev(2, 3, "event", "a", "", "ring.a", 7, 20),      // 2 and 3: a cycle with no root
      ev(3, 2, "event", "b", "", "ring.b", 7, 30),
  };
  std::string tree = causal_tree(life);
  for (const char* t : {"claim", "looped", "ring.a", "ring.b"}) {
    size_t at = tree.find(t);
    ASSERT_NE(at, std::string::npos) << t << " missing:\n" << tree;
    EXPECT_EQ(tree.find(t, at + 1), std::string::npos) << t << " shown twice:\n" << tree;
  }
}

// A chain far deeper than any recursion could follow; its tree stays linear
// in size.
TEST(TraceAnalysis, CausalTreeOfAVeryLongChain) {
  std::vector<TraceEvent> life;
  for (uint64_t i = 1; i <= 200'000; ++i) life.push_back(ev(i, i - 1, "event", "a", "", "step", 7, 0));
  std::string tree = causal_tree(life);
  EXPECT_EQ(std::count(tree.begin(), tree.end(), '\n'), 200'000);
  EXPECT_LT(tree.size(), 200'000u * 120) << "indentation must not grow without bound";
  EXPECT_NE(tree.find("[depth 199999] a: step"), std::string::npos);
}

// Found by the same fuzzer: "wall_ms": 1.8e22 was converted to an integer
// with undefined behaviour. Times arcd never writes make a line not an event.
TEST(TraceEventLine, MistypedOrOutOfRangeNumbersAreNotEvents) {
  std::string good = to_json_line(life_of_7()[0]);
  ASSERT_TRUE(parse_trace_line(good));
  auto with = [&](const std::string& field, const std::string& value) {
    auto j = nlohmann::json::parse(good);
    j[field] = nlohmann::json::parse(value);
    return j.dump();
  };
  EXPECT_FALSE(parse_trace_line(with("wall_ms", "1.8e22")));
  EXPECT_FALSE(parse_trace_line(with("wall_ms", "-1")));
  EXPECT_FALSE(parse_trace_line(with("wall_ms", "253402300800000")));  // after 9999-12-31
  EXPECT_FALSE(parse_trace_line(with("mono_ns", "-5")));
  EXPECT_FALSE(parse_trace_line(with("mono_ns", "1.5")));
  EXPECT_FALSE(parse_trace_line(with("task", "18446744073709551615")));
  EXPECT_FALSE(parse_trace_line(with("id", "-1")));
  EXPECT_FALSE(parse_trace_line(with("parent", "2.0")));
  EXPECT_TRUE(parse_trace_line(with("wall_ms", "253402300799999")));
  EXPECT_TRUE(parse_trace_line(with("id", "18446744073709551615")));

  TraceRead r;
  read_trace_text("t.jsonl", nlohmann::json({{"format", kTraceFormat}}).dump() + "\n" + with("wall_ms", "1e300") + "\n" + good + "\n", r);
  EXPECT_EQ(r.events.size(), 1u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("line 2 is not a trace event (wall_ms"), std::string::npos) << r.notes[0];
}

// tail -f: lines split across reads are joined; the header is skipped.
TEST(TraceAnalysis, TakeLinesJoinsLinesSplitAcrossReads) {
  std::string line = to_json_line(life_of_7()[2]);
  std::string partial;
  EXPECT_TRUE(take_lines(partial, "{\"format\":\"arc-trace/1\"}\n" + line.substr(0, 30)).empty());
  auto got = take_lines(partial, line.substr(30) + "\n");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "task.created");
  EXPECT_TRUE(partial.empty());
}

TEST(TraceAnalysis, ChromeExportIsValidJsonWithTracksAndFlowArrows) {
  auto j = nlohmann::json::parse(export_chrome(life_of_7()));
  auto& ev = j.at("traceEvents");
  int starts = 0, finishes = 0, slices = 0;
  std::set<std::string> tracks;
  for (auto& e : ev) {
    std::string ph = e.at("ph");
    if (ph == "s") ++starts;
    if (ph == "f") ++finishes;
    if (ph == "X") ++slices;
    if (ph == "M" && e.at("name") == "thread_name") tracks.insert(e.at("args").at("name").get<std::string>());
  }
  EXPECT_EQ(starts, 4);
  EXPECT_EQ(finishes, 4);
  EXPECT_EQ(slices, 16);
  EXPECT_EQ(tracks, (std::set<std::string>{"sensor:inbox", "persistence", "dispatcher", "queue", "runner", "triage"}));
}

TEST(TraceAnalysis, MermaidSequenceDiagramOfOneTask) {
  auto all = life_of_7();
  resolve_replies(all);
  std::string m = export_mermaid(task_life(all, 7));
  EXPECT_EQ(m.rfind("sequenceDiagram\n", 0), 0u);
  EXPECT_NE(m.find("participant sensor_inbox as sensor/inbox"), std::string::npos) << m;
  EXPECT_NE(m.find("dispatcher->>queue: finish task 7"), std::string::npos) << m;
  EXPECT_NE(m.find("persistence-->>triage: triage task 7"), std::string::npos) << m;
  EXPECT_NE(m.find("Note over runner: exec.done task 7"), std::string::npos) << m;
}

}  // namespace
}  // namespace arc
