"""nbgrader configuration for this course (nbgrader 0.9).

`autograder release <tp>` runs `nbgrader generate_assignment` with this file in a
temporary copy of the course, so the release step and an instructor running nbgrader by
hand produce the same student notebook:

    source/<tp>/<tp>.ipynb  ->  release/<tp>/<tp>.ipynb

The course root is the folder holding this file, wherever nbgrader is started from.
"""

import os

c = get_config()  # noqa: F821 -- injected by traitlets when it loads this file

# Course layout: {nbgrader_step}/{student_id}/{assignment_id}, with student_id "." for
# the instructor steps, i.e. source/<tp>/ and release/<tp>/ under the course root.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"

# Never copied into release/: the checks (public ones are shipped by `autograder release`,
# hidden ones never leave the instructor side), the TP config (copied by the autograder)
# and editor/interpreter litter.
c.CourseDirectory.ignore = [
    "checks",
    "tp.toml",
    "__pycache__",
    ".ipynb_checkpoints",
    "*.pyc",
]

# Answer cells: the region between the delimiters becomes the stub. The stub is the
# nbgrader default, neutral between French and English and recognised by the grader.
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"  # matches "### BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"  # matches "### END SOLUTION"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
