#include <gtest/gtest.h>

#include "core/time_text.hpp"

namespace arc {
namespace {

TEST(TimeText, IsoRoundTrip) {
  EXPECT_EQ(format_iso_utc(1'747'000'000'123), "2025-05-11T21:46:40.123Z");
  EXPECT_EQ(parse_iso_instant("2025-05-11T21:46:40.123Z"), 1'747'000'000'123);
  EXPECT_EQ(parse_iso_instant("2025-05-11T21:46:40Z"), 1'747'000'000'000);
  EXPECT_EQ(parse_iso_instant("2025-05-11T23:46:40+02:00"), 1'747'000'000'000);
  EXPECT_EQ(parse_iso_instant("2025-05-11T21:46:40"), 1'747'000'000'000);
  EXPECT_FALSE(parse_iso_instant("yesterday"));
  EXPECT_FALSE(parse_iso_instant("2025-05-11T21:46:40Z trailing"));
}

TEST(TimeText, Durations) {
  EXPECT_EQ(parse_duration("90s"), 90'000);
  EXPECT_EQ(parse_duration("15m"), 900'000);
  EXPECT_EQ(parse_duration("2h"), 7'200'000);
  EXPECT_EQ(parse_duration("7d"), 604'800'000);
  EXPECT_EQ(parse_duration("250ms"), 250);
  EXPECT_FALSE(parse_duration("m5"));
  EXPECT_FALSE(parse_duration("5w"));
  EXPECT_EQ(parse_when("+1h", 1000), 3'601'000);
}

TEST(TimeText, Ages) {
  EXPECT_EQ(format_age(5'000), "5s");
  EXPECT_EQ(format_age(192'000), "3m12s");
  EXPECT_EQ(format_age(7'500'000), "2h05m");
}

}  // namespace
}  // namespace arc
