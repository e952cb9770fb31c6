// The gate's state machine and its persistence (events, incident, resume preparation).
#include <gtest/gtest.h>

#include "core/time_text.hpp"
#include "storage/gate_store.hpp"
#include "storage/schema.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

millis at(const char* iso) { return *parse_iso_instant(iso); }

TEST(Gate, RateLimitStopsUntilTheResetPlusMarginThenResumesByItself) {
  GateState g;
  GateConfig c;
  c.resume_margin_ms = 10'000;
  millis t = at("2026-05-14T03:00:00Z");
  auto ch = gate_on_outcome(g, c, RunOutcome::rate_limited, "resets 5pm (America/Chicago)", t);
  EXPECT_TRUE(ch.changed);
  EXPECT_EQ(g.state, GateMode::stopped_rate_limited);
  EXPECT_EQ(g.resume_at, at("2026-05-14T22:00:10Z"));
  EXPECT_FALSE(may_claim(g));
  EXPECT_FALSE(gate_tick(g, at("2026-05-14T22:00:09Z")).changed);
  auto r = gate_tick(g, at("2026-05-14T22:00:10Z"));
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.stopped_for_ms, at("2026-05-14T22:00:10Z") - t);
  EXPECT_TRUE(may_claim(g));
}

TEST(Gate, UnreadableResetFallsBackAndSaysSo) {
  GateState g;
  GateConfig c;
  c.fallback_backoff_ms = 3'600'000;
  millis t = at("2026-05-14T03:00:00Z");
  gate_on_outcome(g, c, RunOutcome::rate_limited, "quota exceeded, try later", t);
  EXPECT_EQ(g.resume_at, t + 3'600'000);
  EXPECT_NE(g.reason.find("not understood"), std::string::npos) << g.reason;
  gate_on_outcome(g = GateState{}, c, RunOutcome::rate_limited, "resets 5pm (Mars/Base)", t);
  EXPECT_NE(g.reason.find("unknown time zone"), std::string::npos) << g.reason;
}

TEST(Gate, ConsecutiveFailuresStopUntilReset) {
  GateState g;
  GateConfig c;
  millis t = 1000;
  gate_on_outcome(g, c, RunOutcome::failed, "x", t);
  gate_on_outcome(g, c, RunOutcome::failed, "x", t);
  gate_on_outcome(g, c, RunOutcome::completed, "", t);  // the streak is broken
  gate_on_outcome(g, c, RunOutcome::failed, "x", t);
  gate_on_outcome(g, c, RunOutcome::failed, "x", t);
  EXPECT_TRUE(may_claim(g));
  gate_on_outcome(g, c, RunOutcome::failed, "x", t);
  EXPECT_EQ(g.state, GateMode::stopped_failures);
  EXPECT_FALSE(gate_resume(g, "", t).changed);  // needs a reset
  EXPECT_FALSE(gate_tick(g, t + 86'400'000).changed);
  EXPECT_TRUE(gate_reset(g, "", t).changed);
  EXPECT_EQ(g.consecutive_failures, 0);
}

TEST(Gate, ManualPauseIsNotLiftedByARateLimitOrTime) {
  GateState g;
  GateConfig c;
  gate_pause(g, "maintenance", 1000);
  gate_on_outcome(g, c, RunOutcome::rate_limited, "resets 17:00 (UTC)", 2000);
  EXPECT_EQ(g.state, GateMode::paused);
  EXPECT_FALSE(gate_tick(g, 9'999'999'999).changed);
  EXPECT_TRUE(gate_resume(g, "", 3000).changed);
}

TEST(Gate, ASecondRateLimitKeepsTheLaterResumeTime) {
  GateState g;
  GateConfig c;
  c.resume_margin_ms = 0;
  millis t = at("2026-05-14T03:00:00Z");
  gate_on_outcome(g, c, RunOutcome::rate_limited, "resets 5pm (America/Chicago)", t);
  gate_on_outcome(g, c, RunOutcome::rate_limited, "limit reached, no idea when", t + 1000);  // fallback: +1 h
  EXPECT_EQ(g.resume_at, at("2026-05-14T22:00:00Z"));
  GateState p;
  gate_pause(p, "maintenance", t);
  gate_on_outcome(p, c, RunOutcome::rate_limited, "resets 17:00 (UTC)", t);
  EXPECT_EQ(p.reason, "maintenance");
  EXPECT_EQ(p.resume_at, 0);
}

TEST(GateStore, TransitionsArePersistedWithEventsAndAnIncident) {
  test::TempDir dir;
  SimClock clock(at("2026-05-14T03:00:00Z"));
  auto db = open_database(dir.file("g.db"));
  TaskStore store(*db, clock);
  GateConfig c;
  c.resume_margin_ms = 0;
  in_transaction(*db, [&] { return apply_gate(*db, store, c, {GateOp::outcome, RunOutcome::rate_limited, "resets 17:00 (UTC)"}); });
  EXPECT_EQ(load_gate(*db).state, GateMode::stopped_rate_limited);  // survives a restart: it is the row
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM incidents WHERE kind='rate_limit' AND closed_at IS NULL"), 1);
  clock.set(at("2026-05-14T17:00:00Z"));
  auto r = in_transaction(*db, [&] { return apply_gate(*db, store, c, GateCommand{}); });
  EXPECT_TRUE(r.change.changed);
  EXPECT_EQ(load_gate(*db).state, GateMode::running);
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM incidents WHERE closed_at IS NOT NULL"), 1);
  auto ev = gate_events(*db, 10);
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].to, "running");
  EXPECT_EQ(ev[1].to, "stopped_rate_limited");
}

