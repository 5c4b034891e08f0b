//! Cross-crate tests and repository rules live in `tests/tests/`. This library
//! holds no code: it compiles and runs the README's example as a doc test.
#![doc = include_str!("../../README.md")]
