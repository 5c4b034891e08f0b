//! Cross-crate tests and repository rules live in `tests/tests/`; this library is empty on purpose.
