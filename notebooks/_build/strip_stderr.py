"""Drop stderr streams (TensorFlow's start-up log) from executed notebooks."""

import json
import sys

for path in sys.argv[1:]:
    nb = json.load(open(path))
    for cell in nb["cells"]:
        if "outputs" in cell:
            cell["outputs"] = [o for o in cell["outputs"] if o.get("name") != "stderr"]
    with open(path, "w") as fh:
        json.dump(nb, fh, indent=1)
        fh.write("\n")
