//! descent-data (being written).
