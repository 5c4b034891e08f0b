//! Tests of descent-study: bad input, grids, closed forms, determinism.
