"""nbgrader configuration for JupyterLab started at the project root (`.venv/bin/jupyter lab`).

It loads the course's own configuration, so that the Formgrader, the Assignment List and
`nbgrader` commands run from here find the course in assignments/ and its exchange.
"""

import os

c = get_config()  # noqa: F821 - provided by traitlets when the file is loaded
load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "assignments", "nbgrader_config.py"))  # noqa: F821
