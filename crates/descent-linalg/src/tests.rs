//! Unit tests of descent-linalg.
