//! descent-problems (being written).
