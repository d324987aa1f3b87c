"""Runs several client-matrix scripts from one interpreter: `python3 all_clients.py <url> <script>...`.

The client libraries take seconds of CPU to import (litellm alone ~4 s), and most scripts import
the same ones (openai, pydantic). They are imported once here; then each script runs in a child
forked from this process (copy-on-write: nothing is imported again), all at once, exactly as
`python3 <script> <url>` would run it, its own module state fresh. Prints one JSON object,
{script: [results] or {"error": text}}, as the last line.
"""
import io
import json
import os
import runpy
import sys
import tempfile
import traceback

SCRIPTS = sys.argv[2:]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# What the scripts import, once (a library that fails to import fails its scripts' cells, below).
for name in ("pydantic", "openai", "anthropic", "langchain_core", "langchain_openai", "litellm", "instructor"):
    try:
        __import__(name)
    except Exception:  # the script's own import reports it
        pass

import matrix  # noqa: E402  (after the path is set)

out_dir = tempfile.mkdtemp(prefix="tollgate-clients-")
children = {}
for script in SCRIPTS:
    path = os.path.join(HERE, script)
    out_file = os.path.join(out_dir, script + ".json")
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            sys.argv = [path, *sys.argv[1:2]]
            matrix._cells.clear()
            captured = io.StringIO()
            sys.stdout = captured
            runpy.run_path(path, run_name="__main__")
            sys.stdout = sys.__stdout__
            last = captured.getvalue().strip().split("\n")[-1]
            result = json.loads(last)
        except BaseException:  # noqa: BLE001  (any failure is the script's result)
            sys.stdout = sys.__stdout__
            result = {"error": traceback.format_exc()[-1500:]}
            code = 1
        with open(out_file, "w") as f:
            json.dump(result, f)
        sys.stdout.flush()
        os._exit(code)
    children[pid] = (script, out_file)

results = {}
for pid, (script, out_file) in children.items():
    _, status = os.waitpid(pid, 0)
    try:
        with open(out_file) as f:
            results[script] = json.load(f)
    except (OSError, ValueError):
        results[script] = {"error": f"{script} exited with status {status} and wrote no results"}
    finally:
        if os.path.exists(out_file):
            os.remove(out_file)
os.rmdir(out_dir)
print(json.dumps(results))
