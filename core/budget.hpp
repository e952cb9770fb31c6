// The daily budget's rules ([budget], docs/agent.md), pure: which day the
// spend counts against, and what may still be claimed once it is spent.
#pragma once
#include <string>

#include "core/agent_config.hpp"
#include "core/clock.hpp"

namespace arc {

// The local day `now` falls in, in `zone` (UTC when the zone is unknown).
struct BudgetDay {
  millis start = 0;  // its local midnight
  millis next = 0;   // the next one: when the budget starts again
};
BudgetDay budget_day(millis now, const std::string& zone);

// Whether `spent_usd` today has reached the budget (never without one).
bool budget_reached(const BudgetConfig& budget, double spent_usd);

// The least urgent priority still claimed after `spent_usd` today: 10 (all)
// until the budget is reached, then budget.max_priority.
int claimable_priority(const BudgetConfig& budget, double spent_usd);

}  // namespace arc
