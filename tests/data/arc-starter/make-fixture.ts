// Makes arc.sqlite, the Arc database that tests/integration/import_test.cpp
// imports, with Arc's own code: src/db.ts of arc0btc/arc-starter (e53a40f9),
// unmodified, on Bun, called the way its dispatch and CLI call it. Run by
// make-fixture.sh, which copies db.ts beside this file (it is not committed).
import {
  getDatabase, initDatabase, insertCycleLog, insertTask, markTaskActive, markTaskBlocked,
  markTaskCompleted, markTaskFailed, toSqliteDatetime, updateCycleLog, updateTaskCost,
} from "./src/db.ts";

initDatabase();
const at = (iso: string) => toSqliteDatetime(new Date(iso));

// A parent and its children, as the agent files follow-ups.
const root = insertTask({ subject: "Keep the engine healthy", priority: 3, model: "opus", source: "human",
                          skills: JSON.stringify(["arc-housekeeping"]), max_retries: 7 });
const review = insertTask({ subject: "Review PR 7 of rook/engine", description: "Look at the locking change.",
                            priority: 4, model: "sonnet", source: "sensor:github-prs:rook/engine#7",
                            skills: JSON.stringify(["pr-review", "stacks-js"]), parent_id: root, max_retries: 7 });
markTaskActive(review);
const cycle = insertCycleLog({ started_at: at("2026-11-30T10:00:00Z"), task_id: review,
                               skills_loaded: JSON.stringify(["pr-review", "stacks-js"]),
                               skill_hashes: JSON.stringify({ "pr-review": "3f2a9c1d0b7e", "stacks-js": "a1b2c3d4e5f6" }),
                               model: "sonnet" });
markTaskCompleted(review, "Posted two review comments.", "full transcript text");
updateTaskCost(review, 0.4123, 0.9876, 120000, 3400);
updateCycleLog(cycle, { completed_at: at("2026-11-30T10:01:35Z"), duration_ms: 95000, cost_usd: 0.4123,
                        api_cost_usd: 0.9876, tokens_in: 120000, tokens_out: 3400 });

const failed = insertTask({ subject: "Post the weekly report", priority: 5, model: "haiku", parent_id: root,
                            source: "sensor:weekly-report" });
markTaskActive(failed);
const c2 = insertCycleLog({ started_at: at("2026-11-30T11:00:00Z"), task_id: failed, model: "haiku",
                            skills_loaded: JSON.stringify([]) });
markTaskFailed(failed, "The report service answered 503.");
updateCycleLog(c2, { completed_at: at("2026-11-30T11:00:12Z"), duration_ms: 12000, cost_usd: 0.01, tokens_in: 900, tokens_out: 40 });

const blocked = insertTask({ subject: "Rotate the deploy key", priority: 2, model: "opus", source: "human" });
markTaskActive(blocked);
markTaskBlocked(blocked, "Needs a person: the key lives in the hardware token.");

// In flight when Arc stopped: left active.
const active = insertTask({ subject: "Summarise the morning's markets", priority: 6, model: "sonnet",
                            skills: JSON.stringify(["market-watch"]), source: "sensor:markets" });
markTaskActive(active);
insertCycleLog({ started_at: at("2026-11-30T12:00:00Z"), task_id: active, model: "sonnet" });

// Waiting: scheduled, a script task, a stop condition, and two pending with one source.
insertTask({ subject: "Check the nightly build", priority: 5, model: "haiku", scheduled_for: "2026-12-24T06:00:00Z",
             source: "sensor:nightly" });
insertTask({ subject: "Prune old logs", priority: 8, model: "script", script: "find logs -mtime +30 -delete" });
insertTask({ subject: "Answer the mention from @alice", priority: 4, model: "sonnet", source: "sensor:x-mentions:1",
             stop_condition: "a reply is posted" });
insertTask({ subject: "Answer the mention from @alice again", priority: 4, model: "sonnet", source: "sensor:x-mentions:1" });
insertTask({ subject: "Hand-written skills", priority: 12, model: "sonnet", skills: "notes, inbox-digest" });

getDatabase().exec("PRAGMA wal_checkpoint(TRUNCATE)");
getDatabase().close();
