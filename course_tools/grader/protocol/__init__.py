"""What crosses between the judge and the worker: values, frames, in-place changes. Both sides import it."""
