// The persistence actor's group commit: concurrent requests share one
// transaction, every reply comes after COMMIT, and a bad request fails alone.
#include <gtest/gtest.h>

#include "actors/persistence.hpp"
#include "storage/schema.hpp"
#include "support/temp_dir.hpp"

namespace arc {
namespace {

TEST(Persistence, ConcurrentWritesShareTransactionsAndAreCommittedWhenAcknowledged) {
  test::TempDir dir;
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};
  PersistenceArgs args;
  args.database = dir.file("p.db");
  args.clock = &system_clock();
  auto p = spawn_persistence(sys, args);
  caf::scoped_actor self{sys};
  constexpr int kN = 500;
  for (int i = 0; i < kN; ++i) {
    TaskSpec s;
    s.subject = "t" + std::to_string(i);
    self->send(p, create_atom::value, s, std::string("test"), TraceCtx{});
  }
  // One invalid request among them fails alone.
  TaskSpec bad;
  bad.subject = "bad";
  bad.priority = 42;
  self->send(p, create_atom::value, bad, std::string("test"), TraceCtx{});
  int ok = 0, errors = 0;
  std::string error_text;
  for (int i = 0; i < kN + 1; ++i)
    self->receive([&](CreateResult& r) { ok += r.created ? 1 : 0; },
                  [&](caf::error& e) { ++errors; error_text = caf::to_string(e); });
  EXPECT_EQ(ok, kN);
  EXPECT_EQ(errors, 1);
  EXPECT_NE(error_text.find("priority"), std::string::npos) << error_text;
  // Acknowledged means committed: another connection sees every row now.
  // (Durable too: arcd's connection is synchronous=full, Lifecycle.ArcdsConnection….)
  auto db = open_database(args.database);
  EXPECT_EQ(db->scalar_int("SELECT count(*) FROM tasks"), kN);
  int64_t transactions = 0, requests = 0;
  self->request(p, std::chrono::seconds(5), stats_atom::value)
      .receive([&](int64_t t, int64_t r) { transactions = t; requests = r; }, [](caf::error&) {});
  EXPECT_EQ(requests, kN + 1);
  EXPECT_LT(transactions, kN / 2) << "requests were not batched";
  std::printf("group commit: %lld requests in %lld transactions\n", static_cast<long long>(requests),
              static_cast<long long>(transactions));
  self->send_exit(p, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace arc
