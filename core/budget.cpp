#include "core/budget.hpp"

#include "core/time_zone.hpp"

namespace arc {

BudgetDay budget_day(millis now, const std::string& zone) {
  constexpr millis kDay = 86'400'000;
  BudgetDay d;
  auto today = local_clock(now, zone);
  d.start = today ? today->day_start : now - now % kDay;
  // 26 h on is inside the next day whatever DST does; its start is the reset.
  auto tomorrow = local_clock(d.start + 26 * 3'600'000, zone);
  d.next = tomorrow ? tomorrow->day_start : d.start + kDay;
  return d;
}

bool budget_reached(const BudgetConfig& budget, double spent_usd) {
  return budget.daily_usd > 0 && spent_usd >= budget.daily_usd;
}

int claimable_priority(const BudgetConfig& budget, double spent_usd) {
  return budget_reached(budget, spent_usd) ? budget.max_priority : 10;
}

}  // namespace arc
