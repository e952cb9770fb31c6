// The reset-time parser: every documented form, time zones with DST in both
// directions, midnight roll-over, times already passed today, and garbage.
#include <gtest/gtest.h>

#include "core/reset_time.hpp"
#include "core/time_text.hpp"

namespace arc {
namespace {

millis at(const char* iso) { return *parse_iso_instant(iso); }

std::string reset(const std::string& text, const char* now, const std::string& zone = "UTC") {
  auto r = parse_reset_time(text, at(now), zone);
  return r.ok ? format_iso_utc(r.at) : "error: " + r.error;
}

TEST(ResetTime, TheIncidentsPhrase) {
  // 03:00 UTC on 14 May: 5pm in Chicago (CDT, UTC-5) is 22:00 UTC the same day.
  EXPECT_EQ(reset("Claude usage limit reached … resets 5pm (America/Chicago)", "2026-05-14T03:00:00Z"),
            "2026-05-14T22:00:00.000Z");
}

TEST(ResetTime, EveryForm) {
  const char* now = "2026-05-14T03:00:00Z";
  EXPECT_EQ(reset("resets 17:00 (UTC)", now), "2026-05-14T17:00:00.000Z");
  EXPECT_EQ(reset("resets 11am (America/Denver)", now), "2026-05-14T17:00:00.000Z");  // MDT, UTC-6
  EXPECT_EQ(reset("resets 5:30pm (Asia/Kolkata)", now), "2026-05-14T12:00:00.000Z");  // IST, UTC+5:30
  EXPECT_EQ(reset("resets 3am", now), "2026-05-15T03:00:00.000Z");  // 03:00 now: the next one
  EXPECT_EQ(reset("resets 3am", now, "America/New_York"), "2026-05-14T07:00:00.000Z");
  EXPECT_EQ(reset("resets 2026-05-27T21:00:00Z", now), "2026-05-27T21:00:00.000Z");
  EXPECT_EQ(reset("Claude AI usage limit reached|1779000000", now), format_iso_utc(1779000000000));
  EXPECT_EQ(reset("5-hour limit reached \u2219 resets 3am", now), "2026-05-15T03:00:00.000Z");
  EXPECT_EQ(reset("You've hit your limit \u00b7 resets 5pm (Europe/London)", now),
            "2026-05-14T16:00:00.000Z");  // BST, UTC+1
  EXPECT_EQ(reset("RESETS 5 PM (america/chicago)", now), "error: unknown time zone \"america/chicago\" in \"RESETS 5 PM (america/chicago)\"");
  EXPECT_EQ(reset("Resets 5 PM (America/Chicago)", now), "2026-05-14T22:00:00.000Z");
  EXPECT_EQ(reset("limit hit; resets at 12pm (UTC).", now), "2026-05-14T12:00:00.000Z");
  EXPECT_EQ(reset("resets 12am (UTC)", now), "2026-05-15T00:00:00.000Z");
  EXPECT_EQ(reset("resets 17:00:00 (GMT)", now), "2026-05-14T17:00:00.000Z");
}

TEST(ResetTime, ATimeAlreadyPassedTodayMeansTomorrow) {
  EXPECT_EQ(reset("resets 5pm (America/Chicago)", "2026-05-14T22:30:00Z"), "2026-05-15T22:00:00.000Z");
  EXPECT_EQ(reset("resets 17:00 (UTC)", "2026-05-14T17:00:00Z"), "2026-05-15T17:00:00.000Z");
}

TEST(ResetTime, MidnightRollOver) {
  // 23:50 local in Chicago on 14 May (04:50Z on 15 May): 1am is 10 minutes later.
  EXPECT_EQ(reset("resets 1am (America/Chicago)", "2026-05-15T04:50:00Z"), "2026-05-15T06:00:00.000Z");
  EXPECT_EQ(reset("resets 11pm (America/Chicago)", "2026-05-15T04:50:00Z"), "2026-05-16T04:00:00.000Z");
  // Across a year end.
  EXPECT_EQ(reset("resets 00:30 (UTC)", "2026-12-31T23:59:00Z"), "2027-01-01T00:30:00.000Z");
}

TEST(ResetTime, DaylightSavingBothWays) {
  // Spring forward, Chicago, 8 March 2026: 2:30am does not exist; the gap ends at 3:00 CDT = 08:00Z.
  EXPECT_EQ(reset("resets 2:30am (America/Chicago)", "2026-03-08T06:00:00Z"), "2026-03-08T08:00:00.000Z");
  // 5pm the day of the change is CDT (UTC-5), the day before CST (UTC-6).
  EXPECT_EQ(reset("resets 5pm (America/Chicago)", "2026-03-07T12:00:00Z"), "2026-03-07T23:00:00.000Z");
  EXPECT_EQ(reset("resets 5pm (America/Chicago)", "2026-03-08T12:00:00Z"), "2026-03-08T22:00:00.000Z");
  // Fall back, Chicago, 1 November 2026: 1:30am happens twice; the earlier (CDT) one.
  EXPECT_EQ(reset("resets 1:30am (America/Chicago)", "2026-11-01T05:00:00Z"), "2026-11-01T06:30:00.000Z");
  // London: 5pm is 17:00Z in winter, 16:00Z in summer.
  EXPECT_EQ(reset("resets 5pm (Europe/London)", "2026-01-10T09:00:00Z"), "2026-01-10T17:00:00.000Z");
  EXPECT_EQ(reset("resets 5pm (Europe/London)", "2026-03-29T09:00:00Z"), "2026-03-29T16:00:00.000Z");
}

TEST(ResetTime, NeverInThePast) {
  auto r = parse_reset_time("resets 2020-01-01T00:00:00Z", at("2026-05-14T03:00:00Z"), "UTC");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("in the past"), std::string::npos);
  auto e = parse_reset_time("Claude AI usage limit reached|1000000000", at("2026-05-14T03:00:00Z"), "UTC");
  EXPECT_FALSE(e.ok);
}

TEST(ResetTime, GarbageAndUnknownZones) {
  const char* now = "2026-05-14T03:00:00Z";
  for (const char* text : {"", "hello", "resets", "resets soon", "resets 25:00", "resets 13pm",
                           "resets 5", "resets 0am", "resets 7:99pm", "resets (UTC)", "limit reached|abc",
                           "resets 2026-13-45T99:00:00Z", "\xff\xfe resets \x01"}) {
    auto r = parse_reset_time(text, at(now), "UTC");
    EXPECT_FALSE(r.ok) << text;
    EXPECT_FALSE(r.error.empty()) << text;
  }
  auto r = parse_reset_time("resets 5pm (Mars/Olympus_Mons)", at(now), "UTC");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("Mars/Olympus_Mons"), std::string::npos);
}

