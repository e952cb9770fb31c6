#!/usr/bin/env python3
"""Demo executor in Python: counts the words of the task's description."""
import json, sys, time
task = json.load(sys.stdin)
time.sleep(0.5)
words = len(task.get("description", "").split())
print(json.dumps({"status": "completed",
                  "summary": f"report: {words} words in the description of task {task['id']}",
                  "cost_usd": 0.001 * words, "tokens_in": words * 4, "tokens_out": 50}))
