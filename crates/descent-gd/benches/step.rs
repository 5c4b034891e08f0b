//! Bench placeholder being written.
fn main() {}