TEST(ResetTime, WeeklyAndMonthlyLimitsNameADate) {
  const char* now = "2026-12-06T12:00:00Z";
  // Claude Code 2.1's wording for a reset more than a day away.
  EXPECT_EQ(reset("You've hit your weekly limit · resets Dec 9, 10pm (America/Chicago)", now),
            "2026-12-10T04:00:00.000Z");  // CST, UTC-6
  EXPECT_EQ(reset("resets Dec 10 at 5pm (America/Chicago)", now), "2026-12-10T23:00:00.000Z");
  EXPECT_EQ(reset("spend limit reached \u00b7 resets Jan 1 \u00b7 request an increase", now),
            "2027-01-01T00:00:00.000Z");  // a date with no time: its midnight, in the next year when need be
  EXPECT_EQ(reset("resets 7 jan 9:30am", now, "Europe/London"), "2027-01-07T09:30:00.000Z");  // GMT
  EXPECT_EQ(reset("resets December 23rd at 5pm (UTC)", now), "2026-12-23T17:00:00.000Z");
  // Later today is today; a date already past is not next year's reset (a limit
  // resets within a month): an error, and the gate's fallback retries.
  EXPECT_EQ(reset("resets Dec 6, 11pm (UTC)", now), "2026-12-06T23:00:00.000Z");
  EXPECT_NE(reset("resets Dec 6, 9am (UTC)", now).find("days away"), std::string::npos);
  EXPECT_NE(reset("resets Aug 8", now).find("days away"), std::string::npos);
  // A date that never comes (Feb 30) is an error, not a guess; "5pm" is still a time, not a day.
  EXPECT_NE(reset("resets Feb 30 at 5pm", now).find("error"), std::string::npos);
  EXPECT_EQ(reset("resets 5pm (UTC)", now), "2026-12-06T17:00:00.000Z");
}

TEST(ResetTime, RecognisesLimitMessages) {
  EXPECT_TRUE(looks_rate_limited("Claude AI usage limit reached|1747000000"));
  EXPECT_TRUE(looks_rate_limited("You've hit your limit · resets 5pm"));
  EXPECT_FALSE(looks_rate_limited("reviewed PR 42"));
}

}  // namespace
}  // namespace arc
