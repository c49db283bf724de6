//! Reply-time rules: the SLA policy (working days per channel and category) and the
//! deadline timeline built on the working-day calendar.

pub mod cap;
pub mod policy;
pub mod timeline;

pub use cap::{CapExceeded, TotalCap};
pub use policy::{Category, Channel, PolicyError, SlaPolicy, WorkingDays};
pub use timeline::{Timeline, PROVISIONAL_MARK};
