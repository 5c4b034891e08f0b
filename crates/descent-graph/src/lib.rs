//! descent-graph (being written).