TEST(GateStore, ResumeAfterALongStopExpiresStaleWorkFirst) {
  test::TempDir dir;
  SimClock clock(at("2026-05-14T03:00:00Z"));
  auto db = open_database(dir.file("g.db"));
  TaskStore store(*db, clock);
  GateConfig c;
  c.resume_margin_ms = 0;
  c.max_age_by_skill["arxiv"] = 6 * 3'600'000;
  c.max_age_by_source["sensor:watch:"] = 2 * 3'600'000;
  c.max_age_by_source["sensor:"] = 3'600'000;  // shorter prefix, shorter age: the longest prefix decides
  in_transaction(*db, [&] { return apply_gate(*db, store, c, {GateOp::outcome, RunOutcome::rate_limited, "resets 17:00 (UTC)"}); });
  auto add = [&](std::string subject, std::vector<std::string> skills, std::string source, millis expires) {
    TaskSpec s;
    s.subject = std::move(subject);
    s.skills = std::move(skills);
    s.source = std::move(source);
    s.expires_at = expires;
    return store.create(s, "t").id;
  };
  int64_t digest = add("arXiv digest", {"arxiv"}, "", 0);
  int64_t watch = add("watch report", {}, "sensor:watch:1", 0);
  int64_t alert = add("health alert", {}, "", clock.now_ms() + 3'600'000);
  clock.set(at("2026-05-14T16:00:00Z"));
  int64_t fresh_digest = add("arXiv digest", {"arxiv"}, "", 0);
  int64_t review = add("PR review", {"review"}, "sensor:github:pr-9", 0);  // "sensor:" 1 h, but only 1 h old
  int64_t fresh_watch = add("watch report", {}, "sensor:watch:2", 0);       // 1 h old: under watch's 2 h
  clock.set(at("2026-05-14T17:00:00Z"));
  auto r = in_transaction(*db, [&] { return apply_gate(*db, store, c, GateCommand{}); });
  EXPECT_EQ(r.expired, 3);
  for (int64_t id : {digest, watch, alert}) {
    auto t = store.get(id);
    EXPECT_EQ(t->status, TaskStatus::expired) << t->subject;
    EXPECT_FALSE(t->summary.empty());
  }
  EXPECT_NE(store.get(digest)->summary.find("skill arxiv max_age"), std::string::npos) << store.get(digest)->summary;
  EXPECT_NE(store.get(watch)->summary.find("sensor:watch:"), std::string::npos);
  EXPECT_EQ(store.get(fresh_digest)->status, TaskStatus::pending);
  EXPECT_EQ(store.get(review)->status, TaskStatus::pending);
  EXPECT_EQ(store.get(fresh_watch)->status, TaskStatus::pending);
}

TEST(Gate, WhatARunTellsTheGate) {
  EXPECT_EQ(gate_word(RunOutcome::systemic, TaskStatus::pending), RunOutcome::systemic);
  EXPECT_EQ(gate_word(RunOutcome::rate_limited, TaskStatus::pending), RunOutcome::rate_limited);
  EXPECT_EQ(gate_word(RunOutcome::rate_limited, TaskStatus::completed), RunOutcome::rate_limited);  // its agent had closed it: still a limit
  EXPECT_EQ(gate_word(RunOutcome::failed, TaskStatus::blocked), RunOutcome::completed);   // closed blocked, then stopped: not the executor's failure
  EXPECT_EQ(gate_word(RunOutcome::failed, TaskStatus::completed), RunOutcome::completed);
  EXPECT_EQ(gate_word(RunOutcome::failed, TaskStatus::failed), RunOutcome::failed);
  EXPECT_EQ(gate_word(RunOutcome::failed, TaskStatus::pending), RunOutcome::failed);     // a retried failure counts
  EXPECT_EQ(gate_word(RunOutcome::completed, TaskStatus::completed), RunOutcome::completed);
}

}  // namespace
}  // namespace arc
