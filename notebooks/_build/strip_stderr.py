"""Drop TensorFlow's start-up log lines from executed notebooks; keep every other stderr line.

TensorFlow writes absl log lines when it starts (CPU features, CUDA drivers, oneDNN) to
stderr; they say nothing about the tutorial. Warnings from lstm_widget, Keras or anything
else stay: a tutorial shows what its reader will see.
"""

import json
import re
import sys

START_UP = re.compile(
    r"^(?:[IWE]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ \S+:\d+\] "  # an absl log line
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|To enable the following instructions: .* rebuild TensorFlow)"
)


def strip(nb: dict) -> dict:
    """``nb`` without TensorFlow's start-up log lines (emptied streams dropped)."""
    for cell in nb["cells"]:
        outputs = []
        for out in cell.get("outputs", []):
            if out.get("name") == "stderr":
                text = out["text"] if isinstance(out["text"], str) else "".join(out["text"])
                kept = [line for line in text.splitlines(True) if not START_UP.match(line)]
                if not "".join(kept).strip():
                    continue
                out = {**out, "text": "".join(kept)}
            outputs.append(out)
        if "outputs" in cell:
            cell["outputs"] = outputs
    return nb


if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path) as fh:
            nb = strip(json.load(fh))
        with open(path, "w") as fh:
            json.dump(nb, fh, indent=1)
            fh.write("\n")
