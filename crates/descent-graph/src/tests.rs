//! Unit tests of descent-graph.
