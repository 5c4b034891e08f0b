//! Unit tests of descent-core (runner, stopping rules, analysis).
