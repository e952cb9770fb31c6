// JSON views shared by `arc … --json` and the HTTP API (docs/http-api.md):
// one shape per thing, whoever asks. Read-only; each takes the connection it
// reads from.
#pragma once
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/storage_health.hpp"
#include "storage/db.hpp"

namespace arc {

// The gate: state, reason, since / resume_at (UTC and local), the queue
// behind it, its last 5 changes, and `storage` (core/storage_health.hpp):
// `held` (why arcd's failing commits hold dispatch, or null) and `told`
// (that fault), which only arcd knows, so only its HTTP API passes `told`;
// `disk_warning` (a database disk with no room left, or null), which any
// process can see, and the disk's figures.
// With `budget`, also the day's spend against it (storage/runs.hpp).
nlohmann::json gate_view(Db& db, millis now, const BudgetConfig* budget = nullptr,
                         const std::optional<StorageFault>& told = std::nullopt);

// A disk as `arc doctor` and gate_view show it: path, free_bytes,
// total_bytes (null if it cannot be looked at).
nlohmann::json disk_json(const std::optional<DiskSpace>& disk);

// Every sensor that has run or is configured: cadence, last/next run,
// result, streak, counts, paused-until.
nlohmann::json sensors_view(Db& db, const std::map<std::string, SensorConfig>& configured, millis now);

// Failure patterns, most frequent first, with their investigation.
nlohmann::json patterns_view(Db& db, int limit);

// Incidents, newest first.
nlohmann::json incidents_view(Db& db, bool open_only);

// The cluster's nodes (docs/cluster.md), hub first: role, address, slots,
// running tasks, last heartbeat and its age, state. A node recorded as
// connected whose heartbeat is older than 5 s shows as "silent" (frozen or
// cut off without its connection closing). Empty outside cluster mode.
nlohmann::json nodes_view(Db& db, millis now);

// A task with its event history; null when there is no such task.
nlohmann::json task_view(Db& db, int64_t id);

// "7d", "24h" (back from now) or an ISO-8601 time; nullopt if unreadable.
std::optional<millis> parse_since(const std::string& text, millis now);

}  // namespace arc
