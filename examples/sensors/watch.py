#!/usr/bin/env python3
"""Demo script sensor: watches a directory for *.txt notes and queues a
word-count task per note (source = the file name, so each note is one task).
A line that is not JSON would be skipped and counted; this one is fine."""
import json, os, sys
inbox = os.environ.get("ARC_DEMO_INBOX", "examples/inbox")
if not os.path.isdir(inbox):
    sys.exit(0)
for name in sorted(os.listdir(inbox)):
    if name.endswith(".txt"):
        with open(os.path.join(inbox, name)) as f:
            text = f.read()
        print(json.dumps({"subject": f"count words in {name}", "description": text,
                          "skills": ["report"], "source": name, "max_age": "2h"}))
