// A repeated warning is said once per interval per kind, with a count.
#include <gtest/gtest.h>

#include "core/log_throttle.hpp"

namespace arc {
namespace {

TEST(LogThrottle, OncePerIntervalPerKindWithTheCountHeldBack) {
  LogThrottle t(5'000);
  EXPECT_EQ(t.admit("claim", 0), 0);
  for (int i = 1; i <= 40; ++i) EXPECT_FALSE(t.admit("claim", i * 100).has_value());
  EXPECT_EQ(t.admit("finish", 4'100), 0) << "another kind is said at once";
  EXPECT_EQ(t.admit("claim", 5'000), 40) << "the next one says how many were held back";
  EXPECT_FALSE(t.admit("claim", 9'999).has_value());
  EXPECT_EQ(t.admit("claim", 60'000), 1);
}

TEST(LogThrottle, TheNoteSaysTheCountAndTheInterval) {
  EXPECT_EQ(held_back_note(0), "");
  EXPECT_EQ(held_back_note(40), " (40 more like it in the last 5 s)");
}

}  // namespace
}  // namespace arc
