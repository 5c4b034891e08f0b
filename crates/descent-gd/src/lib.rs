//! descent-gd: first-order optimisers, line searches and stochastic gradients (being written).

pub mod line_search;
