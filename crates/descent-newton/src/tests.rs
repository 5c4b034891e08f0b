//! Unit tests of descent-newton against closed forms and hand-derived values.
