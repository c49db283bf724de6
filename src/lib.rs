//! huiyin (回音): every citizen message gets an answer on time.
pub mod calendar;
pub mod sla;
