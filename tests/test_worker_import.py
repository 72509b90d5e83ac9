"""A script that builds the Assistant at its top level, run when the reader must be trained: the workers that
fine-tune re-run the script; training asked for there is refused with one clear line instead of hanging."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from assistant.training.train import refuse_in_worker_import

refuse_in_worker_import()  # where a script without a main guard would start training: passes in the caller ...
with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:  # ... and a worker re-runs it
    print(pool.submit(abs, -3).result())
"""

GUARDED = """
import sys
sys.path.insert(0, {root!r})
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
from assistant.training.train import refuse_in_worker_import

if __name__ == "__main__":
    refuse_in_worker_import()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        print(pool.submit(abs, -3).result())
"""


def test_training_asked_for_while_a_worker_reruns_the_script_is_refused_not_hung(tmp_path):
    script = tmp_path / "unguarded.py"
    script.write_text(SCRIPT.format(root=str(ROOT)))
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode != 0
    assert 'put the code that builds the Assistant under `if __name__ == "__main__":`' in run.stderr
    # the same calls under a main guard run
    guarded = tmp_path / "guarded.py"
    guarded.write_text(GUARDED.format(root=str(ROOT)))
    ok = subprocess.run([sys.executable, str(guarded)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "3"
