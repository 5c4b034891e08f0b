//! Unit tests of descent-backprop.
