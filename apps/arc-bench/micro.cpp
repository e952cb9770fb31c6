// Google Benchmark micro-benchmarks: the pure hot paths.
#include <benchmark/benchmark.h>

#include "actors/trace.hpp"

#include "core/claude_output.hpp"
#include "core/failure_patterns.hpp"
#include "core/reset_time.hpp"
#include "storage/schema.hpp"
#include "storage/task_store.hpp"

namespace arc {
namespace {

void BM_ResetParser(benchmark::State& state) {
  const char* texts[] = {"You've hit your limit \xc2\xb7 resets 5pm (America/Chicago)", "resets 17:00 (UTC)",
                         "Claude AI usage limit reached|1779000000", "resets 2026-05-27T21:00:00Z"};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(parse_reset_time(texts[i++ % 4], 1'778'727'600'000, "UTC"));
}
BENCHMARK(BM_ResetParser);

void BM_ArcOutput(benchmark::State& state) {
  ProcessResult r;
  r.exit_code = 0;
  r.out = "working...\nstill working\n{\"status\":\"completed\",\"summary\":\"reviewed PR 42\",\"cost_usd\":0.04,\"tokens_in\":18200,\"tokens_out\":950}\n";
  for (auto _ : state) benchmark::DoNotOptimize(interpret_arc_output(r));
}
BENCHMARK(BM_ArcOutput);

void BM_ClaudeStreamJson(benchmark::State& state) {
  ProcessResult r;
  r.exit_code = 0;
  for (int i = 0; i < 20; ++i) r.out += "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"step\"}]}}\n";
  r.out += "{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"result\":\"done\",\"total_cost_usd\":0.07,"
           "\"usage\":{\"input_tokens\":1200,\"output_tokens\":640},\"session_id\":\"s\"}\n";
  for (auto _ : state) benchmark::DoNotOptimize(interpret_claude_output(r));
}
BENCHMARK(BM_ClaudeStreamJson);

void BM_FailureClustering(benchmark::State& state) {
  TemplateMiner m;
  int64_t n = 0;
  for (auto _ : state) {
    std::string s = "GET https://api.github.com/repos/x/pulls/" + std::to_string(n++) + " failed: HTTP 502 Bad Gateway";
    benchmark::DoNotOptimize(m.add(s));
  }
}
BENCHMARK(BM_FailureClustering);

// Next-task selection (claim of one task + its completion) with 10k pending tasks.
void BM_NextTaskSelection(benchmark::State& state) {
  std::string path = "/tmp/arc-bench-micro.db";
  std::remove(path.c_str());
  OpenOptions oo;
  oo.synchronous = "normal";
  auto db = open_database(path, oo);
  TaskStore store(*db, system_clock());
  in_transaction(*db, [&] {
    for (int i = 0; i < 10'000; ++i) {
      TaskSpec s;
      s.subject = "t";
      s.priority = 1 + i % 10;
      store.create(s, "bench");
    }
  });
  for (auto _ : state) {
    auto tasks = in_transaction(*db, [&] { return store.claim("bench", 1, 60'000); });
    state.PauseTiming();
    if (tasks.empty()) state.SkipWithError("queue ran dry");
    else in_transaction(*db, [&] { return store.requeue(tasks[0].id, "bench", "bench"); });
    state.ResumeTiming();
  }
  std::remove(path.c_str());
}
// What every traced message costs with tracing off: the branch, no allocation.
void BM_TraceSendWhileOff(benchmark::State& state) {
  TraceCtx cause{1, 1, 7};
  for (auto _ : state)
    benchmark::DoNotOptimize(trace::send(cause, "dispatcher", "queue", "finish", 7, [] { return std::string(64, 'x'); }));
}
BENCHMARK(BM_TraceSendWhileOff);

BENCHMARK(BM_NextTaskSelection)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace arc
