//! Unit tests of descent-data.
