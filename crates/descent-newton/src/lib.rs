//! descent-newton (being written).
