//! descent-schedule (being written).
