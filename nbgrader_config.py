"""nbgrader settings for this course. Paths are relative to this file's folder.

Instructors rarely call nbgrader directly: `course release` and `course grade` wrap it
(see README.md). Students' JupyterLab reads this file for the Validate button.
"""
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "rnn-to-attention"
c.CourseDirectory.source_directory = "solutions"   # instructor notebooks with solutions and hidden tests
c.CourseDirectory.release_directory = "exercises"  # generated student notebooks; never edit by hand

# What a student sees in place of a solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Execution: always the course's Python kernel, whatever kernelspec a submission carries,
# and a per-cell limit so an infinite loop costs seconds, not the cohort's grading run.
c.Execute.kernel_name = "python3"
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# nbgrader scores a test cell zero if it printed anything to stderr. Warnings and progress
# bars from correct code go there, so drop stderr from the record; failures are exceptions.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]*"

# Test cells a student deleted are restored from the source before grading.
c.OverwriteCells.add_missing_cells = True
