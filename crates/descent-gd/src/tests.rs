//! Tests for descent-gd.
