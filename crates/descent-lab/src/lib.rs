//! descent-lab (being written).
