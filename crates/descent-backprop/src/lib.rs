//! descent-backprop (being written).
