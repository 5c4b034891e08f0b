//! Line searches shared by first- and second-order methods (being written).
